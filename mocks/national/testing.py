"""In-process access to the mock for tests: an httpx transport, and a respx route, so no port is needed."""

from __future__ import annotations

from typing import Any

import httpx
import respx
from respx.handlers import ASGIHandler
from starlette.types import ASGIApp

from contracts.signing import sign_headers


def transport(app: ASGIApp) -> httpx.ASGITransport:
    """An httpx transport that hands requests to the mock's ASGI app (for ``httpx.AsyncClient``)."""
    return httpx.ASGITransport(app=app)


def route_to(router: respx.MockRouter, app: ASGIApp, base_url: str = "https://gfxt.hazlink.example") -> respx.Route:
    """Route every request for ``base_url`` through respx to the mock, e.g. inside ``respx.mock``.

    Code under test then talks to what looks like the national host, and respx records the calls
    (``route.calls``) for assertions.
    """
    return router.route(url__startswith=base_url).mock(side_effect=ASGIHandler(app))


class SigningAuth(httpx.Auth):
    """httpx auth that signs every request the way the national API requires."""

    def __init__(self, app_key: str, secret: str, *, sign_method: str = "HMAC-SM3") -> None:
        self.app_key = app_key
        self.secret = secret
        self.sign_method = sign_method

    def auth_flow(self, request: httpx.Request) -> Any:
        """Sign the exact bytes httpx is about to send."""
        body = request.read()
        request.headers.update(
            sign_headers(
                app_key=self.app_key,
                secret=self.secret,
                method=request.method,
                path=request.url.raw_path.decode("ascii").split("?", 1)[0],
                query=request.url.query.decode("ascii"),
                body=body,
                sign_method=self.sign_method,
            )
        )
        yield request
