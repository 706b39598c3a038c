"""Answer classification, backoff, the hostile-answer bounds of the client (scenario 19) and the checker."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from adapters.bridge import Answer, Backoff, NationalClient, check, classify, parse_retry_after
from contracts.signing import SigningAuth


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (Answer(200, {"results": []}), "delivered"),
        (Answer(201, {"manifest_no": "1"}), "delivered"),
        (Answer(200, {"success": False, "code": "05"}), "permanent"),
        (Answer(422, {"code": "contract.invalid"}), "permanent"),
        (Answer(422, {"code": "idempotency.reused"}), "permanent"),
        (Answer(409, {"code": "lifecycle.illegal_transition"}), "permanent"),
        (Answer(409, {"code": "idempotency.in_flight"}), "retryable"),
        (Answer(429, {"code": "rate_limited"}, {"retry-after": "3"}), "retryable"),
        (Answer(503, None), "retryable"),
        (Answer(500, {"code": "fault.error"}), "retryable"),
        (Answer(408, None), "retryable"),
        (Answer(failure="ConnectError: refused", sent=False), "retryable"),
        (Answer(failure="ReadTimeout"), "unknown"),
        (Answer(200, failure="body is not JSON"), "unknown"),
    ],
)
def test_classification(answer: Answer, outcome: str) -> None:
    assert classify(answer).outcome == outcome


def test_replays_count_as_delivered() -> None:
    verdict = classify(Answer(200, {}, {"idempotent-replayed": "true"}))
    assert verdict.outcome == "delivered" and verdict.reason == "replayed"


def test_retry_after_in_both_forms() -> None:
    assert parse_retry_after("7") == 7.0
    now = time.time()
    when = format_datetime(datetime.fromtimestamp(int(now) + 10, UTC), usegmt=True)
    assert 8.5 < (parse_retry_after(when, now=now) or 0) <= 10
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert classify(Answer(429, None, {"retry-after": "4"})).retry_after == 4.0


def test_backoff_is_capped_full_jitter_and_never_before_retry_after() -> None:
    a, b = Backoff(base=1, cap=8, rng=random.Random(3)), Backoff(base=1, cap=8, rng=random.Random(3))
    delays = [a.delay(n) for n in range(12)]
    assert delays == [b.delay(n) for n in range(12)]  # seeded: repeatable
    assert all(0 <= d <= min(8, 2**n) for n, d in enumerate(delays))
    assert len(set(delays)) == len(delays)  # jittered
    assert all(Backoff(base=0.01, cap=0.02).delay(n, retry_after=5) >= 5 for n in range(5))


def client_for(handler: object) -> NationalClient:
    http = httpx.Client(base_url="http://national.test", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return NationalClient(http, SigningAuth("k", "secret-0001"), max_body=1024 * 1024)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[" * 100_000 + b"]" * 100_000,  # deep nesting
        b"{" + b'"a":"' + b"x" * 2_000_000 + b'"}',  # over the size cap
    ],
    ids=["bad-json", "deep-nesting", "oversized"],
)
def test_hostile_answers_are_unknown_outcomes(body: bytes) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    answer = client_for(handler).post("/ledger-records", {"records": []}, "hz-1")
    assert answer.failure is not None and classify(answer).outcome == "unknown"
    assert seen[0].headers["Idempotency-Key"] == "hz-1" and seen[0].headers["X-Hz-Signature"]


def test_a_huge_streamed_body_is_cut_off_without_reading_it_all() -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(50):  # 50 MiB if read whole
            yield b" " * (1024 * 1024)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    started = time.monotonic()
    answer = client_for(handler).post("/x", {}, "hz-2")
    assert answer.failure and "over" in answer.failure and time.monotonic() - started < 5


def test_transport_failures_are_mapped_once() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset", request=request)

    assert classify(client_for(refused).post("/x", {}, "k")).outcome == "retryable"
    assert classify(client_for(reset).post("/x", {}, "k")).outcome == "unknown"


def test_checker_classifies_lost_duplicated_unexpected_reordered() -> None:
    def entry(*records: tuple[str, str, str], status: int = 200, replayed: bool = False) -> dict[str, object]:
        return {
            "status": status,
            "replayed": replayed,
            "records": [{"resource": r, "key": k, "action": a} for r, k, a in records],
        }

    journal = [
        entry(("ledger-records", "U/generate/B2", "created")),
        entry(("ledger-records", "U/generate/B1", "created")),
        entry(("ledger-records", "U/generate/B1", "duplicate")),
        entry(("ledger-records", "U/generate/B9", "created")),
        entry(("manifests", "N1", "created")),
        entry(("manifests", "N2", "created")),
        entry(("manifests", "N1", "submit"), replayed=True),
        entry(("ledger-records", "U/generate/B3", "rejected"), status=422),
    ]
    expected = [
        ("ledger:U", "ledger-records/U/generate/B1"),
        ("ledger:U", "ledger-records/U/generate/B2"),
        ("ledger:U", "ledger-records/U/generate/B3"),
        ("manifest:L1", "manifest/L1/create"),
    ]
    verdict = check(expected, journal, {"N1": "L1", "N2": "L1"})
    assert verdict.counts() == {"lost": 1, "duplicated": 1, "unexpected": 1, "reordered": 1}
    assert verdict.lost == ["ledger-records/U/generate/B3"]
    assert verdict.duplicated == ["manifest/L1/create"]
    assert verdict.unexpected == ["ledger-records/U/generate/B9"]
    assert verdict.reordered == ["ledger-records/U/generate/B2"]
    assert json.dumps(verdict.counts())


def test_checker_counts_a_draft_update_as_a_manifest_event() -> None:
    def entry(action: str) -> dict[str, object]:
        return {"status": 200, "replayed": False, "records": [{"resource": "manifests", "key": "N1", "action": action}]}

    journal = [entry("created"), entry("updated"), entry("submit")]
    steps = ("create", "update", "submit")
    verdict = check([("manifest:L1", f"manifest/L1/{s}") for s in steps], journal, {"N1": "L1"})
    assert verdict.ok and verdict.observed == 3
    late = check([("manifest:L1", f"manifest/L1/{s}") for s in ("create", "submit", "update")], journal, {"N1": "L1"})
    assert late.reordered == ["manifest/L1/update"]
