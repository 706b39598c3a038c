"""Reconciliation against the real mock national API on loopback, signed requests and all."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from conformance.reconcile import MemorySide, NationalApiSide, reconcile
from contracts.signing import SigningAuth
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.server import running

from .conftest import UNITS, grid, ledger

APP_KEY, SECRET = "reconcile", "secret-reconcile-01"


@pytest.fixture
def national() -> Iterator[tuple[httpx.Client, SigningAuth]]:
    app = create_app(config=MockConfig())
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key=APP_KEY, secret=SECRET, scope="*")]))
    with running(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client, SigningAuth(APP_KEY, SECRET)


def post(client: httpx.Client, auth: SigningAuth, records: list[dict[str, Any]]) -> None:
    resp = client.post("/api/v1/ledger-records", content=orjson.dumps({"records": records}), auth=auth,
                       headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    assert resp.status_code == 200, resp.text
    assert {r["outcome"] for r in resp.json()["results"]} == {"accepted"}, resp.text


def test_against_mock_api(national: tuple[httpx.Client, SigningAuth]) -> None:
    client, auth = national
    sent = grid(days=3, per_day=2)  # 2 units × 3 days × 2: 6 buckets of 2
    post(client, auth, sent)
    local = copy.deepcopy(sent)
    local[0]["quantity_t"] = "1.000000"  # the planted difference, in bucket (U1, 03-01)
    local.append(ledger(UNITS[1], 9, 0))  # and a record the national side has not got, in a bucket of its own
    side = NationalApiSide(client, auth)
    report = reconcile(MemorySide({"ledger-records": local}), side, ["ledger-records"])
    found = sorted((d.kind, d.key) for d in report.differences)
    assert found == [
        ("mismatch", f"{UNITS[0]}/generate/B01000"),
        ("missing_national", f"{UNITS[1]}/generate/B09000"),
    ]
    s = report.summaries[0]
    # The buckets with identical digests were skipped: 4 of 6 shared buckets agree, nothing national-only.
    assert (s.buckets_total, s.buckets_differing, s.matched, s.national_count) == (7, 2, 11, 12)
    assert s.records_read_national == 2


def test_national_only_buckets_are_discovered(national: tuple[httpx.Client, SigningAuth]) -> None:
    client, auth = national
    sent = grid(days=2, per_day=1)
    post(client, auth, sent)
    local = sent[:1]  # the local side lost three records, in three buckets it does not have at all
    report = reconcile(MemorySide({"ledger-records": local}), NationalApiSide(client, auth), ["ledger-records"])
    assert sorted(d.kind for d in report.differences) == ["missing_local"] * 3
    blind = reconcile(MemorySide({"ledger-records": local}), NationalApiSide(client, auth, discover=False),
                      ["ledger-records"])  # fmt: skip
    assert blind.differences == [] and blind.summaries[0].buckets_total == 1
