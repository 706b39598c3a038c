"""A small signed client for the mock national API, for tests (sync httpx against the served mock)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import httpx

from contracts.signing import sign_headers

_keys = itertools.count(1)


class Caller:
    """Sends signed requests as one app key; every POST and PUT gets a fresh Idempotency-Key unless one is given."""

    def __init__(self, client: httpx.Client, app_key: str, secret: str) -> None:
        self.client = client
        self.app_key = app_key
        self.secret = secret

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: dict[str, str] | None = None,
        idem: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        sign_method: str = "HMAC-SM3",
        timestamp: int | None = None,
        nonce: str | None = None,
        raw_query: str | None = None,
        drop: Iterable[str] = (),
        sign_path: str | None = None,
        sign_query: str | None = None,
        sign_body: bytes | None = None,
    ) -> httpx.Response:
        """One signed request.

        ``raw_query`` sends the query string exactly as given (instead of ``query``); ``drop`` removes
        headers after signing (e.g. ``Idempotency-Key`` or an auth header); ``sign_path``,
        ``sign_query`` and ``sign_body`` sign something other than what is sent (tampering tests).
        """
        content = raw if raw is not None else (b"" if body is None else json.dumps(body, ensure_ascii=False).encode())
        qs = raw_query if raw_query is not None else urlencode(query or {})
        h = sign_headers(
            app_key=self.app_key,
            secret=self.secret,
            method=method,
            path=sign_path if sign_path is not None else path,
            query=sign_query if sign_query is not None else qs,
            body=sign_body if sign_body is not None else content,
            sign_method=sign_method,
            timestamp=timestamp,
            nonce=nonce,
        )
        h["content-type"] = "application/json"
        if method in ("POST", "PUT"):
            h["Idempotency-Key"] = idem if idem is not None else f"test-{next(_keys)}"
        h.update(headers or {})
        dropped = {d.lower() for d in drop}
        h = {k: v for k, v in h.items() if k.lower() not in dropped}
        url = path + ("?" + qs if qs else "")
        return self.client.request(method, url, content=content, headers=h)

    def get(self, path: str, **query: str) -> httpx.Response:
        """A signed GET."""
        return self.request("GET", path, query=query or None)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        """A signed POST with a fresh Idempotency-Key."""
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        """A signed PUT with a fresh Idempotency-Key."""
        return self.request("PUT", path, body, **kw)
