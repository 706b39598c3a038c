"""The national API client: signed requests through an injected ``httpx.Client``, answers read defensively.

The national reply is treated as hostile (OWASP API10): the body is streamed under a size cap and a
total deadline, and a body that is cut off, too large, too slow or not JSON makes the outcome
*unknown*, never a success.
Transport exceptions are translated once, here, into an ``Answer`` with a failure and whether the
request may have left (``sent``): connection refused and connect timeouts provably did not.

Clock skew: the signature's timestamp must be within the national window (±300 s) of the national
clock. When the national side refuses a request with ``401 auth.timestamp``, the client takes the
offset between the answer's ``Date`` header and its own clock and signs later requests with it (the
refused request is retryable, so it goes again, corrected). A wrong ``Date`` can only cause more
401s, never a lost or duplicated record; a later ``auth.timestamp`` re-learns the offset.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from contracts.signing import SigningAuth, sign_headers

from .classify import Answer

__all__ = ["DEFAULT_TIMEOUT", "MAX_BODY", "NationalClient"]

log = logging.getLogger("hazlink.bridge")

MAX_BODY = 8 * 1024 * 1024
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)


class NationalClient:
    """Sends the bridge's operations to ``/api/v1``; the ``httpx.Client`` (with ``base_url``) is injected."""

    def __init__(
        self,
        http: httpx.Client,
        auth: SigningAuth,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_body: int = MAX_BODY,
        deadline: float = 120.0,
        prefix: str = "/api/v1",
        clock: Callable[[], float] = time.time,
        correct_skew: bool = True,
    ) -> None:
        self.http = http
        self.auth = auth
        self.timeout = timeout
        self.max_body = max_body
        self.deadline = deadline
        self.prefix = prefix
        self.clock = clock
        self.correct_skew = correct_skew
        self.skew = 0.0
        """Seconds the national clock is ahead of ``clock`` (learned from a ``401 auth.timestamp``)."""
        self._signer = _ClockedAuth(auth, lambda: self.clock() + self.skew)

    def __repr__(self) -> str:
        return f"NationalClient({self.http.base_url!s}, {self.auth!r})"

    def post(self, path: str, body: Any, idem_key: str) -> Answer:
        """``POST`` a JSON body with its Idempotency-Key."""
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Idempotency-Key": idem_key, "Content-Type": "application/json"}
        return self._call("POST", path, content=content, headers=headers)

    def put(self, path: str, body: Any, idem_key: str) -> Answer:
        """``PUT`` a JSON body with its Idempotency-Key (a draft manifest's new content)."""
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Idempotency-Key": idem_key, "Content-Type": "application/json"}
        return self._call("PUT", path, content=content, headers=headers)

    def get(self, path: str, params: dict[str, str] | None = None) -> Answer:
        """``GET`` a JSON document."""
        return self._call("GET", path, params=params)

    def _call(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Answer:
        started = time.monotonic()
        request = self.http.build_request(
            method, self.prefix + path, content=content, headers=headers, params=params, timeout=self.timeout
        )
        try:
            response = self.http.send(request, auth=self._signer, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            return Answer(failure=f"{type(exc).__name__}: {exc}", sent=False, elapsed=time.monotonic() - started)
        except httpx.HTTPError as exc:
            return Answer(failure=f"{type(exc).__name__}: {exc}", elapsed=time.monotonic() - started)
        try:
            raw = self._read(response, started + self.deadline)
        except httpx.HTTPError as exc:
            return Answer(failure=f"body lost: {type(exc).__name__}: {exc}", elapsed=time.monotonic() - started)
        except _TooLarge:
            return Answer(failure=f"body over {self.max_body} bytes", elapsed=time.monotonic() - started)
        except _TooSlow:
            return Answer(failure=f"body not read within {self.deadline} s", elapsed=time.monotonic() - started)
        finally:
            response.close()
        headers_out = {k.lower(): v for k, v in response.headers.items()}
        elapsed = time.monotonic() - started
        try:
            body = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):
            return Answer(status=response.status_code, headers=headers_out, failure="body is not JSON", elapsed=elapsed)
        if response.status_code == 401 and isinstance(body, dict) and body.get("code") == "auth.timestamp":
            self._learn_skew(headers_out.get("date"))
        return Answer(status=response.status_code, body=body, headers=headers_out, elapsed=elapsed)

    def _learn_skew(self, date: str | None) -> None:
        if not self.correct_skew or not date:
            return
        try:
            national = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            return
        # Date has whole seconds: the national clock was somewhere in [date, date + 1).
        self.skew = national + 0.5 - self.clock()
        log.warning("clock skew: the national clock is %+.0f s from ours; signing with that offset", self.skew)

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            if time.monotonic() > deadline:  # a trickling body (1 byte a second) never trips the read timeout
                raise _TooSlow
            chunks.append(chunk)
        return b"".join(chunks)


class _ClockedAuth(httpx.Auth):
    """Signs as ``SigningAuth`` does, with the timestamp taken from ``now`` (the client's corrected clock)."""

    def __init__(self, base: SigningAuth, now: Callable[[], float]) -> None:
        self.base = base
        self.now = now

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign the exact bytes sent and send them."""
        headers = sign_headers(
            app_key=self.base.app_key,
            # SigningAuth has no clock to inject, so the timestamp is signed here with its secret.
            secret=self.base._secret,
            method=request.method,
            path=request.url.raw_path.decode("ascii").split("?", 1)[0],
            query=request.url.query.decode("ascii"),
            body=request.read(),
            timestamp=int(self.now()),
            sign_method=self.base.sign_method,
        )
        request.headers.update(headers)
        yield request


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass
