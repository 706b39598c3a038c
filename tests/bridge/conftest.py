"""Fixtures for the bridge: the mock national API on a loopback port, local sources, and a bridge to drive.

One uvicorn serves the whole session; each test gets a fresh, seeded mock app behind it. Local
records come from the reference systems: ledger rows as enterprise-csv exports in a temporary drop
folder, manifests and GPS fixes from the prov-rest platform (in-process).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.bridge import Backoff, Deliverer, NationalClient, Outbox, Reader, Stats
from adapters.enterprise_csv import EnterpriseCsvAdapter
from adapters.prov_rest import ProvRestAdapter
from adapters.translate import Translator
from contracts import Manifest
from contracts.signing import SigningAuth
from mocks.local import TZ, Generator, enterprise_csv
from mocks.local import prov_rest as prov
from mocks.local.inprocess import asgi_client
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.testing import AppSwitch, serving_switch

APP_KEY, SECRET = "bridge", "secret-bridge-0001"
SHIPPER = "91320576MA1MXK3Q7M"
RECEIVER = "91320612MA1NH0KR2W"
LICENCE = "JS0612OOD567"  # the demo-seeded licence of RECEIVER, a disposal centre


@pytest.fixture(scope="session")
def _served() -> Iterator[tuple[AppSwitch, str]]:
    with serving_switch() as served:
        yield served


@pytest.fixture
def mock_app() -> Any:
    app = create_app(config=MockConfig(control=True))
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key=APP_KEY, secret=SECRET, scope="*")]))
    return app


@pytest.fixture
def national_url(mock_app: Any, _served: tuple[AppSwitch, str]) -> Iterator[str]:
    switch, url = _served
    switch.app = mock_app
    yield url
    switch.app = None


class Control:
    """The mock's /_mock API, plus the listings the assertions need."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)
        self.auth = SigningAuth(APP_KEY, SECRET)

    def rotate_secret(self, secret: str) -> None:
        """Replace the bridge's credential on the national side (same app key, new secret)."""
        body = {"credentials": [{"app_key": APP_KEY, "secret": secret, "scope": "*"}]}
        assert self.http.post("/_mock/seed", json=body).status_code == 200
        self.auth = SigningAuth(APP_KEY, secret)

    def journal(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            page = self.http.get("/_mock/journal", params={"after": out[-1]["id"] if out else 0}).json()["entries"]
            if not page:
                return out
            out += page

    def fault(self, **rule: Any) -> None:
        assert self.http.post("/_mock/faults", json=rule).status_code == 200

    def clear_faults(self) -> None:
        self.http.delete("/_mock/faults")

    def clock(self, **body: Any) -> None:
        assert self.http.post("/_mock/clock", json=body).status_code == 200

    def state(self) -> dict[str, int]:
        return dict(self.http.get("/_mock/state").json()["records"])

    def list(self, path: str, **params: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            q = {**params, "limit": "500", **({"cursor": cursor} if cursor else {})}
            body = self.http.get(f"/api/v1{path}", params=q, auth=self.auth).json()
            items += body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return items

    def aliases(self) -> dict[str, str]:
        """National manifest number → local reference."""
        return {m["manifest_no"]: m.get("local_ref") or m["manifest_no"] for m in self.list("/manifests")}


@pytest.fixture
def control(national_url: str) -> Iterator[Control]:
    c = Control(national_url)
    yield c
    c.http.close()


# --- local sources -------------------------------------------------------------------------------------


def ledger_records(n_units: int, per_unit_flows: int, seed: int = 0) -> list[dict[str, Any]]:
    """Generated ledger records (4 per flow) of ``n_units`` units, in contract form."""
    gen = Generator(seed, units=max(n_units + 1, 4))
    out: list[dict[str, Any]] = []
    for unit in gen.units[:n_units]:
        out += gen.ledger(per_unit_flows, unit=unit)
    return out


def write_ledger(folder: Path, records: list[dict[str, Any]], name: str = "台账导出-1.csv") -> Path:
    return enterprise_csv.write_csv(folder / name, [enterprise_csv.render_row(r) for r in records])


def ledger_key(rec: dict[str, Any]) -> str:
    return f"{rec['unit_uscc']}/{rec['kind']}/{rec['batch_code']}"


def expected_ledger(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f"ledger:{r['unit_uscc']}", f"ledger-records/{ledger_key(r)}") for r in records]


def operation_records(flows: int, seed: int = 0, month: int = 3) -> list[dict[str, Any]]:
    """Generated record book entries (3 per flow) of the demo-seeded licensed unit, in one month of 2024."""
    return Generator(seed).operations(flows, unit_uscc=RECEIVER, license_no=LICENCE, month=month)


def write_operations(folder: Path, records: list[dict[str, Any]]) -> None:
    """Append the records to the record book exports of their months, as the operator's software does."""
    for r in records:
        enterprise_csv.write_operation(folder, r)


def operation_key(rec: dict[str, Any]) -> str:
    return f"{rec['license_no']}/{rec['record_id']}"


def report_key(rep: dict[str, Any]) -> str:
    return f"{rep['license_no']}/{rep['period_type']}/{rep['period']}"


def expected_operations(
    records: Sequence[dict[str, Any]], reports: Sequence[dict[str, Any]] = ()
) -> list[tuple[str, str]]:
    """Expected events of the group ``operation:<uscc>``: the records in book order, then the reports."""
    out = [(f"operation:{r['unit_uscc']}", f"operation-records/{operation_key(r)}") for r in records]
    return out + [(f"operation:{r['unit_uscc']}", f"operation-reports/{report_key(r)}") for r in reports]


def csv_adapter(folder: Path) -> EnterpriseCsvAdapter:
    return EnterpriseCsvAdapter({"folder": str(folder), "settle_seconds": 0.0})


def sample_manifest(local_no: str, status: str = "received") -> dict[str, Any]:
    """The sample manifest (demo-seeded parties and licence, no labels) as the generator's Python form."""
    text = resources.files("contracts").joinpath("samples", "manifest.json").read_text(encoding="utf-8")
    m = Manifest.model_validate(json.loads(text)).model_dump()
    m = copy.deepcopy(m)
    m["manifest_no"], m["status"] = local_no, status
    for item in m["items"]:
        item["label_ids"] = []
        if status != "received":
            item["received_t"] = None
    if status in ("draft", "submitted", "cancelled"):
        m["dispatched_at"] = None
    if status not in ("received", "rejected"):
        m["received_at"] = None
    if status == "rejected":
        m["rejection_reason"] = "包装破损，拒收"
    m["_route"] = ((120.6, 31.3), (120.9, 32.0))
    return {k: v for k, v in m.items() if v is not None}


def track_points(m: dict[str, Any], n: int) -> list[dict[str, Any]]:
    if not n:
        return []
    start: datetime = m["dispatched_at"]
    return [
        {
            "recorded_at": start + timedelta(minutes=i + 1),
            "lon": 120.6 + i * 0.01,
            "lat": 31.3 + i * 0.01,
            "speed_kmh": Decimal("60.5"),
            "heading_deg": Decimal(30),
            "vehicle_plate": m["carriers"][0]["vehicle_plate"],
        }
        for i in range(n)
    ]


@dataclass
class ProvSource:
    """The prov-rest platform in-process, with a clock both it and its adapter read."""

    now: datetime = field(default_factory=lambda: datetime(2024, 6, 1, 10, 0, 0, tzinfo=TZ))
    system: prov.ProvRestSystem = field(init=False)

    def __post_init__(self) -> None:
        self.system = prov.ProvRestSystem(clock=lambda: self.now)
        self.client = asgi_client(prov.create_app(self.system), "http://prov.test")

    def save_manifest(self, m: dict[str, Any], points: int = 0) -> None:
        self.system.save("ldxx", prov.render_manifest(m))
        for p in track_points(m, points):
            self.system.save("gjxx", prov.render_track(m["manifest_no"], p))

    def tick(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)

    def adapter(self) -> ProvRestAdapter:
        return ProvRestAdapter(
            {"token": "demo-token", "settle_seconds": 0.0},
            client=self.client,
            clock=lambda: self.now + timedelta(seconds=5),
        )


@pytest.fixture
def prov_source() -> Iterator[ProvSource]:
    src = ProvSource()
    yield src
    src.client.close()


# --- the bridge ----------------------------------------------------------------------------------------


class FakeClock:
    """Real time plus an offset a test can jump forward (past the idempotency window)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        import time

        return time.time() + self.offset


@dataclass
class Bridge:
    outbox: Outbox
    reader: Reader
    deliverer: Deliverer
    http: httpx.Client
    stats: Stats
    client: NationalClient

    def run(self, *, timeout: float = 30.0) -> None:
        """Read once and deliver until drained."""
        import time

        self.reader.read_once()
        end = time.monotonic() + timeout
        self.deliverer.drain(until=lambda: time.monotonic() > end)

    def close(self) -> None:
        self.deliverer.close()
        self.http.close()
        self.outbox.close()


MakeBridge = Callable[..., Bridge]


@pytest.fixture
def make_bridge(national_url: str, tmp_path: Path) -> Iterator[MakeBridge]:
    made: list[Bridge] = []

    def make(
        adapter: Any,
        *,
        db: str = "outbox.db",
        clock: Callable[[], float] | None = None,
        read_timeout: float = 5.0,
        workers: int = 4,
        lease_s: float = 30.0,
        owner: str | None = None,
        base: float = 0.02,
        cap: float = 0.2,
        url: str | None = None,
        deadline: float = 30.0,
        secret: str = SECRET,
        sign_clock: Callable[[], float] | None = None,
        correct_skew: bool = True,
    ) -> Bridge:
        import random
        import time

        outbox = Outbox(tmp_path / db, clock=clock or time.time)
        http = httpx.Client(base_url=url or national_url)
        timeout = httpx.Timeout(connect=2.0, read=read_timeout, write=5.0, pool=5.0)
        client = NationalClient(
            http,
            SigningAuth(APP_KEY, secret),
            timeout=timeout,
            deadline=deadline,
            clock=sign_clock or time.time,
            correct_skew=correct_skew,
        )
        stats = Stats()
        reader = Reader(adapter, outbox, Translator(adapter.profile()), stats=stats)
        deliverer = Deliverer(
            outbox,
            client,
            owner=owner,
            workers=workers,
            lease_s=lease_s,
            backoff=Backoff(base=base, cap=cap, rng=random.Random(7)),
            stats=stats,
        )
        bridge = Bridge(outbox, reader, deliverer, http, stats, client)
        made.append(bridge)
        return bridge

    yield make
    for b in made:
        b.close()
