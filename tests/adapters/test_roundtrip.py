"""Generated business records, rendered the way each local system stores them, translate back to themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import Accepted, Translator
from adapters.enterprise_csv import EnterpriseCsvAdapter
from adapters.legacy_soap import LegacySoapAdapter
from adapters.prov_rest import ProvRestAdapter
from mappings import load_profile
from mocks.local import Generator, enterprise_csv, legacy_soap, prov_rest
from mocks.local.legacy_soap import legacy_number

from .conftest import SOAP_CONFIG, contract, same_except_coordinates


def accepted(results: list[object]) -> list[Accepted]:
    assert all(isinstance(r, Accepted) for r in results), [getattr(r, "reasons", None) for r in results]
    return results  # type: ignore[return-value]


def test_prov_rest_manifests_and_tracks_come_back_unchanged(prov_system, prov_client, now) -> None:  # type: ignore[no-untyped-def]
    made = prov_system.seed(Generator(11), manifests=15, points=3)
    adapter = ProvRestAdapter({"token": "demo-token", "page_size": 6}, client=prov_client, clock=now)
    results = accepted(list(Translator(ProvRestAdapter.profile()).translate(adapter.read(None))))
    manifests = {r.model.manifest_no: json.loads(r.to_json()) for r in results if r.kind == "manifest"}
    assert len(manifests) == 15
    for m in made:
        assert manifests[m["manifest_no"]] == contract("manifest", m)
    tracks = [json.loads(r.to_json()) for r in results if r.kind == "track"]
    gen = Generator(11)  # replay the seeding: a manifest, then its track, as the system was seeded
    expected = []
    for _ in range(15):
        m = gen.manifest()
        if m["status"] in ("in_transit", "received"):
            expected += [contract("track", {"manifest_no": m["manifest_no"], "points": [p]}) for p in gen.track(m, 3)]
    assert len(tracks) == len(expected) > 0
    key = lambda t: (t["manifest_no"], t["points"][0]["recorded_at"])  # noqa: E731
    for got, want in zip(sorted(tracks, key=key), sorted(expected, key=key), strict=True):
        assert same_except_coordinates(got, want)


def with_legs(gen: Generator, m: dict[str, Any], legs: int) -> dict[str, Any]:
    """``m`` moved by ``legs`` carriers (分段运输), each leg a different carrier; every fourth leg by water."""
    others = [c for c in gen.carriers if c["uscc"] != m["carriers"][0]["uscc"]]
    for leg in range(2, legs + 1):
        c = others[(leg - 2) % len(others)]
        m["carriers"].append(
            {
                **gen.party(c),
                "leg": leg,
                "mode": "water" if leg == 4 else "road",
                "vehicle_plate": gen.plate(c["region_code"]),
                "road_permit_no": f"交运管许可字{c['region_code']}{100000 + leg}号",
                "driver": gen.person(),
            }
        )
    return m


def test_prov_rest_keeps_every_carrier_leg(prov_system, prov_client, now) -> None:  # type: ignore[no-untyped-def]
    gen = Generator(14)
    made = [with_legs(gen, gen.manifest(), 2 + n % 3) for n in range(12)]  # 2, 3 or 4 legs
    rendered = [prov_rest.render_manifest(m) for m in made]
    for m, r in zip(made, rendered, strict=True):
        c = m["carriers"][0]  # the first leg keeps its flat keys; the others are listed with their leg number
        assert (r["ysdwxydm"], r["ysdwmc"], r["jsyxm"], r["ysfs"]) == (c["uscc"], c["name"], c["driver"], "1")
        assert [x["dh"] for x in r["ysdwlb"]] == [str(c["leg"]) for c in m["carriers"][1:]]
        assert [x["ysdwxydm"] for x in r["ysdwlb"]] == [c["uscc"] for c in m["carriers"][1:]]
        prov_system.save("ldxx", r)
    # Plates written with a middle dot (冀A·7G352) occur in later legs too, and are compacted there as well.
    assert any("·" in x["yscph"] for r in rendered for x in r["ysdwlb"])
    assert any(x["ysfs"] == "3" for r in rendered for x in r["ysdwlb"])
    adapter = ProvRestAdapter({"token": "demo-token", "page_size": 5}, client=prov_client, clock=now)
    results = accepted(list(Translator(ProvRestAdapter.profile()).translate(adapter.read(None))))
    manifests = {r.model.manifest_no: json.loads(r.to_json()) for r in results if r.kind == "manifest"}
    assert len(manifests) == len(made)
    for m in made:
        want = contract("manifest", m)
        assert len(want["carriers"]) == len(m["carriers"]) > 1
        assert manifests[m["manifest_no"]]["carriers"] == want["carriers"]
        assert manifests[m["manifest_no"]] == want


def test_a_listed_leg_is_checked_like_the_first() -> None:
    gen = Generator(15)
    record = prov_rest.render_manifest(with_legs(gen, gen.manifest(), 3))
    del record["ysdwlb"][1]["ysdwxydm"]
    mapped = ProvRestAdapter.profile().apply("manifest", record)
    found = {(i.code, i.path, i.source) for i in mapped.issues}
    assert found == {("mapping.missing", "$.carriers[2].uscc", "ysdwlb[1].ysdwxydm")}


def test_legacy_soap_through_zeep_and_through_saved_responses_gives_the_same(  # type: ignore[no-untyped-def]
    soap_system, soap_client, now, tmp_path: Path
) -> None:
    made = soap_system.seed(Generator(12), manifests=12, points=3)
    adapter = LegacySoapAdapter({**SOAP_CONFIG, "page_size": 5}, client=soap_client, clock=now)
    translator = Translator(LegacySoapAdapter.profile())
    live = accepted(list(translator.translate(adapter.read(None))))
    by_ref = {r.model.local_ref: json.loads(r.to_json()) for r in live if r.kind == "manifest"}
    for m in made:
        want = contract("manifest", {**m, "local_ref": legacy_number(m)})
        assert by_ref[legacy_number(m)] == want
    # The same records saved as SOAP responses and read by the lxml path.
    ldxx = list(soap_system.records["ldxx"].values())
    gjxx = list(soap_system.records["gjxx"].values())
    (tmp_path / "l.xml").write_bytes(legacy_soap.response_document("queryLdxx", "ldxx", ldxx))
    (tmp_path / "g.xml").write_bytes(legacy_soap.response_document("queryGjxx", "gjxx", gjxx))
    saved = accepted(list(translator.translate_files([tmp_path / "l.xml", tmp_path / "g.xml"])))
    assert sorted(r.to_json() for r in saved) == sorted(r.to_json() for r in live)


def test_enterprise_csv_and_xlsx_exports_come_back_unchanged(tmp_path: Path) -> None:
    records = Generator(13).ledger(12)
    enterprise_csv.write_csv(tmp_path / "a.csv", [enterprise_csv.render_row(r) for r in records], encoding="gbk")
    enterprise_csv.write_xlsx(tmp_path / "b.xlsx", records)
    adapter = EnterpriseCsvAdapter({"folder": str(tmp_path), "settle_seconds": 0})
    results = accepted(list(Translator(EnterpriseCsvAdapter.profile()).translate(adapter.read(None))))
    want = [contract("ledger", r) for r in records]
    assert [json.loads(r.to_json()) for r in results] == want + want


ENCODINGS = [
    ("utf-8", False, ","),
    ("utf-8", True, ","),
    ("gbk", False, ","),
    ("gb18030", False, ","),
    ("gb18030", True, "\t"),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), flows=st.integers(1, 4), variant=st.integers(0, 3))
def test_every_encoding_variant_of_the_same_csv_gives_identical_output(seed: int, flows: int, variant: int) -> None:
    rows = [enterprise_csv.render_row(r, variant) for r in Generator(seed).ledger(flows)]
    translator = Translator(load_profile("enterprise-csv"))
    outputs = []
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for encoding, bom, delimiter in ENCODINGS:
            path = Path(d) / f"{encoding}-{bom}-{ord(delimiter)}.csv"
            enterprise_csv.write_csv(path, rows, encoding=encoding, bom=bom, delimiter=delimiter)
            outputs.append([r.to_json() for r in accepted(list(translator.translate_files([path])))])
    assert all(o == outputs[0] for o in outputs)
    assert len(outputs[0]) == len(rows)
