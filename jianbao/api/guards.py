"""What keeps slow or failing requests from holding the service: a time limit for a request's
headers and one for its body (300 sockets trickling a byte at a time were all held before,
issue 18), and one JSON 500 with an id for any error nothing else handled, logged once.

uvicorn only times out idle keep-alive connections (`--timeout-keep-alive`): a client that
sends a header byte now and then is never dropped. `head_timeout_protocol` is uvicorn's h11
protocol with a deadline from the connection's first byte (or the end of the previous response)
to the end of the request's headers; `BodyDeadline` gives the whole body a deadline and
answers 408 when it passes.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from uvicorn.protocols.http.h11_impl import H11Protocol

from jianbao.api.access import Tracked

log = logging.getLogger("jianbao.api")


def head_timeout_protocol(seconds: float) -> type:
    """uvicorn's h11 protocol, closing a connection whose request headers take over `seconds`."""
    return type("HeadTimeoutH11", (_HeadTimeoutH11,), {"head_seconds": seconds})


class _HeadTimeoutH11(H11Protocol):
    head_seconds = 10.0
    _head_timer = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()                    # the headers are complete: the app has the request

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()                           # the next request's headers get the same limit

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        if not self.transport.is_closing():
            self.logger.info("%s: request headers not received in %g s: closed",
                             "%s:%d" % self.client if self.client else "client", self.head_seconds)
            self.transport.close()


class BodyDeadline:
    """ASGI middleware: the request body must arrive within `seconds` of the request, else 408."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        body_done = False

        async def timed_receive():
            nonlocal body_done
            if body_done:                    # later reads wait for a disconnect: no deadline
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise BodyTooSlow(self.seconds) from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        tracked = Tracked(send)
        try:
            await self.app(scope, timed_receive, tracked)
        except BodyTooSlow as exc:                 # raised where no handler turned it into a 408
            if not tracked.started:
                await JSONResponse({"detail": exc.detail}, 408)(scope, receive, send)


class BodyTooSlow(HTTPException):
    """An HTTPException, so that FastAPI's body parsing passes it on (as the 408 it is)
    instead of calling it a parse error."""

    def __init__(self, seconds: float):
        super().__init__(408, f"the request body did not arrive within {seconds:g} s")


class InternalErrors:
    """ASGI middleware: an exception no handler turned into a response becomes a JSON 500 with
    an id, logged here once with its traceback (Starlette's own handler for Exception answers,
    then re-raises, so the server logged each error a second time)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        tracked = Tracked(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception:
            error_id = uuid.uuid4().hex[:12]
            log.exception("error %s: %s %s", error_id, scope.get("method"), scope.get("path"))
            if not tracked.started:
                await JSONResponse({"detail": f"internal error (logged on the server as {error_id})",
                                    "error_id": error_id}, 500)(scope, receive, send)
