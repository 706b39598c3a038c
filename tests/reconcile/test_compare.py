"""Tolerances of the field comparison: units, precision, datum, time offsets, text, lists, ignored paths."""

from __future__ import annotations

from conformance.reconcile import ResourceRules, Tolerances, diff_records
from conformance.reconcile.compare import GCJ_HINT, KG_HINT, distance_m

R = "manifests"


def test_coordinates_by_distance_with_datum_hint() -> None:
    here = {"lat": 31.2304, "lon": 121.4737}
    near = {"lat": 31.2305, "lon": 121.4738}  # ~15 m
    gcj = {"lat": 31.2284, "lon": 121.4782}  # ~480 m: the GCJ-02 shift around Shanghai
    far = {"lat": 31.30, "lon": 121.4737}
    assert diff_records(R, {"p": here}, {"p": near}, Tolerances()) == []
    [d] = diff_records(R, {"p": here}, {"p": gcj}, Tolerances())
    assert d.path == "p.lat,lon" and d.note == GCJ_HINT and 300 < distance_m(31.2304, 121.4737, 31.2284, 121.4782) < 700
    [d] = diff_records(R, {"p": here}, {"p": far}, Tolerances())
    assert d.note is None


def test_tonnes_to_six_places_and_kilogram_hint() -> None:
    assert diff_records(R, {"q_t": "1.5"}, {"q_t": "1.500000"}, Tolerances()) == []
    assert diff_records(R, {"q_t": "1.5000001"}, {"q_t": "1.5"}, Tolerances()) == []
    [d] = diff_records(R, {"q_t": "1500"}, {"q_t": "1.5"}, Tolerances())
    assert d.note == KG_HINT and d.rule == "decimal(6)"
    [d] = diff_records(R, {"q_t": "1.500001"}, {"q_t": "1.5"}, Tolerances())
    assert d.note is None


def test_times_across_offsets_to_the_second() -> None:
    t = Tolerances()
    assert diff_records(R, {"at": "2024-03-18T09:00:00+08:00"}, {"at": "2024-03-18T01:00:00Z"}, t) == []
    assert diff_records(R, {"at": "2024-03-18T09:00:00.900+08:00"}, {"at": "2024-03-18T01:00:00Z"}, t) == []
    [d] = diff_records(R, {"at": "2024-03-18T09:00:01+08:00"}, {"at": "2024-03-18T01:00:00Z"}, t)
    assert d.rule == "time(1 s)"


def test_text_normalisation_only_when_configured() -> None:
    a, b = {"name": "ＡＢＣ  公司"}, {"name": "ABC 公司 "}
    assert len(diff_records(R, a, b, Tolerances())) == 1
    assert diff_records(R, a, b, Tolerances(normalize_text=True)) == []
    per_resource = Tolerances(resources={R: ResourceRules(normalize_text=True)})
    assert diff_records(R, a, b, per_resource) == []


def test_lists_by_position_and_ignored_paths() -> None:
    a = {"manifest_no": "20243205000001", "items": [{"line_no": 1, "received_t": "1"}, {"line_no": 2}]}
    b = {"manifest_no": "20243205000999", "items": [{"line_no": 1, "received_t": "2"}], "updated_at": "x"}
    paths = [d.path for d in diff_records(R, a, b, Tolerances())]
    assert paths == ["items[0].received_t", "items[1]"]  # manifest_no is server-assigned, updated_at meta
    rules = Tolerances(resources={R: ResourceRules(ignore=frozenset({"items[*].received_t"}), keep_server_fields=True)})
    assert [d.path for d in diff_records(R, a, b, rules)] == ["manifest_no", "items[1]"]
    exact = Tolerances(resources={R: ResourceRules(exact=frozenset({"items[*].received_t"}))})
    assert [
        d.rule for d in diff_records(R, {"items": [{"received_t": "1.0"}]}, {"items": [{"received_t": "1"}]}, exact)
    ] == ["exact"]
