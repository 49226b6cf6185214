"""The HTTP service: a FastAPI app over the same library functions the CLI calls.

`create_app(settings)` builds the app; `jianbao serve` runs it with uvicorn. Like the CLI, this
module only wires: it parses requests, opens the corpus (one SQLite connection per request,
opened in the thread that uses it), calls one library function and renders the result as JSON
(or CSV). Queries live in corpus/, parsing and tagging in ingest/ and models/.

Security (see ApiConfig): write endpoints need `Authorization: Bearer $JIANBAO_TOKEN` (compared
in constant time; with no token configured every write is refused); reads are served to loopback
clients addressing the server by a loopback name, unless JIANBAO_PUBLIC_READS=1 or the request
carries the token; an upload is capped in bytes before it is read and in pages before it is
parsed, is stored under a name of our own and parsed in a worker process under the importer's
time and memory guards; errors answer `{"detail": reason}` and never a stack trace.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from contextlib import asynccontextmanager, contextmanager
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import Iterator, Optional

from fastapi import Depends, FastAPI, File, HTTPException, Path as PathParam, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from corpus import analytics, labels, queries
from corpus.store import Corpus
from pipeline.worker import Job, Limits
from errors import (CorpusError, IngestError, JianbaoError, ModelError, ModelNotFound, NotFound,
                    SchemaOutOfDate, UnsupportedFile, UsageError)
from jianbao.choices import OCR, By
from jianbao.access import CHUNK, SHA256, STATIC, ApiConfig, Guard, TooLarge, bearer, write_refusal
from pipeline.resources import notebook, open_corpus
from pipeline.settings import Settings
from pipeline.uploads import Uploads, display_name

log = logging.getLogger("jianbao.api")



# ---------------------------------------------------------------------------- request bodies


class Fmt(str, Enum):
    json = "json"
    csv = "csv"


class LabelBody(BaseModel):
    """Tag corrections, as `jianbao label`: "+key" (or "key") adds, "-key" removes."""

    topics: list[str] = Field(default_factory=list, max_length=100, examples=[["+anti_fraud", "-culture_publicity"]])
    companies: list[str] = Field(default_factory=list, max_length=100, examples=[["+sf"]])
    by: Optional[str] = Field(None, max_length=100, description="Who labels [api]")


# ---------------------------------------------------------------------------- the app


ERROR_STATUS = ((UsageError, 422), (NotFound, 404), (ModelNotFound, 404), (ModelError, 409),
                (SchemaOutOfDate, 503), (CorpusError, 409), (IngestError, 422), (JianbaoError, 400))


def _frame_records(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False)) if len(frame) else []


def _csv(frame, name: str) -> Response:
    return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{name}.csv"'})


def create_app(settings: Settings, config: ApiConfig | None = None) -> FastAPI:
    """The jianbao service over the corpus at `settings.db` and the models in `settings.models_dir`."""
    config = config or ApiConfig.from_env()
    write_lock = threading.Lock()              # one writer at a time (SQLite serialises anyway)
    uploads = Uploads(config.upload_workers)

    @asynccontextmanager
    async def lifespan(app):
        open_corpus(settings.db).close()        # create or migrate the corpus before serving
        yield
        await run_in_threadpool(uploads.close)

    app = FastAPI(title="jianbao", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Chinese industry bulletins as a labelled corpus: upload issues, "
                              "query articles, trends and full-text search, correct tags.")
    app.add_middleware(Guard, config=config)
    app.state.settings, app.state.config = settings, config

    def public(message: str) -> str:
        """An error message without the server's own paths."""
        for path, label in ((settings.models_dir, "<models>"), (settings.db, "<corpus>")):
            message = message.replace(str(Path(path).resolve()), label).replace(str(path), label)
        return message

    @app.exception_handler(JianbaoError)
    async def library_error(request: Request, exc: JianbaoError):
        status = next(code for cls, code in ERROR_STATUS if isinstance(exc, cls))
        return JSONResponse({"detail": public(str(exc))}, status)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": "internal error (logged on the server)"}, 500)

    @contextmanager
    def corpus() -> Iterator[Corpus]:
        """One connection per request, used in the thread that opened it."""
        with open_corpus(settings.db) as c:
            yield c

    def writer(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
        """Checked by Guard before the body is read; declared here for the OpenAPI schema."""
        header = f"{credentials.scheme} {credentials.credentials}" if credentials else None
        refusal = write_refusal(config, header)
        if refusal:
            raise HTTPException(refusal[0], refusal[1])

    def article_or_404(c: Corpus, article_id: str) -> dict:
        record = queries.get_article(c.conn, article_id)
        if record is None:
            raise HTTPException(404, f"no article {article_id!r}")
        return record

    # ------------------------------------------------------------------ dashboard

    @app.get("/", include_in_schema=False)
    def dashboard():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # ------------------------------------------------------------------ documents

    @app.post("/documents", status_code=201, dependencies=[Depends(writer)], tags=["documents"],
              responses={200: {"description": "Already in the corpus (present or duplicate issue)"},
                         401: {}, 403: {}, 413: {"description": "Over the size or page limit"},
                         415: {"description": "Not a PDF or image"}, 422: {"description": "Unreadable"}})
    async def upload_document(file: UploadFile = File(..., description="A PDF, PNG, JPEG or TIFF"),
                              ocr: OCR = Query(OCR.auto, description="OCR pages without a text layer")):
        """Import one bulletin: parse, tag with the active model, store; returns the issue and its articles."""
        name = display_name(file.filename)
        folder = tempfile.mkdtemp(prefix="jianbao-upload-")
        try:
            tmp = os.path.join(folder, "upload")       # our name: the client's never becomes a path
            digest, size = await _spool(file, tmp, config.max_upload_bytes)
            return await _import(tmp, digest, size, name, ocr.value)
        finally:
            await file.close()
            shutil.rmtree(folder, ignore_errors=True)

    async def _import(tmp: str, digest: str, size: int, name: str, ocr: str):
        def named(message: str) -> str:
            return public(message.replace(tmp, name))

        if size == 0:
            raise HTTPException(422, f"{name}: the file is empty")
        known = await run_in_threadpool(stored, digest, "present", "")
        if known is not None:
            return JSONResponse(known, 200)
        from ingest.reader import file_kind
        from models import active_version
        try:
            kind = file_kind(Path(tmp))
        except UnsupportedFile as exc:
            await run_in_threadpool(record_failure, digest, name, named(str(exc)))
            raise HTTPException(415, named(str(exc))) from None
        if not active_version(settings.models_dir):
            raise HTTPException(503, "no trained model on the server: run `jianbao train` there")
        limits = Limits(config.upload_seconds, config.upload_memory_mb) if config.upload_workers else Limits(None, None)
        job = Job(tmp, digest, ocr, str(settings.models_dir), limits, isolated=config.upload_workers > 0)
        parsed = await uploads.run(job, kind, config.max_pages)
        if isinstance(parsed, int) or (parsed.failure is None and parsed.pages > config.max_pages):
            pages = parsed if isinstance(parsed, int) else parsed.pages
            raise HTTPException(413, f"{name}: {pages} pages, more than the {config.max_pages}-page limit")
        if parsed.failure is not None:
            reason = parsed.error.without_path()
            await run_in_threadpool(record_failure, digest, name, named(reason))
            raise HTTPException(422, named(f"{name}: {reason}"))
        bulletin = parsed.bulletin
        bulletin = dataclasses.replace(bulletin, source=dataclasses.replace(bulletin.source, path=name))
        body = await run_in_threadpool(store, bulletin, parsed.tags)
        return JSONResponse(body, 201 if body["status"] in ("imported", "replaced") else 200)

    def record_failure(digest: str, name: str, error: str) -> None:
        with write_lock, corpus() as c:
            c.record_failure(digest, name, error)

    def stored(digest: str, status: str, detail: str) -> dict | None:
        """The answer for a document the corpus already has (None if it has not)."""
        with corpus() as c:
            if not c.has_document(digest):
                return None
            return document_body(c, status, digest, c.document_issue(digest), detail)

    def store(bulletin, tags) -> dict:
        with write_lock, corpus() as c:
            result = c.add_bulletin(bulletin, tags)
            body = document_body(c, result.status, result.sha256, result.issue_id, result.detail)
        body["warnings"] = [dataclasses.asdict(w) for w in bulletin.warnings]
        return body

    def document_body(c: Corpus, status: str, digest: str, issue_id: str | None, detail: str) -> dict:
        issue = queries.get_issue(c.conn, issue_id) if issue_id else None
        articles = list(queries.iter_article_records(c.conn, issue=issue_id)) if issue else []
        return {"status": status, "sha256": digest, "detail": detail, "issue": issue, "articles": articles}

    @app.get("/documents/{sha256}", tags=["documents"])
    def get_document(sha256: str = PathParam(..., pattern=SHA256, description="sha256 of the file, hex")):
        """What the corpus knows about one file: status (imported, duplicate, failed), error, issue."""
        with corpus() as c:
            doc = queries.get_document(c.conn, sha256)
            if doc is None:
                raise HTTPException(404, f"no document {sha256}")
            doc["issue"] = queries.get_issue(c.conn, doc["issue_id"]) if doc["issue_id"] else None
        doc["source_file"] = doc.pop("path")
        return doc

    # ------------------------------------------------------------------ issues and articles

    @app.get("/issues", tags=["issues"])
    def list_issues(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)):
        """Issues, oldest first, with their article counts."""
        with corpus() as c:
            return list(islice(queries.iter_issue_records(c.conn), offset, offset + limit))

    @app.get("/issues/{key}", tags=["issues"])
    def get_issue(key: str = PathParam(..., max_length=64, description="Issue id (2025-06) or total number (529)")):
        """One issue with its distribution list, parse warnings and articles."""
        with corpus() as c:
            issue = queries.get_issue(c.conn, key)
            if issue is None:
                raise HTTPException(404, f"no issue {key!r}")
            issue["articles"] = list(queries.iter_article_records(c.conn, issue=issue["issue_id"]))
        return issue

    @app.get("/articles", tags=["articles"])
    def list_articles(topic: Optional[str] = Query(None, max_length=64),
                      company: Optional[str] = Query(None, max_length=64),
                      since: Optional[str] = Query(None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD"),
                      until: Optional[str] = Query(None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD"),
                      q: Optional[str] = Query(None, max_length=200, description="Words the title or text must contain"),
                      issue: Optional[str] = Query(None, max_length=64, description="Issue id or total number"),
                      limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0)):
        """Articles with their tags, oldest first; `total` counts every match."""
        filters = dict(topic=topic, company=company, since=since, until=until, issue=issue)
        with corpus() as c:
            if q and q.strip():
                filters["match"] = analytics.fts_query(c.segment(q))
                if not filters["match"]:
                    return {"total": 0, "limit": limit, "offset": offset, "items": []}
            total = queries.count_articles(c.conn, **filters)
            items = list(queries.iter_article_records(c.conn, limit=limit, offset=offset, **filters))
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    @app.get("/articles/{article_id}", tags=["articles"])
    def get_article(article_id: str = PathParam(..., max_length=64)):
        """One article: metadata, tags in force (human labels beat the model's), entities, text."""
        with corpus() as c:
            return article_or_404(c, article_id)

    @app.get("/articles/{article_id}/history", tags=["labels"])
    def label_history(article_id: str = PathParam(..., max_length=64)):
        """Every label change of one article: who, when, old -> new."""
        with corpus() as c:
            article_or_404(c, article_id)
            return labels.history(c.conn, article_id)

    @app.post("/articles/{article_id}/labels", dependencies=[Depends(writer)], tags=["labels"],
              responses={401: {}, 403: {}, 404: {}, 422: {}})
    def label_article(body: LabelBody, article_id: str = PathParam(..., max_length=64)):
        """Correct the tags of one article, as `jianbao label`; every change is in the history."""
        if not body.topics and not body.companies:
            raise HTTPException(422, "give topics or companies to change, e.g. {\"topics\": [\"+anti_fraud\"]}")
        changes = labels.parse_changes(article_id, body.topics, body.companies, _label_keys())
        with write_lock, corpus() as c:
            article_or_404(c, article_id)
            report = labels.apply_changes(c, changes, body.by or "api")
            article = queries.get_article(c.conn, article_id)
        return {"changed": report.changed, "unchanged": report.unchanged,
                "history": list(report.history), "article": article}

    # ------------------------------------------------------------------ analytics

    @app.get("/trends", tags=["analytics"], responses={200: {"content": {"text/csv": {}}}})
    def trends(by: By = By.month, topic: Optional[str] = Query(None, max_length=64),
               company: Optional[str] = Query(None, max_length=64),
               companies: bool = Query(False, description="Count companies, not topics"),
               since: Optional[str] = Query(None, max_length=10), until: Optional[str] = Query(None, max_length=10),
               format: Fmt = Fmt.json):
        """Articles per period for each topic (or company), with the period's share; by=company|topic
        gives the topic × company cross-tab. Same parameters as `jianbao trends`."""
        with corpus() as c:
            if by in (By.company, By.topic):
                frame = notebook(c).crosstab(topic, company, since, until)
                frame = frame.T if by == By.topic else frame
                frame = frame.reset_index() if len(frame) else frame
                kind = "crosstab"
            else:
                frame = notebook(c).trends(by.value, topic, company, since, until,
                                           kind="company" if companies else "topic")
                kind = "company" if (company or (companies and not topic)) else "topic"
        if format == Fmt.csv:
            return _csv(frame, f"trends-{by.value}")
        return {"by": by.value, "kind": kind, "rows": _frame_records(frame)}

    @app.get("/search", tags=["analytics"], responses={200: {"content": {"text/csv": {}}}})
    def search(q: str = Query(..., min_length=1, max_length=200), topic: Optional[str] = Query(None, max_length=64),
               company: Optional[str] = Query(None, max_length=64), since: Optional[str] = Query(None, max_length=10),
               until: Optional[str] = Query(None, max_length=10), limit: int = Query(20, ge=1, le=200),
               format: Fmt = Fmt.json):
        """Chinese full-text search (BM25 over jieba words, title weighs 5×), snippets with hits in 【】."""
        with corpus() as c:
            frame = notebook(c).search(q, limit=limit, topic=topic, company=company, since=since, until=until)
        if format == Fmt.csv:
            return _csv(frame, "search")
        return {"query": q, "items": _frame_records(frame)}

    @app.get("/stats", tags=["analytics"])
    def corpus_stats():
        """Issues, articles, pages, date range, and articles per topic and company."""
        with corpus() as c:
            return queries.stats(c.conn)

    @app.get("/taxonomy", tags=["models"])
    def taxonomy():
        """Topic and company keys with their Chinese names."""
        from models import load_taxonomy
        tax = load_taxonomy()
        return {"topics": [{"key": t.key, "name": t.name} for t in tax.topics],
                "companies": [{"key": c.key, "name": c.name} for c in tax.companies]}

    # ------------------------------------------------------------------ models

    @app.get("/models", tags=["models"])
    def list_models():
        """Registered model versions with their test-split macro-F1; `active` tags new uploads."""
        from models import active_version, list_models, read_meta
        from models.promotion import test_macro_f1
        d = settings.models_dir
        active = active_version(d)
        rows = []
        for version in list_models(d):
            meta = read_meta(d, version)
            rows.append({"version": version, "active": version == active, "created": meta.get("created"),
                         "test_macro_f1": round(test_macro_f1(meta), 4), "n_train": meta.get("n_train")})
        return {"active": active, "models": rows}

    @app.post("/models/{version}/promote", dependencies=[Depends(writer)], tags=["models"],
              responses={401: {}, 403: {}, 404: {}, 409: {"description": "Clearly worse than the active model"}})
    def promote_model(version: str = PathParam(..., max_length=64),
                      force: bool = Query(False, description="Promote even if clearly worse")):
        """Make VERSION the active model (refused if its test macro-F1 is clearly worse)."""
        from models.promotion import promote_checked
        with write_lock:
            return {"active": promote_checked(version, settings.models_dir, force)}

    return app


async def _spool(upload: UploadFile, dest: str, cap: int) -> tuple[str, int]:
    """Copy an upload to `dest` in chunks, hashing it; 413 past `cap` bytes."""
    digest, size = hashlib.sha256(), 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > cap:
                raise TooLarge(cap)
            digest.update(chunk)
            await run_in_threadpool(out.write, chunk)
    return digest.hexdigest(), size


def _label_keys() -> dict[str, tuple[str, ...]]:
    from models import load_taxonomy
    tax = load_taxonomy()
    return {"topic": tax.topic_keys, "company": tax.company_keys}


def _version() -> str:
    from importlib import metadata
    try:
        return metadata.version("jianbao")
    except metadata.PackageNotFoundError:
        return "0"
