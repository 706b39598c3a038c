"""Fixtures for the mock national API: a seeded app, signed callers with different scopes, sample bodies.

Every test also gets ``no_server_errors`` (autouse): it fails the test when any request answered 500,
whether the mock journalled it or only the client saw it (crashes in the mock never reach the journal).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import httpx
import pytest

from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national import journal as mock_journal
from mocks.national.seed import CredentialIn
from mocks.national.testing import AppSwitch, serving_switch
from tests.mocks.national_client import Caller

SAMPLES = resources.files("contracts").joinpath("samples")
SHIPPER = "91320576MA1MXK3Q7M"  # 苏州, province 32
RECEIVER = "91320612MA1NH0KR2W"  # 南通, province 32
ZJ_RECEIVER = "91330411MA2B9JX55K"  # 嘉兴, province 33 (the seed's 嘉兴 plant)
CARRIER = "91320507MA1P8G6L48"  # 苏州相城, the sample carrier
FUJIAN = "91350100M0001TGQXM"  # 福州, province 35
LICENSE = "JS0612OOD567"  # 南通: HW08, HW49, HW12, HW17; D10, R9, D9
ZJ_LICENSE = "3304000123"  # 嘉兴: HW08, HW49; R9, R15, D10
APPROVAL = "苏环危转〔2024〕0131号"  # 苏州 → 嘉兴, 900-249-08, 12 t, 2024-03-01..2025-02-28
CREDENTIALS = [
    CredentialIn(app_key="national", secret="secret-national", scope="*"),
    CredentialIn(app_key="jiangsu", secret="secret-jiangsu", scope="province:32"),
    CredentialIn(app_key="zhejiang", secret="secret-zhejiang", scope="province:33"),
    CredentialIn(app_key="shipper", secret="secret-shipper", scope=f"units:{SHIPPER}"),
    CredentialIn(app_key="receiver", secret="secret-receiver", scope=f"units:{RECEIVER}"),
]
PROBLEM_TYPE = "application/problem+json"


def sample(name: str) -> Any:
    text = SAMPLES.joinpath(name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def draft_manifest() -> dict[str, Any]:
    """The sample manifest as a shipper creates it: no number, no status, no receipt, no labels."""
    m = copy.deepcopy(sample("manifest.json"))
    for k in ("manifest_no", "status", "dispatched_at", "received_at", "significant_discrepancy"):
        m.pop(k, None)
    for item in m["items"]:
        item.pop("received_t", None)
        item["label_ids"] = []
    return m


def cross_manifest(quantity_t: str, *, approval: str | None = APPROVAL) -> dict[str, Any]:
    """A 苏州 → 嘉兴 draft with one line of 900-249-08 under the seeded approval (or none)."""
    cross = copy.deepcopy(sample("manifests.ndjson")[1])
    m = draft_manifest()
    m["receiver"] = cross["receiver"]
    m["receiver_license_no"] = ZJ_LICENSE
    item = m["items"][1]
    item.update(line_no=1, quantity_t=quantity_t)
    m["items"] = [item]
    if approval is None:
        m.pop("approval_no", None)
    else:
        m["approval_no"] = approval
    return m


def label_request(**changes: Any) -> dict[str, Any]:
    """The first sample label as a unit asks for it (no national fields)."""
    body = copy.deepcopy(sample("labels.ndjson")[0])
    for k in ("label_id", "qr_payload", "issued_at"):
        body.pop(k)
    body.update(changes)
    return body


OIL = {
    "waste_name": "废矿物油",
    "waste_category": "HW08",
    "waste_code": "900-249-08",
    "hazards": ["T", "I"],
    "form": "L",
}


def ledger_record(n: int = 1, *, unit: str = SHIPPER, day: str = "2024-03-18", **changes: Any) -> dict[str, Any]:
    """A valid 'generate' ledger record of ``unit`` with batch code HWCS<day><n:03d>."""
    rec = copy.deepcopy(sample("ledger.ndjson")[0])
    rec.update(
        unit_uscc=unit,
        batch_code=f"HWCS{day.replace('-', '')}{n:03d}",
        occurred_at=f"{day}T09:00:00+08:00",
        label_ids=[],
    )
    rec.update(changes)
    return rec


# --- problem documents ---------------------------------------------------------------------------------


def assert_problem(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code; returns the document."""
    assert resp.status_code == status, f"{resp.status_code} {resp.text}"
    assert resp.headers["content-type"].split(";")[0] == PROBLEM_TYPE, resp.headers
    doc = resp.json()
    for name in ("type", "title", "title_zh", "status", "code"):
        assert doc.get(name), f"problem without {name}: {doc}"
    assert doc["status"] == status
    assert doc["code"] == code, doc
    assert doc["type"].endswith(code)
    assert isinstance(doc.get("findings", []), list)
    if code == "contract.invalid":
        assert doc["findings"], doc
        for f in doc["findings"]:
            assert f["path"].startswith("$"), f
            assert f["code"] and f["message_zh"] and f["message_en"], f
    return doc


