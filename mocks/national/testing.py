"""In-process access to the mock for tests: an httpx transport, and a respx route, so no port is needed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import respx
from respx.handlers import ASGIHandler
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts.signing import SigningAuth

from .server import running


def transport(app: ASGIApp) -> httpx.ASGITransport:
    """An httpx transport that hands requests to the mock's ASGI app (for ``httpx.AsyncClient``)."""
    return httpx.ASGITransport(app=app)


def route_to(router: respx.MockRouter, app: ASGIApp, base_url: str = "https://gfxt.hazlink.example") -> respx.Route:
    """Route every request for ``base_url`` through respx to the mock, e.g. inside ``respx.mock``.

    Code under test then talks to what looks like the national host, and respx records the calls
    (``route.calls``) for assertions.
    """
    return router.route(url__startswith=base_url).mock(side_effect=ASGIHandler(app))


class AppSwitch:
    """An ASGI app handing every request to the app in ``self.app``.

    Serving one switch for a whole test session and pointing it at each test's fresh mock saves the
    server start per test (about a quarter of a second) while keeping state per test.
    """

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer the lifespan protocol itself; pass everything else to the current app."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if self.app is None:
            raise RuntimeError("no mock app is being served")
        await self.app(scope, receive, send)


class OneLineErrors(logging.Filter):
    """Log a crash of the served app as one line, without formatting its traceback in the server thread.

    On Python 3.11 formatting a traceback calls ``ast.parse``, whose recursion bookkeeping is not
    thread-safe: a traceback formatted by uvicorn while pytest formats a failure in the main thread
    can end the session with ``SystemError: AST constructor recursion depth mismatch``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Fold the exception into the message."""
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}: {record.exc_info[1]!r}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


@contextmanager
def serving_switch() -> Iterator[tuple[AppSwitch, str]]:
    """Serve an ``AppSwitch`` on a free loopback port for the block; yields it and its base URL."""
    switch = AppSwitch()
    quiet = OneLineErrors()
    with running(switch) as url:
        logging.getLogger("uvicorn.error").addFilter(quiet)
        try:
            yield switch, url
        finally:
            logging.getLogger("uvicorn.error").removeFilter(quiet)


__all__ = ["AppSwitch", "OneLineErrors", "SigningAuth", "route_to", "serving_switch", "transport"]
