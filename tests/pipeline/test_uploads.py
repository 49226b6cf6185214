"""One upload through the library, without HTTP: stored under the client's label, or refused
with a named error and (for a file that is not a bulletin) a failure recorded in the corpus."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from corpus import queries
from errors import EmptyFile, NoActiveModel, TooManyPages, UnsupportedFile, UploadFailed
from pipeline.resources import open_corpus
from pipeline.uploads import Destination, Upload, Uploads, import_upload, public_message
from tests.conftest import ROOT

SAMPLE = ROOT / "examples" / "2025-06.pdf"


@pytest.fixture
def dest(tmp_path, models_dir) -> Destination:
    return Destination(tmp_path / "corpus.db", models_dir)


def spooled(tmp_path, data: bytes, name: str) -> Upload:
    path = tmp_path / "spool" / "upload"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return Upload(str(path), hashlib.sha256(data).hexdigest(), len(data), name)


def run(upload: Upload, dest: Destination, uploads: Uploads | None = None):
    return asyncio.run(import_upload(upload, uploads or Uploads(0), dest))


def test_a_bulletin_is_stored_under_its_label_then_present(tmp_path, dest):
    outcome = run(spooled(tmp_path, SAMPLE.read_bytes(), "简报.pdf"), dest)
    assert outcome.status == 201 and outcome.body["status"] == "imported"
    assert outcome.body["issue"]["source_file"] == "简报.pdf" and len(outcome.body["articles"]) == 10
    again = run(spooled(tmp_path, SAMPLE.read_bytes(), "again.pdf"), dest)
    assert (again.status, again.body["status"], again.body["issue"]["issue_id"]) == (200, "present", "2025-06")


def test_refusals_name_the_label_never_the_spool_path(tmp_path, dest):
    with pytest.raises(EmptyFile, match="^e.pdf: the file is empty$"):
        run(spooled(tmp_path, b"", "e.pdf"), dest)
    junk = spooled(tmp_path, b"root:x:0:0", "passwd")
    with pytest.raises(UnsupportedFile) as caught:
        run(junk, dest)
    assert caught.value.http_status == 415 and str(caught.value).startswith("passwd: unsupported file type")
    truncated = spooled(tmp_path, SAMPLE.read_bytes()[:2000], "bad.pdf")
    with pytest.raises(UploadFailed) as caught:
        run(truncated, dest)
    assert str(caught.value).startswith("bad.pdf: not a readable PDF") and "spool" not in str(caught.value)
    with open_corpus(dest.corpus_path) as corpus:
        failed = {d: queries.get_document(corpus.conn, d) for d in (junk.digest, truncated.digest)}
    assert [(f["status"], f["path"]) for f in failed.values()] == [("failed", "passwd"), ("failed", "bad.pdf")]
    assert failed[junk.digest]["error"].startswith("passwd: unsupported file type")
    assert failed[truncated.digest]["error"].startswith("not a readable PDF")


def test_the_page_cap_and_a_missing_model(tmp_path, dest):
    with pytest.raises(TooManyPages, match="long.pdf: 6 pages, more than the 2-page limit") as caught:
        run(spooled(tmp_path, SAMPLE.read_bytes(), "long.pdf"), dest, Uploads(0, max_pages=2))
    assert (caught.value.pages, caught.value.limit, caught.value.http_status) == (6, 2, 413)
    empty = Destination(dest.corpus_path, tmp_path / "no-models")
    with pytest.raises(NoActiveModel, match="jianbao train") as caught:
        run(spooled(tmp_path, SAMPLE.read_bytes(), "x.pdf"), empty)
    assert caught.value.http_status == 503


def test_public_message_hides_server_paths(tmp_path):
    models, db = tmp_path / "models", tmp_path / "c.db"
    assert public_message(f"no model in {models}; see {db}", models, db) == "no model in <models>; see <corpus>"

