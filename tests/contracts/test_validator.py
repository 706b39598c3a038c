"""The Validator: structural errors as findings with JSON paths, robustness, batches, and the samples."""

from __future__ import annotations

import json
import re
import string
from collections import defaultdict
from pathlib import Path
from string import Formatter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contracts
from contracts import CATALOG, KINDS, Severity, Validator
from contracts._schema_errors import _OWN_CODES
from contracts.findings import Finding
from tests.contracts import records

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def pairs(findings):
    return sorted((f.code, f.path) for f in findings)


def assert_well_formed(findings: list[Finding]) -> None:
    for f in findings:
        assert f.code in CATALOG, f.code
        assert f.path.startswith("$"), f.path
        assert f.message_zh and f.message_en
        assert isinstance(f.severity, Severity)


# --- structural errors -------------------------------------------------------------------------


def test_valid_manifest_json():
    outcome = Validator("manifest").validate_json((records.SAMPLES / "manifest.json").read_bytes())
    assert outcome.ok
    assert outcome.findings == []
    assert outcome.model.manifest_no == "20243205000123"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["items"][0].update(quantity_t="-1"), ("schema.invalid", "$.items[0].quantity_t")),
        (lambda d: d["items"][0].update(quantity_t="0"), ("schema.invalid", "$.items[0].quantity_t")),
        (lambda d: d["items"][1].update(quantity_t="0.0000001"), ("schema.invalid", "$.items[1].quantity_t")),
        (lambda d: d["items"][0].update(quantity_t="abc"), ("schema.invalid", "$.items[0].quantity_t")),
        (lambda d: d["items"][0].update(waste_code="900-041-4"), ("schema.invalid", "$.items[0].waste_code")),
        (lambda d: d["items"][1]["hazards"].append("X"), ("schema.invalid", "$.items[1].hazards[2]")),
        (lambda d: d["items"][0]["label_ids"].__setitem__(1, "X"), ("schema.invalid", "$.items[0].label_ids[1]")),
        (lambda d: d["carriers"][0]["contact"].pop("phone"), ("schema.missing", "$.carriers[0].contact.phone")),
        (lambda d: d.pop("shipper"), ("schema.missing", "$.shipper")),
        (lambda d: d.update(items=[]), ("schema.invalid", "$.items")),
        (lambda d: d.update(status="lost"), ("schema.invalid", "$.status")),
        (lambda d: d.update(colour="red"), ("schema.extra_forbidden", "$.colour")),
        (lambda d: d["items"][0].update(colour="red"), ("schema.extra_forbidden", "$.items[0].colour")),
        (lambda d: d.update(dispatched_at="2024-03-25T10:05:00"), ("schema.timezone_aware", "$.dispatched_at")),
        (lambda d: d.update(created_at="2024-03-25 08:30:00"), ("schema.timezone_aware", "$.created_at")),
        (lambda d: d.update(created_at="yesterday"), ("schema.invalid", "$.created_at")),
        (lambda d: d["items"][0].update(package_count=2.5), ("schema.invalid", "$.items[0].package_count")),
        (lambda d: d["items"][0].update(package_count=0), ("schema.invalid", "$.items[0].package_count")),
        (lambda d: d["shipper"].update(uscc="91320576MA1MXK3Q7"), ("schema.invalid", "$.shipper.uscc")),
    ],
)
def test_structural_error_becomes_one_finding_with_its_path(edit, expected):
    d = records.manifest_dict()
    edit(d)
    for outcome in (Validator("manifest").validate_json(json.dumps(d)), Validator("manifest").validate_python(d)):
        assert outcome.model is None
        assert not outcome.ok
        assert pairs(outcome.findings) == [expected]
        assert all(f.severity is Severity.ERROR for f in outcome.findings)
        assert_well_formed(outcome.findings)


def test_several_structural_errors_are_all_reported():
    d = records.manifest_dict()
    d["items"][0]["quantity_t"] = "-1"
    d["items"][1]["form"] = "plasma"
    d["received_at"] = "2024-03-25T14:40:00"
    d["extra"] = 1
    outcome = Validator("manifest").validate_json(json.dumps(d))
    assert pairs(outcome.findings) == [
        ("schema.extra_forbidden", "$.extra"),
        ("schema.invalid", "$.items[0].quantity_t"),
        ("schema.invalid", "$.items[1].form"),
        ("schema.timezone_aware", "$.received_at"),
    ]


def test_structural_finding_messages_are_bilingual_and_carry_the_pydantic_type():
    d = records.manifest_dict()
    d["items"][0]["quantity_t"] = "-1"
    (f,) = Validator("manifest").validate_python(d).findings
    assert f.message_zh.startswith("字段值不符合契约")
    assert "应大于" in f.message_zh
    assert f.context["type"] == "greater_than"
    assert f.context["input"] == "-1"


@pytest.mark.parametrize("data", [b"", b"{", b'{"a":}', b"\xff\xfe\x00", "{'single': 'quotes'}", b"[1,2", b"nul"])
def test_invalid_json(data):
    outcome = Validator("unit").validate_json(data)
    assert outcome.model is None
    assert [(f.code, f.path, f.severity) for f in outcome.findings] == [("schema.json_invalid", "$", Severity.ERROR)]


@pytest.mark.parametrize("data", [b"null", b"[]", b"42", b'"unit"'])
def test_json_that_is_not_an_object(data):
    outcome = Validator("unit").validate_json(data)
    assert pairs(outcome.findings) == [("schema.invalid", "$")]


# --- the ledger union --------------------------------------------------------------------------


def test_ledger_union_paths_leave_out_the_kind_tag():
    d = records.ledger_dicts()[2]  # store_in
    d["occurred_at"] = "2024-03-18 16:00:00"
    d["upstream_batch_codes"][1] = "HW CS"
    d["label_ids"] = ["short"]
    outcome = Validator("ledger").validate_json(json.dumps(d))
    assert pairs(outcome.findings) == [
        ("schema.invalid", "$.label_ids[0]"),
        ("schema.invalid", "$.upstream_batch_codes[1]"),
        ("schema.timezone_aware", "$.occurred_at"),
    ]
    tags = {"generate", "store_in", "store_out", "self_process", "outsource"}
    for f in outcome.findings:
        assert not any(part in tags for part in re.split(r"[.\[\]]", f.path))


@pytest.mark.parametrize("kind", ["generate", "store_in", "store_out", "outsource"])
def test_each_ledger_kind_reports_missing_fields_at_the_root(kind):
    d = next(r for r in records.ledger_dicts() if r["kind"] == kind)
    del d["handler"]
    outcome = Validator("ledger").validate_python(d)
    assert pairs(outcome.findings) == [("schema.missing", "$.handler")]


def test_ledger_with_unknown_or_missing_kind():
    d = records.ledger_dicts()[0]
    d["kind"] = "burn"
    (f,) = Validator("ledger").validate_python(d).findings
    assert (f.code, f.path, f.context["type"]) == ("schema.invalid", "$", "union_tag_invalid")
    del d["kind"]
    (f,) = Validator("ledger").validate_python(d).findings
    assert (f.code, f.path, f.context["type"]) == ("schema.invalid", "$", "union_tag_not_found")


def test_ledger_field_of_another_kind_is_extra():
    d = records.ledger_dicts()[0]  # generate
    d["upstream_batch_codes"] = ["HWCS20240318001"]
    assert pairs(Validator("ledger").validate_python(d).findings) == [
        ("schema.extra_forbidden", "$.upstream_batch_codes")
    ]


# --- robustness: no input makes the validator raise --------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_arbitrary_bytes_never_raise(kind):
    validator = Validator(kind)

    @FUZZ
    @given(st.binary(max_size=300))
    def run(data):
        outcome = validator.validate_json(data)
        assert outcome.model is None  # no byte soup is a valid record
        assert outcome.findings
        assert all(f.severity is Severity.ERROR for f in outcome.findings)
        assert_well_formed(outcome.findings)

    run()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_arbitrary_json_never_raises(kind):
    validator = Validator(kind)

    @FUZZ
    @given(json_values)
    def run(value):
        for outcome in (validator.validate_json(json.dumps(value)), validator.validate_python(value)):
            assert outcome.model is None
            assert_well_formed(outcome.findings)

    run()


SAMPLE_BY_KIND = {
    "unit": ("units.ndjson", 1),
    "license": ("licenses.ndjson", 1),
    "approval": ("approvals.ndjson", 1),
    "label": ("labels.ndjson", 1),
    "ledger": ("ledger.ndjson", 5),
    "manifest": ("manifest.json", 1),
    "operation": ("operations.ndjson", 1),
    "operation-report": ("operation-reports.ndjson", 1),
}


def _leaf_paths(value, prefix=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaf_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaf_paths(v, (*prefix, i))
    else:
        yield prefix


def _set(doc, path, value):
    for step in path[:-1]:
        doc = doc[step]
    doc[path[-1]] = value


ODD_VALUES = st.one_of(
    json_values,
    st.text(string.digits + "０１٣²-.", max_size=20),
    st.sampled_from(
        [
            10**400,
            -(10**30),
            1e308,
            -0.0,
            "1e999",
            "NaN",
            "Infinity",
            "9999-12-31",
            "0001-01-01",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00:00+14:00",
            "\n",
            "",
        ]
    ),
)


@pytest.mark.parametrize("kind", sorted(SAMPLE_BY_KIND))
def test_mutated_valid_records_never_raise(kind):
    name, line = SAMPLE_BY_KIND[kind]
    base = records.row(name, line)
    leaves = list(_leaf_paths(base))
    validator = Validator(kind)

    @FUZZ
    @given(st.lists(st.tuples(st.sampled_from(leaves), ODD_VALUES), min_size=1, max_size=3))
    def run(edits):
        doc = records.row(name, line)
        for path, value in edits:
            _set(doc, path, value)
        outcome = validator.validate_json(json.dumps(doc))
        assert_well_formed(outcome.findings)

    run()


def test_deeply_nested_json_does_not_raise():
    for depth in (200, 5000, 100_000):
        outcome = Validator("manifest").validate_json(b"[" * depth + b"]" * depth)
        assert outcome.model is None and outcome.findings
        outcome = Validator("ledger").validate_json(b'{"a":' * depth + b"1" + b"}" * depth)
        assert outcome.model is None and outcome.findings


@pytest.mark.parametrize(
    "number", ["1" + "0" * 30, "123456789012345678901234567890.5", "1e400", "-1e400", "1e-400", "-0.0"]
)
def test_huge_tiny_and_infinite_numbers_are_findings_at_their_path(number):
    d = records.manifest_dict()
    d["items"][1]["quantity_t"] = "@Q@"
    outcome = Validator("manifest").validate_json(json.dumps(d).replace('"@Q@"', number))
    assert outcome.model is None
    assert pairs(outcome.findings) == [("schema.invalid", "$.items[1].quantity_t")]


def test_numbers_beyond_the_parser_do_not_raise():
    d = records.manifest_dict()
    d["items"][0]["quantity_t"] = "@Q@"
    outcome = Validator("manifest").validate_json(json.dumps(d).replace('"@Q@"', "1" + "0" * 5000))
    assert outcome.model is None
    assert outcome.findings and all(f.severity is Severity.ERROR for f in outcome.findings)
    assert_well_formed(outcome.findings)


def test_credit_code_with_full_width_digits_is_a_finding_not_a_crash():
    # The model's pattern uses \d, which pydantic's regex engine matches for any Unicode decimal digit.
    d = records.row("units.ndjson")
    d["uscc"] = "91３２０５７６MA1MXK3Q7M"
    outcome = Validator("unit").validate_python(d)
    assert outcome.findings and not outcome.ok
    assert {f.code for f in outcome.findings} <= {"uscc.format", "schema.invalid"}


@pytest.mark.parametrize(
    ("kind", "name", "edit"),
    [
        # dates (not timestamps) at the end of the calendar: a 12-month limit or a due date a year
        # later does not exist
        ("approval", "approvals.ndjson", {"valid_from": "9999-06-01", "valid_to": "9999-12-31"}),
        ("license", "licenses.ndjson", {"valid_from": "9999-06-01", "valid_to": "9999-12-31"}),
        ("operation-report", "operation-reports.ndjson", {"period_type": "annual", "period": "9999"}),
        ("operation-report", "operation-reports.ndjson", {"period": "9999-12"}),
        # timestamps whose conversion to China time leaves the calendar
        ("operation-report", "operation-reports.ndjson", {"submitted_at": "9999-12-31T20:00:00+00:00"}),
        ("operation-report", "operation-reports.ndjson", {"submitted_at": "0001-01-01T00:00:00+14:00"}),
        ("manifest", "manifest.json", {"created_at": "0001-01-01T00:00:00+14:00"}),
    ],
)
def test_dates_at_the_end_of_the_calendar_do_not_raise(kind, name, edit):
    d = records.row(name)
    d.update(edit)
    # Whether such a record is refused by its structure or judged by the rules, the answer must be
    # findings, not an exception.
    outcome = Validator(kind).validate_python(d)
    assert_well_formed(outcome.findings)
    outcome = Validator(kind).validate_json(json.dumps(d))
    assert_well_formed(outcome.findings)
    if kind in ("approval", "license"):
        assert outcome.model is not None  # a date in 9999 is a valid date


# --- batches -----------------------------------------------------------------------------------


def test_duplicates_by_natural_key():
    unit = records.row("units.ndjson")
    other = records.row("units.ndjson", 2)
    renamed = dict(unit, name="苏州华澄精细化工有限公司（更名）")
    findings = list(Validator("unit").validate_many([(1, unit), (2, other), (3, renamed), (4, json.dumps(unit))]))
    dups = [f for f in findings if f.code == "duplicate.key"]
    assert [(f.record, f.path, f.severity) for f in dups] == [(3, "$", Severity.ERROR), (4, "$", Severity.ERROR)]
    assert all(f.context == {"key": unit["uscc"], "first": 1} for f in dups)


def test_ledger_natural_key_is_unit_kind_and_batch():
    rows = records.ledger_dicts()
    same_code_other_kind = dict(rows[0], kind="store_in", facility_type="贮存库", upstream_batch_codes=["X01"])
    same_code_other_kind.pop("destination")
    other_unit = dict(rows[0], unit_uscc=records.RECEIVER, label_ids=[])
    findings = list(
        Validator("ledger", codelists=False).validate_many(
            [(1, rows[0]), (2, same_code_other_kind), (3, other_unit), (4, rows[0])]
        )
    )
    assert [(f.code, f.record) for f in findings] == [("duplicate.key", 4)]


def test_manifest_key_falls_back_to_local_ref_and_may_be_absent():
    a = records.manifest_dict()
    b = dict(records.manifest_dict(), manifest_no=None, status="draft", dispatched_at=None, received_at=None)
    c = dict(b)
    d = dict(b, local_ref=None)
    e = dict(d)
    findings = list(Validator("manifest", codelists=False).validate_many([(1, a), (2, b), (3, c), (4, d), (5, e)]))
    assert [(f.code, f.record, f.context["first"]) for f in findings] == [("duplicate.key", 3, 2)]


def test_invalid_records_are_not_keys():
    unit = records.row("units.ndjson")
    broken = dict(unit, region_code="32")
    findings = list(Validator("unit").validate_many([(1, broken), (2, unit)]))
    assert [(f.code, f.record) for f in findings] == [("schema.invalid", 1)]


def test_validate_many_tags_every_finding_with_its_record():
    rows = records.rows("units.ndjson")
    findings = list(Validator("unit").validate_many([(f"units.ndjson:{i}", r) for i, r in enumerate(rows, 1)]))
    assert [(f.code, f.record) for f in findings] == [("uscc.checksum", "units.ndjson:3")]


def test_validate_many_runs_the_mass_balance_with_record_refs():
    rows = records.rows("ledger-invalid.ndjson")
    findings = list(Validator("ledger").validate_many([(i, json.dumps(r)) for i, r in enumerate(rows, 1)]))
    neg = [f for f in findings if f.code == "ledger.negative_stock"]
    assert [(f.record, f.path) for f in neg] == [(3, "$.quantity_t")]


def test_codelists_false_skips_code_lists_rules_and_batch_checks():
    unit = dict(records.row("units.ndjson", 3), region_code="329999")  # checksum warning, unknown region
    assert pairs(Validator("unit").validate_python(unit).findings) == [
        ("region.unknown", "$.region_code"),
        ("uscc.checksum", "$.uscc"),
    ]
    outcome = Validator("unit", codelists=False).validate_python(unit)
    assert outcome.findings == [] and outcome.ok
    # rules too: an 8 % shortfall without the 重大差异 flag
    manifest = records.row("manifests.ndjson", 6)
    assert Validator("manifest", codelists=False).validate_python(manifest).findings == []
    # batch checks too: the negative stock of the invalid ledger sample is not looked at
    rows = records.rows("ledger-invalid.ndjson")
    findings = list(Validator("ledger", codelists=False).validate_many(enumerate(rows, 1)))
    assert [(f.code, f.record) for f in findings] == [("schema.timezone_aware", 4)]
    # structure is still checked
    assert pairs(Validator("unit", codelists=False).validate_python(dict(unit, uscc="x")).findings) == [
        ("schema.invalid", "$.uscc")
    ]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        Validator("waybill")


# --- the finding catalogue ---------------------------------------------------------------------


def test_every_catalogue_entry_has_both_languages_and_matching_placeholders():
    def fields(template):
        return {name for _, name, _, _ in Formatter().parse(template) if name}

    assert CATALOG
    for code, ft in CATALOG.items():
        assert ft.code == code
        assert ft.zh.strip() and ft.en.strip(), code
        assert isinstance(ft.severity, Severity)
        assert fields(ft.zh) == fields(ft.en), code


def test_every_code_the_source_emits_is_registered():
    root = Path(contracts.__file__).parent
    emitted = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        emitted |= set(re.findall(r"\bfinding\(\s*\"([a-z_.]+)\"", text))
        emitted |= set(re.findall(r"CATALOG\[\"([a-z_.]+)\"\]", text))
    emitted |= {f"schema.{c}" for c in _OWN_CODES}
    assert len(emitted) > 40
    assert emitted <= set(CATALOG), emitted - set(CATALOG)


# --- the shipped samples -----------------------------------------------------------------------

INDEX = json.loads((records.SAMPLES / "index.json").read_text(encoding="utf-8"))


def _sample_records(name: str) -> list[tuple[int, str]]:
    text = (records.SAMPLES / name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return [(1, text)]
    return [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def test_index_covers_every_sample_file():
    listed = {e["file"] for e in INDEX}
    shipped = {p.name for p in records.SAMPLES.iterdir() if p.name != "index.json"}
    assert listed == shipped


@pytest.mark.parametrize("entry", INDEX, ids=[e["file"] for e in INDEX])
def test_sample_file_gives_exactly_the_expected_findings(entry):
    recs = _sample_records(entry["file"])
    findings = list(Validator(entry["kind"]).validate_many(recs))
    assert_well_formed(findings)
    per_record: dict[int, list[str]] = defaultdict(list)
    for f in findings:
        if f.severity is not Severity.INFO and f.record is not None:
            per_record[f.record].append(f.code)
    for ref, _ in recs:
        expected = sorted(entry["expect"].get(str(ref), []))
        assert sorted(per_record.get(ref, [])) == expected, (entry["file"], ref)
        if not expected:
            assert not [f for f in findings if f.record == ref and f.severity is Severity.ERROR]
    assert set(entry["expect"]) <= {str(ref) for ref, _ in recs}
    file_level = [f for f in findings if f.record is None]
    if not entry["expect"]:
        assert file_level == []
    else:
        assert all(f.severity is not Severity.ERROR for f in file_level)


def test_invalid_ledger_sample_is_also_unbalanced_as_a_whole():
    # generated 0.2 t; store change 0.2 - 0.5 = -0.3; nothing shipped or processed: 0.2 ≠ -0.3
    recs = _sample_records("ledger-invalid.ndjson")
    file_level = [f for f in Validator("ledger").validate_many(recs) if f.record is None]
    assert [(f.code, f.severity) for f in file_level] == [("ledger.unbalanced", Severity.WARNING)]
