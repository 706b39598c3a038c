"""Reference data (units, licences, approvals), health and per-day digests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from contracts import CONTRACT_VERSION
from contracts.canonical import digest_of

from ._common import Answer, Ctx, Raw, query_unit
from ._problems import Problem, not_found

_DIGEST_RESOURCES = ("labels", "ledger-records", "manifests", "operation-records")
_NAMES = {"unit": "unit", "license": "licence", "approval": "approval"}


def reference(kind: str, param: str) -> Callable[[Ctx], Awaitable[Answer]]:
    """A handler reading one kind of reference data by its key."""

    async def handler(ctx: Ctx) -> Answer:
        key = ctx.request.path_params[param]
        body = ctx.national.store.get_refdata(kind, key)
        if body is None:
            raise not_found(_NAMES[kind], key)
        return Answer(200, Raw(body))

    handler.__name__ = f"get_{kind}"
    handler.__doc__ = f"``GET`` one {_NAMES[kind]}."
    return handler


async def health(ctx: Ctx) -> Answer:
    """``GET /health``."""
    return Answer(
        200, {"status": "ok", "contract_version": CONTRACT_VERSION, "time": ctx.national.clock.now().isoformat()}
    )


async def digest(ctx: Ctx) -> Answer:
    """``GET /digests?resource=&unit=&date=``: count and SHA-256 of one unit's records of one day."""
    q = ctx.request.query_params
    resource, unit, day = q.get("resource"), query_unit(ctx.request), q.get("date")
    if resource not in _DIGEST_RESOURCES or not unit or not day:
        raise Problem(
            400,
            "request.query",
            f"resource (one of {', '.join(_DIGEST_RESOURCES)}), unit and date are required",
            "须提供 resource、unit 和 date",
        )
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Problem(400, "request.query", "date must be YYYY-MM-DD", "date 应为 YYYY-MM-DD") from None
    ctx.require_scope(unit, "unit")
    count, sha = digest_of(ctx.national.store.bodies_for_day(resource, unit, when.isoformat()))
    return Answer(200, {"resource": resource, "unit": unit, "date": when.isoformat(), "count": count, "sha256": sha})
