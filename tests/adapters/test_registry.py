"""The adapter registry: entry points, validation at load, the example third-party plugin."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from adapters import (
    GROUP,
    AdapterRegistry,
    BaseAdapter,
    Bookmark,
    ConfigurationError,
    SourceRecord,
    Translator,
    validate_adapter,
)
from adapters.prov_rest import ProvRestAdapter

from .plugin import acme_installed  # noqa: F401  (a fixture)


class Good(BaseAdapter):
    name: ClassVar[str] = "good"
    mapping: ClassVar[str] = "prov-rest"
    streams: ClassVar[tuple[str, ...]] = ("manifest",)

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        yield from ()


def test_builtins_are_registered_and_valid() -> None:
    registry = AdapterRegistry()
    registry.load_builtins()
    assert registry.names() == ["enterprise-csv", "legacy-soap", "prov-rest"]
    assert registry.get("prov-rest") is ProvRestAdapter


def test_unknown_names_suggest_the_nearest() -> None:
    registry = AdapterRegistry()
    registry.load_builtins()
    with pytest.raises(ConfigurationError, match="did you mean 'prov-rest'"):
        registry.get("prov_rest")


def test_a_name_is_unique_but_the_same_class_may_come_twice() -> None:
    registry = AdapterRegistry()
    registry.register(Good)
    registry.register(Good)
    impostor = type("Impostor", (Good,), {})
    with pytest.raises(ConfigurationError, match="taken by"):
        registry.register(impostor)


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"name": ""}, "'name' must be a non-empty str"),
        ({"streams": ["manifest"]}, "'streams' must be a non-empty tuple"),
        ({"read": lambda self, since, extra: None}, r"read takes \(self, since, extra\)"),
        ({"read": lambda self: None}, r"read takes \(self\)"),
        ({"mapping": "no-such-profile"}, "does not load"),
        ({"streams": ("manifest", "ledger")}, "streams ledger are not in mapping prov-rest"),
    ],
)
def test_validation_at_load_says_what_is_wrong(attrs: dict[str, Any], message: str) -> None:
    broken = type("Broken", (Good,), attrs)
    with pytest.raises(ConfigurationError, match=message):
        validate_adapter(broken)


def test_the_entry_point_name_must_equal_the_adapter_name() -> None:
    with pytest.raises(ConfigurationError, match="registered as 'other'"):
        validate_adapter(Good, "other")


def test_a_mapping_that_does_not_fit_the_contract_is_refused_at_load(tmp_path: Path) -> None:
    (tmp_path / "national@2024.1.toml").write_text(
        textwrap.dedent(
            """
            [mapping]
            profile = "typo"
            contract = "national"
            contract_version = "2024.1"
            [resources.manifest]
            kind = "manifest"
            key = ["id"]
            [resources.manifest.fields]
            shiper.uscc = { path = "x" }
            items.quantity = { path = "y" }
            """
        ),
        encoding="utf-8",
    )
    typo = type("Typo", (Good,), {"mapping": str(tmp_path)})
    with pytest.raises(ConfigurationError) as err:
        validate_adapter(typo)
    assert "did you mean 'shipper'" in str(err.value)
    assert "has no field 'quantity'; did you mean 'quantity_t'" in str(err.value)


def test_a_broken_entry_point_names_itself() -> None:
    registry = AdapterRegistry()
    ep = EntryPoint(name="ghost", value="no_such_module:Adapter", group=GROUP)
    with pytest.raises(ConfigurationError, match="entry point ghost = 'no_such_module:Adapter' cannot be imported"):
        registry.load_entry_points([ep])


def test_the_example_plugin_is_found_through_its_entry_point(acme_installed: Path) -> None:  # noqa: F811
    assert "acme-gps" in {ep.name for ep in entry_points(group=GROUP)}
    registry = AdapterRegistry.default()
    assert {"acme-gps", "prov-rest", "legacy-soap", "enterprise-csv"} <= set(registry.names())
    acme = registry.get("acme-gps")
    positions = [
        {
            "id": 7,
            "plate": "冀A·7G352",
            "waybill": "20241306000123",
            "lat": 38872258,
            "lng": 115485858,
            "speed": 625,
            "direction": 135,
            "gpsTime": "2024-03-25 10:15:00",
        },
        {
            "id": 8,
            "plate": "冀A7G352",
            "waybill": "20241306000123",
            "lat": 38872258,
            "lng": 11548585800,
            "speed": 0,
            "direction": 0,
            "gpsTime": "2024-03-25 10:16:00",
        },
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        after = int(request.url.params["after"])
        return httpx.Response(200, json={"code": 0, "data": [p for p in positions if p["id"] > after]})

    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://acme.test") as client:
        adapter = acme({"token": "t"}, client=client)
        results = list(Translator(acme.profile()).translate(adapter.read(None)))
        assert list(adapter.read(Bookmark({"track": 8}))) == []
    ok, bad = results
    point = ok.model.points[0]  # type: ignore[union-attr]
    assert (point.lon, point.lat, point.speed_kmh, point.vehicle_plate) == (115.485858, 38.872258, 62.5, "冀A7G352")
    assert bad.reasons[0]["code"] == "mapping.coordinate.range"  # type: ignore[union-attr]
