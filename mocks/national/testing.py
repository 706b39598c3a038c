"""In-process access to the mock for tests: an httpx transport, and a respx route, so no port is needed."""

from __future__ import annotations

import httpx
import respx
from respx.handlers import ASGIHandler
from starlette.types import ASGIApp

from contracts.signing import SigningAuth


def transport(app: ASGIApp) -> httpx.ASGITransport:
    """An httpx transport that hands requests to the mock's ASGI app (for ``httpx.AsyncClient``)."""
    return httpx.ASGITransport(app=app)


def route_to(router: respx.MockRouter, app: ASGIApp, base_url: str = "https://gfxt.hazlink.example") -> respx.Route:
    """Route every request for ``base_url`` through respx to the mock, e.g. inside ``respx.mock``.

    Code under test then talks to what looks like the national host, and respx records the calls
    (``route.calls``) for assertions.
    """
    return router.route(url__startswith=base_url).mock(side_effect=ASGIHandler(app))


__all__ = ["SigningAuth", "route_to", "transport"]
