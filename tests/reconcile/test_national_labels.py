"""Labels reconciled against the real mock national API on loopback: read through ``GET /api/v1/labels``."""

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

APP_KEY, SECRET = "reconcile-labels", "secret-reconcile-labels-01"
PRODUCER = "91320576MA1MXK3Q7M"
REQUEST: dict[str, Any] = {
    "waste_name": "废矿物油",
    "waste_category": "HW08",
    "waste_code": "900-249-08",
    "form": "L",
    "hazards": ["T", "I"],
    "main_components": "矿物油",
    "harmful_components": "矿物油",
    "precautions": "远离火源，防止泄漏",
    "producer_uscc": PRODUCER,
    "producer_name": "苏州华澄精细化工有限公司",
    "contact": {"person": "陈立明", "phone": "0512-62881234"},
    "produced_date": "2024-03-15",
    "weight_t": "0.625000",
    "container_type": "铁桶",
    "container_volume_l": "200",
}


@pytest.fixture
def national() -> Iterator[tuple[httpx.Client, SigningAuth]]:
    app = create_app(config=MockConfig())
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key=APP_KEY, secret=SECRET, scope="*")]))
    with running(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client, SigningAuth(APP_KEY, SECRET)


def issue(client: httpx.Client, auth: SigningAuth, day: str) -> dict[str, Any]:
    resp = client.post("/api/v1/labels", content=orjson.dumps(REQUEST | {"produced_date": day}), auth=auth,
                       headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_labels_reconcile_against_mock_api(national: tuple[httpx.Client, SigningAuth]) -> None:
    client, auth = national
    kept = [issue(client, auth, day) for day in ("2024-03-15", "2024-03-15", "2024-03-16", "2024-03-17")]
    extra = issue(client, auth, "2024-03-18")  # only national, in a bucket the local side has not got
    local = copy.deepcopy(kept)
    local[1]["weight_t"] = "0.700000"  # the planted mismatch, in bucket (producer, 03-15)
    lost = copy.deepcopy(kept[2]) | {"label_id": kept[2]["label_id"][:-3] + "099"}  # never issued nationally
    lost["qr_payload"] = kept[2]["qr_payload"][:-3] + "099"
    local.append(lost)

    side = NationalApiSide(client, auth, units=[PRODUCER])
    report = reconcile(MemorySide({"labels": local}), side, ["labels"])
    found = sorted((d.kind, d.key) for d in report.differences)
    assert found == sorted(
        [
            ("mismatch", kept[1]["label_id"]),
            ("missing_national", lost["label_id"]),
            ("missing_local", extra["label_id"]),
        ]
    )
    mismatch = next(d for d in report.differences if d.kind == "mismatch")
    assert [f.path for f in mismatch.fields] == ["weight_t"]
    s = report.summaries[0]
    # 4 buckets: 03-15 (mismatch), 03-16 (one missing nationally), 03-17 (agrees), 03-18 (national only).
    assert (s.local_count, s.national_count, s.matched) == (5, 5, 3)
    assert (s.buckets_total, s.buckets_differing) == (4, 3)
    assert s.records_read_national == 4  # 2 + 1 + 1 of the differing buckets; the agreeing 03-17 was not read
