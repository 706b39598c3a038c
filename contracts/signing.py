"""Request signing of the national API binding: what a client computes and the server verifies.

Each request carries ``X-Hz-AppKey``, ``X-Hz-Timestamp`` (unix seconds), ``X-Hz-Nonce`` (16–64 of
``[A-Za-z0-9]``) and ``X-Hz-Signature``: the lowercase hex HMAC-SM3 with the app secret over::

    METHOD, PATH, CANONICAL_QUERY, HEX_HASH(BODY), TIMESTAMP, NONCE, APPKEY   (joined by newlines)

PATH is the path exactly as sent on the wire (still percent-encoded, no query); CANONICAL_QUERY is the
decoded query pairs sorted by key then value, each percent-encoded per RFC 3986 (unreserved
``A-Za-z0-9-_.~`` kept) and joined as ``k=v`` with ``&``; BODY is the exact bytes sent, and an empty
body hashes the empty string. ``X-Hz-Sign-Method: HMAC-SHA256`` selects SHA-256 for both the body
hash and the HMAC instead of SM3.
"""

from __future__ import annotations

import hmac as _hmac
import re
import secrets
import time
from collections.abc import Generator, Iterable
from urllib.parse import quote, unquote_plus

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _chmac

__all__ = [
    "HEADER_APP_KEY",
    "HEADER_METHOD",
    "HEADER_NONCE",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "METHODS",
    "NONCE_RE",
    "SigningAuth",
    "body_hash",
    "canonical_query",
    "compute_signature",
    "constant_time_equal",
    "new_nonce",
    "parse_query",
    "sign_headers",
    "string_to_sign",
]

HEADER_APP_KEY = "X-Hz-AppKey"
HEADER_TIMESTAMP = "X-Hz-Timestamp"
HEADER_NONCE = "X-Hz-Nonce"
HEADER_SIGNATURE = "X-Hz-Signature"
HEADER_METHOD = "X-Hz-Sign-Method"
METHODS = {"HMAC-SM3": hashes.SM3, "HMAC-SHA256": hashes.SHA256}
"""Sign methods by header value; HMAC-SM3 is the default."""
NONCE_RE = re.compile(r"^[A-Za-z0-9]{16,64}$")


def body_hash(body: bytes, method: str = "HMAC-SM3") -> str:
    """Lowercase hex SM3 (or SHA-256) of the exact body bytes."""
    h = hashes.Hash(METHODS[method]())
    h.update(body)
    return h.finalize().hex()


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Decoded query pairs, sorted by key then value, re-encoded per RFC 3986 and joined with ``&``."""
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Decode a raw query string into pairs, keeping blank values (``a=&b``)."""
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


def string_to_sign(
    method: str, path: str, query: str, body: bytes, timestamp: str, nonce: str, app_key: str, sign_method: str
) -> str:
    """The canonical string; ``query`` is the raw query string as sent (without ``?``)."""
    return "\n".join(
        (
            method.upper(),
            path,
            canonical_query(parse_query(query)),
            body_hash(body, sign_method),
            timestamp,
            nonce,
            app_key,
        )
    )


def compute_signature(secret: str, text: str, sign_method: str = "HMAC-SM3") -> str:
    """Lowercase hex HMAC of ``text`` with ``secret``."""
    mac = _chmac.HMAC(secret.encode("utf-8"), METHODS[sign_method]())
    mac.update(text.encode("utf-8"))
    return mac.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    """Compare signatures without leaking where they differ."""
    return _hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))


def new_nonce() -> str:
    """A fresh 32-character nonce from the system's secure random source."""
    return secrets.token_hex(16)


def sign_headers(
    *,
    app_key: str,
    secret: str,
    method: str,
    path: str,
    query: str = "",
    body: bytes = b"",
    timestamp: int | None = None,
    nonce: str | None = None,
    sign_method: str = "HMAC-SM3",
) -> dict[str, str]:
    """The four (or five) authentication headers for one request."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or new_nonce()
    text = string_to_sign(method, path, query, body, ts, nonce, app_key, sign_method)
    headers = {
        HEADER_APP_KEY: app_key,
        HEADER_TIMESTAMP: ts,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: compute_signature(secret, text, sign_method),
    }
    if sign_method != "HMAC-SM3":
        headers[HEADER_METHOD] = sign_method
    return headers


class SigningAuth(httpx.Auth):
    """httpx auth that signs every request (the exact bytes sent) the way the national API requires."""

    def __init__(self, app_key: str, secret: str, *, sign_method: str = "HMAC-SM3") -> None:
        if sign_method not in METHODS:
            raise ValueError(f"sign method must be one of {', '.join(METHODS)}")
        self.app_key = app_key
        self._secret = secret
        self.sign_method = sign_method

    def __repr__(self) -> str:  # never show the secret in logs or tracebacks
        return f"SigningAuth(app_key={self.app_key!r}, sign_method={self.sign_method!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign the request and send it."""
        body = request.read()
        request.headers.update(
            sign_headers(
                app_key=self.app_key,
                secret=self._secret,
                method=request.method,
                path=request.url.raw_path.decode("ascii").split("?", 1)[0],
                query=request.url.query.decode("ascii"),
                body=body,
                sign_method=self.sign_method,
            )
        )
        yield request
