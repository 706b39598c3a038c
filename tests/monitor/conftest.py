"""Fixtures for the monitor: the mock national API on loopback, seeded with known differences, and a webhook receiver.

The local side holds 16 generated ledger records of two units (8 each) plus one duplicate; the
national side gets, through its signed API, every record but one (``missing_national``), one with a
changed quantity (``mismatch``) and one the local side lacks (``missing_local``). All differences are
in unit A; unit B reconciles exactly. Each record is delivered an hour after it occurred, by the mock's
business clock, so the national write times the listings give are on time.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.translate import jsonable
from conformance.monitor.cycle import CHINA
from conformance.reconcile.resources import spec_of
from contracts.signing import SigningAuth
from mocks.local import Generator
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.config import MockClock
from mocks.national.seed import CredentialIn
from mocks.national.server import running
from mocks.national.testing import AppSwitch, serving_switch

APP_KEY, SECRET = "monitor", "secret-monitor-0001"
NOW = datetime(2024, 12, 2, 10, 0, tzinfo=CHINA)
LEDGER = "ledger-records"
DELIVERY = timedelta(hours=1)


@dataclass
class Seeded:
    """What was planted, to assert on."""

    url: str
    local: list[dict[str, Any]]
    unit_a: str
    unit_b: str
    missing_national: dict[str, Any]
    mismatch: dict[str, Any]
    missing_local: dict[str, Any]
    duplicate: dict[str, Any]
    expected: set[tuple[str, str]] = field(default_factory=set)
    clock: MockClock | None = None
    """The mock's business clock: each record is written nationally at ``DELIVERY`` after it occurred."""

    def post(self, records: list[dict[str, Any]]) -> None:
        """Deliver ledger records to the national side, one at a time, each ``DELIVERY`` after it occurred."""
        saved = (self.clock.offset, self.clock.frozen) if self.clock is not None else None
        try:
            with httpx.Client(base_url=self.url, timeout=10) as http:
                for rec in records:
                    if self.clock is not None:
                        self.clock.set(datetime.fromisoformat(rec["occurred_at"]) + DELIVERY, freeze=True)
                    answer = http.post(
                        "/api/v1/ledger-records",
                        json={"records": [rec]},
                        auth=SigningAuth(APP_KEY, SECRET),
                        headers={"Idempotency-Key": str(uuid.uuid4())},
                    )
                    assert answer.status_code == 200, answer.text
                    outcomes = [r["outcome"] for r in answer.json()["results"]]
                    assert all(o in ("accepted", "duplicate") for o in outcomes), answer.text
        finally:
            if self.clock is not None and saved is not None:  # back to the clock the test had
                self.clock.offset, self.clock.frozen = saved


def key(rec: dict[str, Any]) -> str:
    return f"{rec['unit_uscc']}/{rec['kind']}/{rec['batch_code']}"


@pytest.fixture(scope="session")
def _served() -> Iterator[tuple[AppSwitch, str]]:
    with serving_switch() as served:
        yield served


@pytest.fixture
def seeded(_served: tuple[AppSwitch, str]) -> Iterator[Seeded]:
    switch, url = _served
    app = create_app(config=MockConfig(control=True))
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key=APP_KEY, secret=SECRET, scope="*")]))
    switch.app = app
    gen = Generator(0, units=4)
    unit_a, unit_b = gen.units[0]["uscc"], gen.units[1]["uscc"]
    local: list[dict[str, Any]] = []
    for unit in gen.units[:2]:
        local += [jsonable(r) for r in gen.ledger(2, unit=unit)]
    a_records = [r for r in local if r["unit_uscc"] == unit_a]
    missing_national, mismatched, duplicate = a_records[0], a_records[1], a_records[5]
    national = [copy.deepcopy(r) for r in local if r is not missing_national]
    for r in national:
        if key(r) == key(mismatched):
            r["quantity_t"] = "9.999"
    extra = copy.deepcopy(a_records[0])
    extra["batch_code"] = extra["batch_code"][:-3] + "099"
    national.append(extra)
    seeded = Seeded(
        url, [*local, copy.deepcopy(duplicate)], unit_a, unit_b, missing_national, mismatched, extra, duplicate
    )
    seeded.clock = app.state.national.clock
    seeded.expected = {
        ("missing_national", key(missing_national)),
        ("mismatch", key(mismatched)),
        ("missing_local", key(extra)),
        ("duplicate_local", key(duplicate)),
    }
    seeded.post(national)
    yield seeded
    switch.app = None


def write_ndjson(path: Path, records: list[dict[str, Any]]) -> Path:
    """An export as a local system writes it: canonical contract JSON, one record a line."""
    spec = spec_of(LEDGER)
    path.write_text("".join(spec.canonical(r)[0] + "\n" for r in records), encoding="utf-8")
    return path


def write_config(tmp: Path, seeded: Seeded, **overrides: Any) -> Path:
    """A monitor.toml over the seeded sides; ``overrides`` replace threshold, alert or monitor keys."""
    write_ndjson(tmp / "ledger.ndjson", seeded.local)
    (tmp / "national.secret").write_text(SECRET + "\n", encoding="utf-8")
    thresholds = {
        "completeness_pct_min": 80.0,
        "accuracy_pct_min": 80.0,
        "lag_p95_max_seconds": 1e9,
        "backlog_max": 5,
        "overdue_max": 5,
    }
    thresholds.update({k: v for k, v in overrides.items() if k in thresholds})
    lines = [
        "[local]",
        'name = "江苏省固废平台"',
        'files = { ledger-records = "ledger.ndjson" }',
        "[national]",
        f'base_url = "{seeded.url}"',
        f'app_key = "{APP_KEY}"',
        'secret_file = "national.secret"',
        f"units = [{json.dumps(seeded.unit_a)}, {json.dumps(seeded.unit_b)}]",
        "[monitor]",
        'resources = ["ledger-records"]',
        f"interval_seconds = {overrides.get('interval_seconds', 60)}",
        f'history = "{overrides.get("history", "sqlite:history.db")}"',
        "[thresholds]",
        *(f"{k} = {v!r}" for k, v in thresholds.items()),
    ]
    if "webhook" in overrides:
        lines += ["[alerts]", f'webhook = "{overrides["webhook"]}"']
    path = tmp / "monitor.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback receiver keeping every JSON body posted to /hook."""
    received: list[dict[str, Any]] = []

    async def hook(request: Request) -> JSONResponse:
        received.append(await request.json())
        return JSONResponse({"ok": True})

    with running(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook", received
