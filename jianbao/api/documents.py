"""Documents: upload one bulletin (`POST /documents`) and ask what the corpus knows of a file."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Path as PathParam, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse

from corpus import queries
from errors import NotFound
from jianbao.api.access import TooLarge
from jianbao.api.dependencies import Service, service, writer
from jianbao.choices import OCR
from pipeline.uploads import Upload, display_name, import_upload

SHA256 = r"^[0-9a-f]{64}$"
CHUNK = 1 << 20
MEDIA = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".tif": "image/tiff", ".tiff": "image/tiff"}

router = APIRouter(tags=["documents"])


@router.post("/documents", status_code=201, dependencies=[Depends(writer)],
             responses={200: {"description": "Already in the corpus (present or duplicate issue)"},
                        401: {}, 403: {}, 413: {"description": "Over the size or page limit"},
                        415: {"description": "Not a PDF or image"}, 422: {"description": "Unreadable"}})
async def upload_document(file: UploadFile = File(..., description="A PDF, PNG, JPEG or TIFF"),
                          ocr: OCR = Query(OCR.auto, description="OCR pages without a text layer"),
                          svc: Service = Depends(service)):
    """Import one bulletin: parse, tag with the active model, store; returns the issue and its articles."""
    name = display_name(file.filename)
    folder = tempfile.mkdtemp(prefix="jianbao-upload-")
    try:
        path = os.path.join(folder, "upload")       # our name: the client's never becomes a path
        digest, size = await _spool(file, path, svc.config.max_upload_bytes)
        outcome = await import_upload(Upload(path, digest, size, name, ocr.value), svc.uploads, svc.destination)
        return JSONResponse(outcome.body, outcome.status)
    finally:
        await file.close()
        shutil.rmtree(folder, ignore_errors=True)


@router.get("/documents/{sha256}")
def get_document(sha256: str = PathParam(..., pattern=SHA256, description="sha256 of the file, hex"),
                 svc: Service = Depends(service)):
    """What the corpus knows about one file: status (imported, duplicate, failed), error, issue."""
    with svc.corpus() as c:
        doc = queries.get_document(c.conn, sha256)
        if doc is None:
            raise NotFound(f"no document {sha256}")
        doc["issue"] = queries.get_issue(c.conn, doc["issue_id"]) if doc["issue_id"] else None
    doc["source_file"] = doc.pop("path")
    return doc


@router.get("/documents/{sha256}/file", responses={404: {"description": "Unknown, or moved since import"}})
def document_file(sha256: str = PathParam(..., pattern=SHA256, description="sha256 of the file, hex"),
                  svc: Service = Depends(service)):
    """The source file of a stored document (the PDF or scan), from where it was imported."""
    with svc.corpus() as c:
        doc = queries.get_document(c.conn, sha256)
    path = Path(doc["path"]) if doc else None
    if path is None or not path.is_file():
        raise NotFound(f"the source file of {sha256} is not on this server" if doc else f"no document {sha256}")
    if _sha256_of(path) != sha256:
        raise NotFound(f"the file imported as {sha256} has changed since")
    return FileResponse(path, media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream"),
                        filename=path.name, content_disposition_type="inline")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
