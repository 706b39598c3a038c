"""The ASGI application: the request pipeline around every national route.

Order of checks for every ``/api/v1`` request: faults that answer first (outage, 429), body size
(413), authentication (401), rate limit (429), the Idempotency-Key of a POST or PUT (400/409/422 on reuse),
then the route itself (body and scope: 422/403/404/409). Every request is journalled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

from pydantic_core import to_json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from contracts.openapi import load_openapi
from contracts.signing import HEADER_APP_KEY

from . import control, idempotency, journal
from . import routes_labels as labels
from . import routes_ledger as ledger
from . import routes_manifests as manifests
from . import routes_operations as operations
from . import routes_ref as ref
from ._common import Answer, Ctx, National, Raw
from ._problems import Problem
from .auth import verify_signature
from .config import MockClock, MockConfig
from .faults import POST, PRE, FaultPlan, FaultRule, retry_after
from .store import Store

log = logging.getLogger("hazlink.mock")
Handler = Callable[[Ctx], Awaitable[Answer]]
PREFIX = "/api/v1"
LIST = ("unit", "updated_since", "cursor", "limit")


class _Drop(Exception):
    """Raised to abort the connection after the answer started (dropped or truncated)."""


def _render(answer: Answer) -> tuple[int, dict[str, str], bytes]:
    body = answer.body.encode() if isinstance(answer.body, Raw) else to_json(answer.body)
    return answer.status, {"content-type": "application/json", **answer.headers}, body


class NationalApp:
    """Wraps the national routes with faults, authentication, idempotency and the journal."""

    def __init__(self, national: National) -> None:
        self.national = national
        self.not_before = national.not_before

    def endpoint(
        self, handler: Handler, *, public: bool = False, query: frozenset[str] = frozenset()
    ) -> Callable[[Request], Awaitable[Response]]:
        """A Starlette endpoint running ``handler`` inside the pipeline.

        ``public``: no signature needed; ``query``: the query parameters the route takes (others are 400).
        """

        async def run(request: Request) -> Response:
            if public:
                status, headers, content = _render(
                    await handler(Ctx(self.national, request, b"", None, journal.Entry(0, "", "")))
                )
                return Response(content, status, headers)
            return await self._pipeline(request, handler, query)

        run.__name__ = handler.__name__
        return run

    async def _pipeline(self, request: Request, handler: Handler, query: frozenset[str]) -> Response:
        n = self.national
        entry = journal.Entry(time.time(), request.method, request.url.path, business_at=n.clock.now().timestamp())
        try:
            response = await self._run(request, handler, entry, query)
        except Problem as problem:
            entry.status, entry.code = problem.status, problem.code
            response = problem.response(request.url.path)
        except _Drop:
            journal.write(n.store, entry, time.time())
            raise
        except Exception:
            # A crash of the mock is a defect; it is journalled and answered as a problem, never hidden.
            log.exception("mock crashed on %s %s", request.method, request.url.path)
            entry.status, entry.code = 500, "internal"
            response = Problem(500, "internal", "Internal error of the mock", "模拟系统内部错误").response(
                request.url.path
            )
        else:
            entry.status = entry.status or response.status_code
            entry.code = entry.code or "ok"
        journal.write(n.store, entry, time.time())
        return response

    async def _run(self, request: Request, handler: Handler, entry: journal.Entry, query: frozenset[str]) -> Response:
        n = self.national
        path = request.url.path
        # A caller told to wait by a 429 and back before the stated time is flagged in the journal.
        claimed = request.headers.get(HEADER_APP_KEY, "")
        entry.app_key = claimed or None  # replaced by the verified key once the signature holds
        if time.time() < self.not_before.get(claimed, 0.0):
            entry.early_retry = True
        for rule in n.faults.take(request.method, path, PRE):
            entry.fault = rule.kind
            if rule.kind == "rate_limit":
                self.not_before[claimed] = time.time() + rule.retry_after_s
                raise Problem(
                    429,
                    "fault.rate_limited",
                    "Too many requests (fault)",
                    "请求过多（注入故障）",
                    headers={"Retry-After": retry_after(rule)},
                )
            raise Problem(
                rule.status,
                "fault.unavailable",
                "The national system is unavailable (fault)",
                "国家系统暂不可用（注入故障）",
                headers={"Retry-After": str(rule.retry_after_s)},
            )
        body = await _read_body(request, n.config.max_body_bytes)
        creds = n.store.credentials()
        cred, nonce = verify_signature(request, body, creds, n.config)
        entry.app_key = cred.app_key
        entry.disclosed = _discloses(request, body, cred.secret)
        if not n.store.remember_nonce(cred.app_key, nonce, time.time(), n.config.nonce_ttl_s):
            raise Problem(
                401,
                "auth.nonce_replayed",
                "Nonce already used",
                "随机数已被使用",
                headers={"WWW-Authenticate": 'HzSignature realm="national"'},
            )
        wait = n.limiter.take(cred.app_key)
        if wait > 0:
            seconds = max(1, round(wait + 0.5))
            self.not_before[cred.app_key] = time.time() + seconds
            raise Problem(
                429,
                "rate_limited",
                "Rate limit exceeded for this key",
                "该密钥请求频率超限",
                headers={"Retry-After": str(seconds)},
            )
        unknown = sorted(set(request.query_params) - query)
        if unknown:
            raise Problem(
                400, "request.query_unknown", f"Unknown query parameter {unknown[0]!r}", f"未知的查询参数 {unknown[0]}"
            )
        ctx = Ctx(n, request, body, cred, entry)
        if request.method not in ("POST", "PUT"):
            return await self._call(ctx, handler, request.method, path)
        key = idempotency.check_key(request.headers.get("Idempotency-Key"))
        entry.idem_key = key
        fp = idempotency.fingerprint(request.method, path + "?" + request.url.query, body)
        now = n.clock.now().timestamp()
        stored = idempotency.begin(n.store, cred.app_key, key, fp, now, n.config.idempotency_ttl_s)
        if stored is not None:
            entry.replayed = True
            entry.status = stored.status
            entry.code = "replayed"
            return Response(stored.body, stored.status, {**stored.headers, "Idempotent-Replayed": "true"})
        business = n.faults.take(request.method, path, {"business_error"})
        if business:
            # The legacy national service answered 200 with an error code and stored nothing.
            idempotency.abandon(n.store, cred.app_key, key)
            entry.fault, entry.code = "business_error", "fault.business_error"
            return _business_error()
        try:
            for rule in n.faults.take(request.method, path, {"latency"}):
                entry.fault = "latency"
                await asyncio.sleep(rule.latency_ms / 1000)
            try:
                answer = await handler(ctx)
                status, headers, content = _render(answer)
            except Problem as problem:
                status, headers = problem.status, {**problem.headers, "content-type": "application/problem+json"}
                content = json.dumps(problem.body(path), ensure_ascii=False).encode()
                entry.code = problem.code
            idempotency.finish(n.store, cred.app_key, key, idempotency.Stored(status, headers, content))
        except BaseException:
            idempotency.abandon(n.store, cred.app_key, key)
            raise
        entry.status = status
        return self._post_faults(request, path, entry, Response(content, status, headers))

    async def _call(self, ctx: Ctx, handler: Handler, method: str, path: str) -> Response:
        if self.national.faults.take(method, path, {"business_error"}):
            ctx.entry.fault, ctx.entry.code = "business_error", "fault.business_error"
            return _business_error()
        for rule in self.national.faults.take(method, path, {"latency"}):
            ctx.entry.fault = "latency"
            await asyncio.sleep(rule.latency_ms / 1000)
        status, headers, content = _render(await handler(ctx))
        return self._post_faults(ctx.request, path, ctx.entry, Response(content, status, headers))

    def _post_faults(self, request: Request, path: str, entry: journal.Entry, response: Response) -> Response:
        for rule in self.national.faults.take(request.method, path, POST):
            entry.fault = rule.kind
            if rule.kind == "commit_then_fail" and rule.mode == "error":
                entry.status, entry.code = rule.status, "fault.commit_then_fail"
                return Problem(
                    rule.status,
                    "fault.unavailable",
                    "The national system is unavailable (fault)",
                    "国家系统暂不可用（注入故障）",
                ).response(path)
            return _Aborting(
                bytes(response.body), response.status_code, dict(response.headers), truncate=rule.kind == "truncate"
            )
        return response


def _business_error() -> Response:
    return JSONResponse({"success": False, "code": "05", "message": "上传失败 upload failed"}, 200)


class _Aborting(Response):
    """A response that breaks off: after its headers (drop) or half-way through its body (truncate)."""

    def __init__(self, content: bytes, status: int, headers: dict[str, str], *, truncate: bool) -> None:
        super().__init__(content, status, headers)
        self.truncate = truncate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Once the answer has started, an exception makes the server close the connection instead of
        # answering 500: the client is left with a broken exchange, whose outcome it cannot know.
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if self.truncate:
            await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})
        raise _Drop("connection dropped by fault")


def _discloses(request: Request, body: bytes, secret: str) -> bool:
    """Whether the secret travels in clear: a signed caller never needs to send it (reliability.md, keys)."""
    needle = secret.encode()
    if needle in body or secret in request.url.query:
        return True
    return any(secret in value for name, value in request.headers.items() if name.lower() != "x-hz-signature")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    too_large = Problem(413, "request.too_large", f"Body above {limit} bytes", f"请求体超过 {limit} 字节")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    store: Store | None = None,
    config: MockConfig | None = None,
    *,
    clock: MockClock | None = None,
    faults: FaultPlan | None = None,
) -> Starlette:
    """The mock national API as an ASGI app; ``app.state.national`` holds its state for tests."""
    config = config or MockConfig()
    if config.label_scheme.unit != 18:
        # The mock builds label ids from the producer's credit code, so that segment is 18 characters.
        raise ValueError("the mock's label id scheme needs an 18-character unit segment (the credit code)")
    national = National(store or Store(), config, clock or MockClock(), faults or FaultPlan())
    app_ = NationalApp(national)

    def path(template: str, query: tuple[str, ...] = (), **handlers: Handler) -> Route:
        # One route per path, dispatching on the method, so that a 405 lists every method of the path.
        # Query parameters belong to the GET of a path; a POST takes none.
        endpoints = {
            m: app_.endpoint(h, public=(template == "/health"), query=frozenset(query if m == "GET" else ()))
            for m, h in handlers.items()
        }

        async def dispatch(request: Request) -> Response:
            return await endpoints[request.method](request)

        return Route(PREFIX + template, dispatch, methods=list(handlers))

    routes: list[BaseRoute] = [
        path("/health", GET=ref.health),
        path("/units/{uscc}", GET=ref.reference("unit", "uscc")),
        path("/licenses/{number}", GET=ref.reference("license", "number")),
        path("/transfer-approvals/{number}", GET=ref.reference("approval", "number")),
        path("/labels", LIST, POST=labels.issue_label, GET=labels.list_labels),
        path("/labels/{label_id}", GET=labels.get_label),
        path("/ledger-records", (*LIST, "kind"), POST=ledger.submit_batch, GET=ledger.list_ledger),
        path("/manifests", LIST, POST=manifests.create_manifest, GET=manifests.list_manifests),
        path("/manifests/{manifest_no}", GET=manifests.get_manifest, PUT=manifests.update_manifest),
        path(
            "/manifests/{manifest_no}/tracks",
            ("cursor", "limit"),
            POST=manifests.append_tracks,
            GET=manifests.list_tracks,
        ),
        path("/manifests/{manifest_no}/{action}", POST=manifests.manifest_action),
        path("/operation-records", LIST, POST=operations.book_record, GET=operations.list_records),
        path("/operation-reports", LIST, POST=operations.file_report, GET=operations.list_reports),
        path("/digests", ("resource", "unit", "date"), GET=ref.digest),
        Route("/openapi.json", _openapi, methods=["GET"]),
    ]
    if national.config.control:
        routes += control.routes(national)
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed, 500: _crash})
    app.state.national = national
    return app


async def _openapi(request: Request) -> Response:
    return JSONResponse(load_openapi())


async def _not_found(request: Request, exc: Exception) -> Response:
    return Problem(404, "not_found", "No such route", "没有该接口").response(request.url.path)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    headers = dict(getattr(exc, "headers", None) or {})  # Starlette lists the route's methods in Allow
    return Problem(405, "method_not_allowed", "Method not allowed", "不支持该请求方法", headers=headers).response(
        request.url.path
    )


async def _crash(request: Request, exc: Exception) -> Response:
    return Problem(500, "internal", "Internal error of the mock", "模拟系统内部错误").response(request.url.path)


__all__ = ["FaultRule", "create_app"]