def codes_at(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Finding codes of a problem by JSON path."""
    out: dict[str, set[str]] = {}
    for f in doc.get("findings", []):
        out.setdefault(f["path"], set()).add(f["code"])
    return out


def assert_findings(resp: httpx.Response, *expected: tuple[str, str]) -> dict[str, Any]:
    """A 422 carrying every (code, path) given."""
    doc = assert_problem(resp, 422, "contract.invalid")
    got = {(f["code"], f["path"]) for f in doc["findings"]}
    missing = set(expected) - got
    assert not missing, f"missing {missing}; got {got}"
    return doc


# --- the mock under test -------------------------------------------------------------------------------


@pytest.fixture
def config() -> MockConfig:
    return MockConfig(control=True)


@pytest.fixture
def app(config: MockConfig) -> Any:
    application = create_app(config=config)
    load(application.state.national.store, demo_seed())
    load(application.state.national.store, SeedIn(credentials=CREDENTIALS))
    return application


@pytest.fixture(scope="session")
def _served() -> Iterator[tuple[AppSwitch, str]]:
    """One uvicorn on a free loopback port for the whole session (starting one per test costs ~0.25 s)."""
    with serving_switch() as served:
        yield served


@pytest.fixture
def base_url(app: Any, _served: tuple[AppSwitch, str]) -> Iterator[str]:
    """The test's own app (fresh state, config, clock and faults) served by uvicorn on a loopback port."""
    switch, url = _served
    switch.app = app
    yield url
    switch.app = None


@pytest.fixture
def server_errors() -> list[str]:
    """500 answers seen by the test's clients (filled by their response hook)."""
    return []


@pytest.fixture
def make_client(base_url: str, server_errors: list[str]) -> Iterator[Callable[[], httpx.Client]]:
    """A factory of extra clients (one per thread in concurrency tests), closed after the test."""
    made: list[httpx.Client] = []

    def hook(response: httpx.Response) -> None:
        if response.status_code == 500:
            response.read()
            if '"code":"fault.' in response.text.replace(" ", ""):
                return  # injected on purpose
            server_errors.append(f"{response.request.method} {response.request.url.path}: {response.text[:300]}")

    def make() -> httpx.Client:
        # plain HTTP on loopback: verify=False spares building a TLS context (~40 ms a client)
        c = httpx.Client(base_url=base_url, timeout=10, verify=False, event_hooks={"response": [hook]})
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def client(make_client: Callable[[], httpx.Client]) -> httpx.Client:
    return make_client()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if call.when == "call":
        item.stash[_CALL_FAILED] = bool(report.failed)  # type: ignore[attr-defined]
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when a request got a 500: in the journal, or as seen by a client."""
    if "app" not in request.fixturenames:  # a test that builds its own mock
        yield
        return
    # taken before the test so that both outlive the server (fixtures set up first are torn down last)
    app = request.getfixturevalue("app")
    seen = request.getfixturevalue("server_errors")
    yield
    if request.node.stash.get(_CALL_FAILED, False):
        return  # the test's own failure says enough
    entries = mock_journal.read(app.state.national.store, 0, 1_000_000)
    # a 500 the test asked for with an error fault is not a crash
    journalled = [f"{e['method']} {e['path']} -> {e['code']}" for e in entries if e["status"] == 500 and not e["fault"]]
    if journalled or seen:
        pytest.fail(f"500 answers: journal {journalled}, clients {seen}")


@pytest.fixture
def national(client: httpx.Client) -> Caller:
    return Caller(client, "national", "secret-national")


@pytest.fixture
def jiangsu(client: httpx.Client) -> Caller:
    return Caller(client, "jiangsu", "secret-jiangsu")


@pytest.fixture
def zhejiang(client: httpx.Client) -> Caller:
    return Caller(client, "zhejiang", "secret-zhejiang")


@pytest.fixture
def shipper(client: httpx.Client) -> Caller:
    return Caller(client, "shipper", "secret-shipper")


@pytest.fixture
def receiver(client: httpx.Client) -> Caller:
    return Caller(client, "receiver", "secret-receiver")


class Control:
    """The /_mock inspection and control API."""

    def __init__(self, client: httpx.Client, token: str | None) -> None:
        self.client = client
        self.headers = {"X-Hz-Admin-Token": token} if token else {}

    def _ok(self, resp: httpx.Response) -> Any:
        assert resp.status_code == 200, resp.text
        return resp.json()

    def journal(self, after: int = 0) -> list[dict[str, Any]]:
        return self._ok(self.client.get("/_mock/journal", params={"after": after}, headers=self.headers))["entries"]

    def last_id(self) -> int:
        entries = self.journal()
        return entries[-1]["id"] if entries else 0

    def state(self) -> dict[str, int]:
        return self._ok(self.client.get("/_mock/state", headers=self.headers))["records"]

    def fault(self, **rule: Any) -> list[dict[str, Any]]:
        return self._ok(self.client.post("/_mock/faults", json=rule, headers=self.headers))["faults"]

    def faults(self) -> list[dict[str, Any]]:
        return self._ok(self.client.get("/_mock/faults", headers=self.headers))["faults"]

    def clear_faults(self) -> list[dict[str, Any]]:
        return self._ok(self.client.delete("/_mock/faults", headers=self.headers))["faults"]

    def clock(self, **body: Any) -> dict[str, Any]:
        return self._ok(self.client.post("/_mock/clock", json=body, headers=self.headers))

    def seed(self, body: dict[str, Any]) -> dict[str, int]:
        return self._ok(self.client.post("/_mock/seed", json=body, headers=self.headers))["loaded"]


@pytest.fixture
def mock(client: httpx.Client, config: MockConfig) -> Control:
    return Control(client, config.control_token)


# --- manifests through their lifecycle -----------------------------------------------------------------

ACTION_BODIES: dict[str, dict[str, Any]] = {
    "submit": {},
    "dispatch": {"dispatched_at": "2024-03-25T10:05:00+08:00"},
    "receive": {
        "received_at": "2024-03-25T14:40:00+08:00",
        "lines": [{"line_no": 1, "received_t": "1.25"}, {"line_no": 2, "received_t": "0.72"}],
    },
    "reject": {"rejected_at": "2024-03-25T14:40:00+08:00", "reason": "包装破损，拒收"},
    "cancel": {"reason": "转移计划变更"},
}
ROUTE_TO: dict[str, list[str]] = {
    "draft": [],
    "submitted": ["submit"],
    "in_transit": ["submit", "dispatch"],
    "received": ["submit", "dispatch", "receive"],
    "rejected": ["submit", "dispatch", "reject"],
    "cancelled": ["cancel"],
}


def acting(action: str, shipper: Caller, receiver: Caller) -> Caller:
    """The party whose step ``action`` is: the receiver receives and rejects, the shipper does the rest."""
    return receiver if action in ("receive", "reject") else shipper


def act(no: str, action: str, shipper: Caller, receiver: Caller, body: Any = None) -> httpx.Response:
    caller = acting(action, shipper, receiver)
    return caller.post(f"/api/v1/manifests/{no}/{action}", ACTION_BODIES[action] if body is None else body)


def manifest_in(state: str, shipper: Caller, receiver: Caller, body: dict[str, Any] | None = None) -> str:
    """Create a manifest and drive it into ``state``; returns its number."""
    created = shipper.post("/api/v1/manifests", body or draft_manifest())
    assert created.status_code == 201, created.text
    no = str(created.json()["manifest_no"])
    for action in ROUTE_TO[state]:
        r = act(no, action, shipper, receiver)
        assert r.status_code == 200, f"{action}: {r.text}"
    return no
