"""The HTTP service: a FastAPI app over the same library functions the CLI calls.

`create_app(settings)` builds the app (app.py); `jianbao serve` runs it with uvicorn. Like the
CLI, the package only wires: each router (documents, issues, articles, analytics, models) parses
a request, opens the corpus (one SQLite connection per request, opened in the thread that uses
it), calls one library function and renders the result as JSON (or CSV). Queries live in
corpus/, the upload pipeline in pipeline/uploads.py, parsing and tagging in ingest/ and models/.

Security (access.py, ApiConfig): write endpoints need `Authorization: Bearer $JIANBAO_TOKEN`
(compared in constant time; with no token configured every write is refused); reads are served
to loopback clients addressing the server by a loopback name, unless JIANBAO_PUBLIC_READS=1 or
the request carries the token; an upload is capped in bytes before it is read and in pages
before it is parsed, is stored under a name of our own and parsed in a worker process under the
importer's time and memory guards; errors answer `{"detail": reason}` and never a stack trace.
"""

from jianbao.api.access import ApiConfig
from jianbao.api.app import create_app
from pipeline.uploads import display_name

__all__ = ["ApiConfig", "create_app", "display_name"]
