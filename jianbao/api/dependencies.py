"""What the routers share, built once by `create_app` and kept on `app.state`: settings, the
service's config, the upload workers and the write lock; handed to routes as dependencies."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Optional

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials

from corpus.store import Corpus
from jianbao.api.access import ApiConfig, bearer, write_refusal
from pipeline.resources import open_corpus
from pipeline.settings import Settings
from pipeline.uploads import Destination, Uploads, public_message


@dataclass(frozen=True, slots=True)
class Service:
    settings: Settings
    config: ApiConfig
    uploads: Uploads
    write_lock: threading.Lock = field(default_factory=threading.Lock)   # one writer at a time

    def corpus(self) -> Corpus:
        """One connection per request: open it with `with` in the thread that uses it."""
        return open_corpus(self.settings.db)

    @property
    def destination(self) -> Destination:
        return Destination(self.settings.db, self.settings.models_dir, self.write_lock)

    def public(self, message: str) -> str:
        """An error message without the server's own paths."""
        return public_message(message, self.settings.models_dir, self.settings.db)


async def service(request: Request) -> Service:
    return request.app.state.service


def writer(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer),
           svc: Service = Depends(service)) -> None:
    """Checked by Guard before the body is read; declared here for the OpenAPI schema."""
    header = f"{credentials.scheme} {credentials.credentials}" if credentials else None
    refusal = write_refusal(svc.config, header)
    if refusal:
        raise HTTPException(refusal[0], refusal[1])
