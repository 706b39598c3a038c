"""Authentication (signed requests), key scopes and per-key rate limits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from starlette.requests import Request

from contracts.signing import (
    HEADER_APP_KEY,
    HEADER_METHOD,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    METHODS,
    NONCE_RE,
    compute_signature,
    constant_time_equal,
    string_to_sign,
)

from ._problems import Problem
from .config import MockConfig


@dataclass(frozen=True)
class Scope:
    """What a key may touch: everything, some provinces, or some units."""

    everything: bool = False
    provinces: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Scope:
        """``*``, ``province:32[,33]`` or ``units:USCC,USCC``."""
        text = text.strip()
        if text == "*":
            return cls(everything=True)
        kind, _, values = text.partition(":")
        items = frozenset(v.strip() for v in values.split(",") if v.strip())
        if kind == "province" and items and all(len(v) == 2 and v.isdigit() for v in items):
            return cls(provinces=items)
        if kind == "units" and items:
            return cls(units=items)
        raise ValueError(f"scope {text!r}: use *, province:NN[,NN] or units:USCC[,USCC]")

    def render(self) -> str:
        """The text form ``parse`` reads."""
        if self.everything:
            return "*"
        if self.provinces:
            return "province:" + ",".join(sorted(self.provinces))
        return "units:" + ",".join(sorted(self.units))

    def covers(self, uscc: str, province: str | None) -> bool:
        """Whether a unit (with its province, when known) is inside the scope."""
        if self.everything:
            return True
        if self.units:
            return uscc in self.units
        return (province or uscc[2:4]) in self.provinces


@dataclass(frozen=True)
class Credential:
    """An app key, its secret and its scope."""

    app_key: str
    secret: str
    scope: Scope

    @classmethod
    def parse(cls, text: str) -> Credential:
        """``KEY:SECRET:SCOPE``, as ``--credential`` takes it (the scope may contain colons)."""
        key, sep1, rest = text.partition(":")
        secret, sep2, scope = rest.partition(":")
        if not (sep1 and sep2 and key and secret):
            raise ValueError("credential must be KEY:SECRET:SCOPE")
        return cls(key, secret, Scope.parse(scope))


def _unauthorized(code: str, title: str, title_zh: str) -> Problem:
    return Problem(401, code, title, title_zh, headers={"WWW-Authenticate": 'HzSignature realm="national"'})


def verify_signature(
    request: Request, body: bytes, credentials: dict[str, Credential], config: MockConfig, now: float | None = None
) -> tuple[Credential, str]:
    """Check the signature headers; returns the credential and the nonce (not yet recorded).

    Raises 401 problems with distinct codes: missing headers, unknown key, unsupported method,
    timestamp outside the window, malformed nonce, signature mismatch.
    """
    h = request.headers
    app_key, ts, nonce, signature = (
        h.get(HEADER_APP_KEY),
        h.get(HEADER_TIMESTAMP),
        h.get(HEADER_NONCE),
        h.get(HEADER_SIGNATURE),
    )
    if not (app_key and ts and nonce and signature):
        raise _unauthorized("auth.missing", "Signature headers missing", "缺少签名请求头")
    cred = credentials.get(app_key)
    if cred is None:
        raise _unauthorized("auth.unknown_key", "Unknown app key", "AppKey 不存在")
    method = h.get(HEADER_METHOD, "HMAC-SM3")
    if method not in METHODS:
        raise _unauthorized("auth.sign_method", "Unsupported sign method", "不支持的签名方法")
    if not ts.isdigit() or abs(int(ts) - (now if now is not None else time.time())) > config.timestamp_window_s:
        raise _unauthorized("auth.timestamp", "Timestamp outside the allowed window", "时间戳超出允许范围")
    if not NONCE_RE.match(nonce):
        raise _unauthorized("auth.nonce_invalid", "Nonce must be 16-64 letters or digits", "随机数格式错误")
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1").split("?", 1)[0]
    query = request.scope.get("query_string", b"").decode("latin-1")
    text = string_to_sign(request.method, path, query, body, ts, nonce, app_key, method)
    if not constant_time_equal(compute_signature(cred.secret, text, method), signature.lower()):
        raise _unauthorized("auth.signature", "Signature does not match the request", "签名与请求不符")
    return cred, nonce


@dataclass
class RateLimiter:
    """Token bucket per app key."""

    rate: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token; returns 0 when allowed, else the seconds until a token is free."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate
