"""Inspection and control under ``/_mock`` (only when enabled): journal, seed, reset, clock, faults."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from contracts._base import EARLIEST, LATEST, Timestamp
from contracts._schema_errors import errors_to_findings

from . import journal
from ._common import National
from ._problems import Problem, invalid
from .faults import FaultRule
from .seed import SeedIn, load


class ClockIn(BaseModel):
    """``POST /_mock/clock``: set (optionally frozen), advance, or reset the clock."""

    set: Timestamp | None = None
    freeze: bool = False
    advance_s: float | None = Field(default=None, ge=-100 * 366 * 86400, le=100 * 366 * 86400)
    reset: bool = False


def routes(national: National) -> list[BaseRoute]:
    """The control routes bound to ``national``."""

    def guarded(fn: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            token = national.config.control_token
            if token and request.headers.get("X-Hz-Admin-Token") != token:
                return Problem(
                    403, "control.token", "Control API needs the admin token", "控制接口需要管理令牌"
                ).response()
            try:
                return await fn(request)
            except Problem as p:
                return p.response(request.url.path)

        run.__name__ = fn.__name__
        return run

    async def parse(request: Request, model: type[BaseModel]) -> BaseModel:
        try:
            return model.model_validate_json(await request.body() or b"{}")
        except ValidationError as exc:
            raise invalid(errors_to_findings(exc)) from None

    async def get_journal(request: Request) -> Response:
        after = request.query_params.get("after", "0")
        limit = request.query_params.get("limit", "1000")
        if not (after.isdigit() and limit.isdigit()):
            raise Problem(400, "request.query", "after and limit must be integers", "after 与 limit 应为整数")
        return JSONResponse({"entries": journal.read(national.store, int(after), min(int(limit), 10000))})

    async def post_seed(request: Request) -> Response:
        seed = await parse(request, SeedIn)
        assert isinstance(seed, SeedIn)
        return JSONResponse({"loaded": load(national.store, seed)})

    async def post_reset(request: Request) -> Response:
        national.reset()
        return JSONResponse({"reset": True})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            body = await parse(request, ClockIn)
            assert isinstance(body, ClockIn)
            if body.reset:
                national.clock.reset()
            if body.set is not None:
                national.clock.set(body.set, freeze=body.freeze)
            if body.advance_s is not None:
                before = national.clock.now()
                national.clock.advance(body.advance_s)
                if not EARLIEST <= national.clock.now() < LATEST:
                    national.clock.set(before, freeze=national.clock.frozen is not None)
                    raise Problem(
                        422, "clock.range", "The clock must stay within 1980-2099", "时钟须在 1980-2099 年之间"
                    )
        return JSONResponse({"now": national.clock.now().isoformat(), "frozen": national.clock.frozen is not None})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            rule = await parse(request, FaultRule)
            assert isinstance(rule, FaultRule)
            national.faults.add(rule)
        elif request.method == "DELETE":
            national.faults.clear()
        return JSONResponse({"faults": national.faults.describe()})

    async def state(request: Request) -> Response:
        store = national.store
        counts = {
            r: store.count(r)
            for r in ("labels", "ledger-records", "manifests", "operation-records", "operation-reports")
        }
        return JSONResponse({"records": counts, "credentials": sorted(store.credentials())})

    return [
        Route("/_mock/journal", guarded(get_journal), methods=["GET"]),
        Route("/_mock/seed", guarded(post_seed), methods=["POST"]),
        Route("/_mock/reset", guarded(post_reset), methods=["POST"]),
        Route("/_mock/clock", guarded(clock), methods=["GET", "POST"]),
        Route("/_mock/faults", guarded(faults), methods=["GET", "POST", "DELETE"]),
        Route("/_mock/state", guarded(state), methods=["GET"]),
    ]
