"""Access control of the HTTP service: configuration from the environment, the bearer token
for writes, loopback-only reads, and the upload size cap enforced before a body is read."""

from __future__ import annotations

import dataclasses
import hmac
import ipaddress
import os

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
                                 # Plotly.js sets style attributes and adds a <style> of its own
                                 b"style-src 'self' 'unsafe-inline'; "
                                 b"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


# ---------------------------------------------------------------------------- configuration


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(value)


@dataclasses.dataclass(frozen=True, slots=True)
class ApiConfig:
    """The service's own knobs, from the environment (JIANBAO_*) unless given."""

    token: str | None = None                # JIANBAO_TOKEN: writes need it; unset = no writes
    public_reads: bool = False              # JIANBAO_PUBLIC_READS=1: reads from any client
    allowed_hosts: tuple[str, ...] = ()     # JIANBAO_ALLOWED_HOSTS: more Host names for local reads
    max_upload_bytes: int = 50 * 1024 * 1024    # JIANBAO_MAX_UPLOAD_MB (50)
    max_pages: int = 100                    # JIANBAO_MAX_PAGES
    upload_seconds: float = 300.0           # JIANBAO_UPLOAD_SECONDS: parse+tag time per upload
    upload_memory_mb: int = 8192            # JIANBAO_UPLOAD_MEMORY_MB: per parsing worker
    upload_workers: int = 2                 # JIANBAO_UPLOAD_WORKERS; 0 = parse in a thread, unguarded
    header_seconds: float = 10.0            # JIANBAO_HEADER_SECONDS: a request's headers must arrive in time
    body_seconds: float = 120.0             # JIANBAO_BODY_SECONDS: and its body (408 after)

    @classmethod
    def from_env(cls) -> "ApiConfig":
        return cls(
            token=os.environ.get("JIANBAO_TOKEN") or None,
            public_reads=os.environ.get("JIANBAO_PUBLIC_READS", "").strip().lower() in ("1", "true", "yes"),
            allowed_hosts=tuple(h.strip().lower() for h in os.environ.get("JIANBAO_ALLOWED_HOSTS", "").split(",")
                                if h.strip()),
            max_upload_bytes=_env_int("JIANBAO_MAX_UPLOAD_MB", 50) * 1024 * 1024,
            max_pages=_env_int("JIANBAO_MAX_PAGES", 100),
            upload_seconds=float(_env_int("JIANBAO_UPLOAD_SECONDS", 300)),
            upload_memory_mb=_env_int("JIANBAO_UPLOAD_MEMORY_MB", 8192),
            upload_workers=_env_int("JIANBAO_UPLOAD_WORKERS", 2),
            header_seconds=float(_env_int("JIANBAO_HEADER_SECONDS", 10)),
            body_seconds=float(_env_int("JIANBAO_BODY_SECONDS", 120)),
        )


# ---------------------------------------------------------------------------- access control


def write_refusal(config: ApiConfig, authorization: str | None) -> tuple[int, str] | None:
    """Why a write is refused (status, message), or None if the bearer token is right."""
    if not config.token:
        return 403, "writes are disabled on this server: start it with JIANBAO_TOKEN set"
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return 401, "this endpoint needs the header `Authorization: Bearer <token>`"
    if not hmac.compare_digest(given.strip().encode(), config.token.encode()):
        return 401, "wrong token"
    return None


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):                       # [::1]:8000
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_loopback(name: str) -> bool:
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def local_client(scope, config: ApiConfig) -> bool:
    """A loopback client addressing us by a loopback name (a rebinding DNS name is not local)."""
    client = scope.get("client")
    if not client or not _is_loopback(str(client[0])):
        return False
    host = _host_name(_header(scope, b"host") or "")
    return _is_loopback(host) or host in config.allowed_hosts


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class TooLarge(HTTPException):
    """Raised from the body stream; FastAPI passes HTTPExceptions through its body parsing."""

    def __init__(self, cap: int):
        super().__init__(413, f"the upload is larger than the {cap / (1024 * 1024):g} MB limit")


class Guard:
    """ASGI middleware run before any body is read: access rules, the upload byte cap, and
    security headers on every response."""

    def __init__(self, app, config: ApiConfig):
        self.app = app
        self.config = config

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        refusal = self.refusal(scope)
        if refusal:
            status, detail = refusal
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return await JSONResponse({"detail": detail}, status, headers)(scope, receive, send_with_headers)
        if scope["method"] == "POST" and scope["path"].rstrip("/") == "/documents":
            return await self.capped(scope, receive, send_with_headers)
        await self.app(scope, receive, send_with_headers)

    def refusal(self, scope) -> tuple[int, str] | None:
        authorization = _header(scope, b"authorization")
        if scope["method"] not in SAFE_METHODS:
            return write_refusal(self.config, authorization)
        if self.config.public_reads or local_client(scope, self.config):
            return None
        if authorization and write_refusal(self.config, authorization) is None:
            return None
        return 403, ("reads are open only to clients on this machine that address it as localhost or "
                     "127.0.0.1 (JIANBAO_ALLOWED_HOSTS adds names): use the token, or start the server "
                     "with JIANBAO_PUBLIC_READS=1")

    async def capped(self, scope, receive, send):
        """Refuse an upload over the cap from its Content-Length, or as soon as more arrives."""
        cap = self.config.max_upload_bytes + 64 * 1024           # room for the multipart framing
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > cap:
            return await self.too_large(scope, receive, send)
        seen = 0

        async def counting():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > cap:
                raise TooLarge(self.config.max_upload_bytes)
            return message

        tracked = Tracked(send)
        try:
            await self.app(scope, counting, tracked)
        except TooLarge:
            if not tracked.started:
                await self.too_large(scope, receive, send)

    async def too_large(self, scope, receive, send):
        error = TooLarge(self.config.max_upload_bytes)
        await JSONResponse({"detail": error.detail}, 413)(scope, receive, send)


bearer = HTTPBearer(auto_error=False, description="JIANBAO_TOKEN of the server")


class Tracked:
    """An ASGI `send` that remembers whether the response has started: an error raised after
    that can only be logged, not answered."""

    def __init__(self, send):
        self.send = send
        self.started = False

    async def __call__(self, message):
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)
