"""Idempotency keys: replay the first answer, refuse reuse with another body, refuse a concurrent retry.

Keys are scoped by app key (so one caller's low-entropy key never returns another caller's answer),
kept ``idempotency_ttl_s`` of mock time (24 h by default) and stored with the whole first response,
errors included.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from ._problems import Problem
from .store import Store

KEY_RE = re.compile(r"[!-~]{1,255}")
"""Visible ASCII, 1-255 characters: what the OpenAPI document declares for the header."""


@dataclass(frozen=True)
class Stored:
    """A stored first answer."""

    status: int
    headers: dict[str, str]
    body: bytes


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests 'the same request'."""
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def check_key(key: str | None) -> str:
    """The key, or a 400 when it is missing or malformed."""
    if not key:
        raise Problem(
            400, "idempotency.missing", "Idempotency-Key header is required", "POST 请求必须带 Idempotency-Key"
        )
    if not KEY_RE.fullmatch(key):
        raise Problem(
            400,
            "idempotency.invalid",
            "Idempotency-Key must be 1-255 visible ASCII characters",
            "Idempotency-Key 格式错误",
        )
    return key


def begin(store: Store, app_key: str, key: str, fp: str, now: float, ttl: float) -> Stored | None:
    """Reserve ``key``; returns the stored answer to replay, or None when the request should run.

    Raises 409 when the same key is still in flight and 422 when it was used with another body.
    """
    with store.tx() as db:
        row = db.execute(
            "SELECT fingerprint, state, status, headers, body, created_at FROM idempotency WHERE app_key = ? AND idem_key = ?",
            (app_key, key),
        ).fetchone()
        if row is not None and now - float(row[5]) >= ttl:
            db.execute("DELETE FROM idempotency WHERE app_key = ? AND idem_key = ?", (app_key, key))
            row = None
        if row is None:
            db.execute(
                "INSERT INTO idempotency(app_key, idem_key, fingerprint, state, created_at) VALUES(?, ?, ?, 'in_flight', ?)",
                (app_key, key, fp, now),
            )
            return None
    if row[0] != fp:
        raise Problem(
            422,
            "idempotency.reused",
            "This Idempotency-Key was used for a different request",
            "该 Idempotency-Key 已用于另一个请求",
        )
    if row[1] == "in_flight":
        raise Problem(
            409,
            "idempotency.in_flight",
            "A request with this Idempotency-Key is still being processed",
            "使用该 Idempotency-Key 的请求仍在处理中",
            headers={"Retry-After": "1"},
        )
    return Stored(int(row[2]), json.loads(row[3]), bytes(row[4]))


def finish(store: Store, app_key: str, key: str, answer: Stored) -> None:
    """Store the first answer for replay."""
    with store.tx() as db:
        db.execute(
            "UPDATE idempotency SET state = 'done', status = ?, headers = ?, body = ? WHERE app_key = ? AND idem_key = ?",
            (answer.status, json.dumps(answer.headers), answer.body, app_key, key),
        )


def abandon(store: Store, app_key: str, key: str) -> None:
    """Release a reservation whose request produced no answer to keep (a crash in the handler)."""
    with store.tx() as db:
        db.execute("DELETE FROM idempotency WHERE app_key = ? AND idem_key = ? AND state = 'in_flight'", (app_key, key))
