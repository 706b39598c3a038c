"""Fixtures: the reference local systems in-process, a fixed clock, and canonical comparison."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from contracts import Validator
from mocks.local import TZ, legacy_soap, prov_rest
from mocks.local.inprocess import asgi_client

SAVED_AT = datetime(2024, 6, 1, 10, 0, 0, tzinfo=TZ)
NOW = datetime(2024, 6, 1, 11, 0, 0, tzinfo=TZ)


class Clock:
    """A settable clock for the systems (when records are saved) and the adapters (window end)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def saved_clock() -> Clock:
    return Clock(SAVED_AT)


@pytest.fixture
def now() -> Clock:
    return Clock(NOW)


@pytest.fixture
def prov_system(saved_clock: Clock) -> prov_rest.ProvRestSystem:
    return prov_rest.ProvRestSystem(clock=saved_clock)


@pytest.fixture
def prov_client(prov_system: prov_rest.ProvRestSystem) -> Iterator[httpx.Client]:
    with asgi_client(prov_rest.create_app(prov_system), "http://prov.test") as client:
        yield client


@pytest.fixture
def soap_system(saved_clock: Clock) -> legacy_soap.LegacySoapSystem:
    return legacy_soap.LegacySoapSystem(clock=saved_clock)


@pytest.fixture
def soap_client(soap_system: legacy_soap.LegacySoapSystem) -> Iterator[httpx.Client]:
    with asgi_client(legacy_soap.create_app(soap_system), "http://legacy.test") as client:
        yield client


SOAP_CONFIG = {"address": "http://legacy.test" + legacy_soap.PATH, "username": "demo", "password": "demo-pass"}


def contract(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """A record in canonical contract JSON (through the model, private ``_`` keys dropped)."""
    clean = {k: v for k, v in record.items() if not k.startswith("_")}
    outcome = Validator(kind).validate_python(clean)
    assert outcome.model is not None, outcome.findings
    assert not [f for f in outcome.findings if f.severity.value == "error"], outcome.findings
    dumped: dict[str, Any] = outcome.model.model_dump(mode="json", exclude_none=True)
    return dumped


def same_except_coordinates(got: dict[str, Any], want: dict[str, Any], metres: float = 1.0) -> bool:
    """Equal, except that track coordinates may differ by less than ``metres``."""
    got_points, want_points = got.get("points"), want.get("points")
    if got_points is None:
        return got == want
    if {**got, "points": None} != {**want, "points": None} or len(got_points) != len(want_points or []):
        return False
    for a, b in zip(got_points, want_points or [], strict=True):
        if {**a, "lat": 0, "lon": 0} != {**b, "lat": 0, "lon": 0}:
            return False
        # 1e-5 degree is about a metre; the local systems store 6 decimals.
        if abs(a["lat"] - b["lat"]) * 111_000 > metres or abs(a["lon"] - b["lon"]) * 90_000 > metres:
            return False
    return True


Canon = Callable[[str, dict[str, Any]], dict[str, Any]]
