"""Serve any Python driver over the HTTP driver protocol (``hazlink certify serve-reference`` uses it).

A vendor whose integration is Python can wrap it the same way; others implement the five routes in
their own stack (see ``conformance.suite.driver`` for the protocol).
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .driver import Driver, Event, Session

__all__ = ["driver_app"]


def driver_app(driver: Driver) -> Starlette:
    """An ASGI app answering ``/driver/v1/*`` by calling ``driver`` (calls run in a worker thread)."""

    async def parse(request: Request, model: type[BaseModel]) -> BaseModel | Response:
        try:
            return model.model_validate_json(await request.body())
        except ValidationError as exc:
            return JSONResponse({"error": "invalid body", "detail": exc.errors(include_url=False)}, status_code=422)

    async def info(request: Request) -> Response:
        info = await asyncio.to_thread(driver.info)
        # over HTTP the subject keeps its own clock, whatever it could share in-process
        info.capabilities = [c for c in info.capabilities if c != "shared_clock"]
        return JSONResponse(info.model_dump(mode="json"))

    async def session(request: Request) -> Response:
        body = await parse(request, Session)
        if isinstance(body, Response):
            return body
        assert isinstance(body, Session)
        await asyncio.to_thread(driver.start, body)
        return JSONResponse({"started": True})

    async def events(request: Request) -> Response:
        body = await parse(request, Event)
        if isinstance(body, Response):
            return body
        assert isinstance(body, Event)
        result = await asyncio.to_thread(driver.perform, body)
        return JSONResponse(result.model_dump(mode="json"))

    async def status(request: Request) -> Response:
        return JSONResponse((await asyncio.to_thread(driver.status)).model_dump(mode="json"))

    async def stop(request: Request) -> Response:
        await asyncio.to_thread(driver.stop)
        return JSONResponse({"stopped": True})

    return Starlette(
        routes=[
            Route("/driver/v1/info", info, methods=["GET"]),
            Route("/driver/v1/session", session, methods=["POST"]),
            Route("/driver/v1/events", events, methods=["POST"]),
            Route("/driver/v1/status", status, methods=["GET"]),
            Route("/driver/v1/stop", stop, methods=["POST"]),
        ]
    )
