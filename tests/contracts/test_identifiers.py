"""Identifier validators other than the credit code, and the code lists behind them."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from contracts import Severity
from contracts.codelists import edition_for, editions, regions
from contracts.identifiers import (
    LabelIdScheme,
    check_batch_code,
    check_facility_code,
    check_label_id,
    check_manifest_no,
    check_plate,
    check_region,
    check_uscc,
    check_waste,
)
from tests.contracts.strategies import (
    ILLEGAL_ID_CHARS,
    NON_ASCII_DIGITS,
    PLATE_LETTERS,
    PROVINCE_ABBR,
    dates,
    label_ids,
    plates,
    usccs,
    waste_codes,
)

P = "$.x"
SHIPPER = "91320576MA1MXK3Q7M"
RECEIVER = "91320612MA1NH0KR2W"


def codes(findings):
    return sorted(f.code for f in findings)


# --- region codes (GB/T 2260) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("320000", "province"),  # 江苏省
        ("110000", "province"),  # 北京市
        ("320500", "prefecture"),  # 苏州市
        ("110100", "prefecture"),  # 北京 市辖区
        ("320576", "county"),  # 苏州工业园区
        ("110101", "county"),  # 东城区
        ("650000", "province"),  # 新疆
    ],
)
def test_known_region_codes_pass(code, level):
    assert check_region(code, P) == []
    table = regions()
    if level == "province":
        assert table.name(code) == table.provinces[code[:2]]
    elif level == "prefecture":
        assert table.name(code) == table.prefectures[code[:4]]
    else:
        assert table.name(code) == table.counties[code]


@pytest.mark.parametrize("code", ["329999", "329900", "990000", "000000", "320599"])
def test_unknown_region_code_is_a_warning(code):
    findings = check_region(code, P)
    assert codes(findings) == ["region.unknown"]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].path == P
    assert findings[0].context == {"value": code}


@pytest.mark.parametrize("code", ["", "32057", "3205760", "32057a", "32-576", " 32057", "320576\n"])
def test_malformed_region_code_is_an_error(code):
    findings = check_region(code, P)
    assert codes(findings) == ["region.format"]
    assert findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("code", ["３２０５７６", "٣٢٠٥٧٦"])
def test_region_code_in_non_ascii_digits_is_malformed_not_unknown(code):
    # GB/T 2260 codes are six ASCII digits; full-width or Arabic-Indic digits are a format error.
    assert codes(check_region(code, P)) == ["region.format"]


def test_region_table_sizes_and_hierarchy():
    table = regions()
    assert len(table.provinces) == 31  # the mainland provinces, autonomous regions and municipalities
    assert all(len(c) == 2 for c in table.provinces)
    assert all(len(c) == 4 and c[:2] in table.provinces for c in table.prefectures)
    assert all(len(c) == 6 for c in table.counties)
    assert table.has_prefecture("3205") and not table.has_prefecture("3299")


# --- waste codes and the catalogue -------------------------------------------------------------

IN_FORCE = date(2024, 6, 1)


def test_catalogue_2021_has_467_codes_in_46_categories():
    (ed,) = editions()
    assert ed.edition == "2021"
    assert len(ed.entries) == 467
    assert len(ed.categories) == 46
    # HW41-HW44 were dropped in earlier revisions; the rest of HW01-HW50 are there.
    assert set(ed.categories) == {f"HW{i:02d}" for i in range(1, 51)} - {"HW41", "HW42", "HW43", "HW44"}
    for code, entry in ed.entries.items():
        assert entry.code == code
        assert entry.category == "HW" + code[-2:]
        assert entry.hazards <= {"T", "C", "I", "R", "In"}
        assert entry.hazards


@settings(max_examples=100, deadline=None)
@given(waste_codes)
def test_every_catalogue_code_passes_with_its_own_category_and_hazards(code):
    entry = editions()[0].get(code)
    findings = check_waste(code, P, day=IN_FORCE, category=entry.category, hazards=sorted(entry.hazards))
    assert findings == []


def test_unknown_waste_code_is_an_error():
    findings = check_waste("999-999-49", P, day=IN_FORCE)
    assert codes(findings) == ["waste_code.unknown"]
    assert findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("code", ["900-41-49", "90004149", "900-041-4", "900_041_49", "", "HW49"])
def test_malformed_waste_code(code):
    findings = check_waste(code, P, day=IN_FORCE)
    assert codes(findings) == ["waste_code.format"]
    assert findings[0].severity is Severity.ERROR


def test_category_must_be_hw_plus_last_two_digits():
    # The classic mistake: 900-041-49 (废弃包装物) filed under HW08 (废矿物油).
    findings = check_waste("900-041-49", "$.code", day=IN_FORCE, category="HW08", category_path="$.category")
    assert codes(findings) == ["waste_code.category_mismatch"]
    (f,) = findings
    assert f.severity is Severity.ERROR
    assert f.path == "$.category"
    assert f.context["expected"] == "HW49"
    assert check_waste("900-041-49", "$.code", day=IN_FORCE, category="HW49") == []


def test_hazards_outside_the_catalogue_are_errors():
    # 900-249-08 废矿物油 is T,I in the catalogue: C and In are not among them.
    findings = check_waste("900-249-08", P, day=IN_FORCE, hazards=["T", "C", "I", "In"], hazards_path="$.hazards")
    assert codes(findings) == ["waste_code.hazard_not_in_catalogue"] * 2
    assert sorted(f.path for f in findings) == ["$.hazards[1]", "$.hazards[3]"]
    assert all(f.severity is Severity.ERROR for f in findings)
    # 900-041-49 is T/In: both allowed
    assert check_waste("900-041-49", P, day=IN_FORCE, hazards=["T", "In"]) == []


def test_unknown_code_with_wrong_category_reports_both():
    findings = check_waste("999-999-49", P, day=IN_FORCE, category="HW08")
    assert codes(findings) == ["waste_code.category_mismatch", "waste_code.unknown"]


@pytest.mark.parametrize("day", [date(2021, 1, 1), date(2024, 1, 1), date(2024, 12, 31)])
def test_2021_edition_is_in_force_2021_to_2024(day):
    ed, in_force = edition_for(day)
    assert (ed.edition, in_force) == ("2021", True)
    assert check_waste("900-249-08", P, day=day, category="HW08") == []


@pytest.mark.parametrize("day", [date(2025, 1, 1), date(2026, 3, 1), date(2020, 12, 31)])
def test_edition_not_shipped_gives_info_and_falls_back(day):
    findings = check_waste("900-249-08", P, day=day, category="HW08")
    assert codes(findings) == ["catalogue.edition_not_shipped"]
    (f,) = findings
    assert f.severity is Severity.INFO
    assert f.context == {"date": day.isoformat(), "edition": "2021"}
    # the fallback edition still judges the code
    assert codes(check_waste("999-999-49", P, day=day)) == ["catalogue.edition_not_shipped", "waste_code.unknown"]


# --- manifest numbers: YYYY + province/prefecture (4) + serial (6) -----------------------------


def test_valid_manifest_number():
    assert check_manifest_no("20243205000123", P, max_year=2026) == []
    assert check_manifest_no("20221101000001", P, max_year=2026) == []  # 北京 市辖区, first legal year


@pytest.mark.parametrize("value", ["2024320500012", "202432050001234", "2024320500012A", "", "2024 3205000123"])
def test_manifest_number_format(value):
    findings = check_manifest_no(value, P)
    assert codes(findings) == ["manifest_no.format"]
    assert findings[0].severity is Severity.ERROR


def test_manifest_number_with_non_ascii_digits_is_a_format_error():
    assert codes(check_manifest_no("２０２４３２０５０００１２３", P)) == ["manifest_no.format"]


def test_manifest_number_unknown_prefecture():
    findings = check_manifest_no("20243299000123", P, max_year=2026)
    assert codes(findings) == ["manifest_no.region_unknown"]
    assert findings[0].context["prefix"] == "3299"


@pytest.mark.parametrize(
    ("value", "max_year", "bad"),
    [
        ("20213205000123", 2026, True),  # before 部令第23号 numbering
        ("20223205000123", 2026, False),
        ("20263205000123", 2026, False),
        ("20273205000123", 2026, True),
        ("19993205000123", 2026, True),
    ],
)
def test_manifest_number_year_range(value, max_year, bad):
    found = codes(check_manifest_no(value, P, max_year=max_year))
    assert found == (["manifest_no.year"] if bad else [])


def test_manifest_number_default_upper_year_is_next_year():
    next_year = date.today().year + 1
    assert check_manifest_no(f"{next_year}3205000123", P) == []
    assert codes(check_manifest_no(f"{next_year + 1}3205000123", P)) == ["manifest_no.year"]


# --- label ids (HJ 1276 数字识别码) --------------------------------------------------------------

LABEL = SHIPPER + "90024908" + "20240318" + "001"


def test_label_id_matches_its_record():
    assert len(LABEL) == 37
    assert check_label_id(LABEL, P, unit=SHIPPER, waste_code="900-249-08", day=date(2024, 3, 18)) == []


@pytest.mark.parametrize("value", [LABEL[:-1], LABEL + "1", ""])
def test_label_id_must_be_37_characters(value):
    findings = check_label_id(value, P)
    assert codes(findings) == ["label_id.format"]
    assert findings[0].severity is Severity.ERROR


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("9132057OMA1MXK3Q7M" + "90024908" + "20240318" + "001", "unit"),  # O in a credit code
        (SHIPPER + "9002490A" + "20240318" + "001", "waste"),
        (SHIPPER + "90024908" + "20241318" + "001", "date"),  # month 13
        (SHIPPER + "90024908" + "20240230" + "001", "date"),  # 30 February
        (SHIPPER + "90024908" + "20240318" + "00A", "sequence"),
    ],
)
def test_label_id_segment_format(value, detail):
    findings = check_label_id(value, P)
    assert codes(findings) == ["label_id.format"]
    assert findings[0].context["detail"].startswith(detail)


@pytest.mark.parametrize(
    ("kwargs", "segment"),
    [
        ({"unit": "91320612MA1NH0KR2W"}, "unit"),
        ({"waste_code": "900-041-49"}, "waste"),
        ({"day": date(2024, 3, 19)}, "date"),
    ],
)
def test_label_id_segment_mismatch(kwargs, segment):
    findings = check_label_id(LABEL, P, **kwargs)
    assert codes(findings) == ["label_id.mismatch"]
    assert findings[0].context["segment"] == segment


def test_label_id_all_three_segments_mismatch():
    findings = check_label_id(LABEL, P, unit=RECEIVER, waste_code="900-041-49", day=date(2024, 3, 15))
    assert sorted(f.context["segment"] for f in findings) == ["date", "unit", "waste"]


@settings(max_examples=100, deadline=None)
@given(usccs, waste_codes, dates, st.integers(0, 999))
def test_composed_label_ids_check_clean(unit, code, day, seq):
    value = LabelIdScheme().compose(unit, code, day, seq)
    assert len(value) == 37
    assert value == unit + code.replace("-", "") + day.strftime("%Y%m%d") + f"{seq:03d}"
    assert check_label_id(value, P, unit=unit, waste_code=code, day=day) == []


def test_compose_rejects_a_sequence_that_does_not_fit():
    with pytest.raises(ValueError, match="does not fit"):
        LabelIdScheme().compose(SHIPPER, "900-249-08", date(2024, 3, 18), 1000)


def test_custom_label_scheme_split():
    # A local platform that uses the old 15-digit organisation number and a 6-digit sequence.
    scheme = LabelIdScheme(unit=15, waste=8, day=8, sequence=6)
    unit = "320500000012345"
    value = unit + "90024908" + "20240318" + "000042"
    assert len(value) == 37
    assert scheme.split(value) == (unit, "90024908", "20240318", "000042")
    assert check_label_id(value, P, scheme=scheme, unit=unit, waste_code="900-249-08", day=date(2024, 3, 18)) == []
    assert scheme.compose(unit, "900-249-08", date(2024, 3, 18), 42) == value
    # Read with the default 18/8/8/3 split the same id is nonsense: the date segment is "40318000".
    assert "label_id.format" in codes(check_label_id(value, P))


@pytest.mark.parametrize("parts", [(18, 8, 8, 4), (18, 8, 8, 2), (0, 0, 0, 0), (20, 8, 8, 3)])
def test_label_scheme_must_add_up_to_37(parts):
    with pytest.raises(ValueError, match="37"):
        LabelIdScheme(*parts)


def test_default_label_scheme_split():
    assert LabelIdScheme().split(LABEL) == (SHIPPER, "90024908", "20240318", "001")


# --- batch codes (HJ 1259 informative form) ----------------------------------------------------

# HJ 1259: "HW" + pinyin initials of the record type. 产生 CS, 入库 RK, 出库 CK, 自行利用 ZXLY,
# 自行处置 ZXCZ, 委外利用 WWLY, 委外处置 WWCZ, 出口利用 CKLY, 出口处置 CKCZ (export is outsourcing).
ALLOWED_PREFIXES = {
    "generate": {"CS"},
    "store_in": {"RK"},
    "store_out": {"CK"},
    "self_process": {"ZXLY", "ZXCZ"},
    "outsource": {"WWLY", "WWCZ", "CKLY", "CKCZ"},
}
ALL_PREFIXES = sorted(set().union(*ALLOWED_PREFIXES.values()))


@pytest.mark.parametrize("kind", sorted(ALLOWED_PREFIXES))
@pytest.mark.parametrize("prefix", ALL_PREFIXES)
def test_batch_code_prefix_per_kind(kind, prefix):
    value = f"HW{prefix}20240318001"
    assert check_batch_code(value, P) == []  # well formed whatever the kind
    findings = check_batch_code(value, P, kind=kind)
    if prefix in ALLOWED_PREFIXES[kind]:
        assert findings == []
    else:
        assert codes(findings) == ["batch_code.kind_mismatch"]
        assert findings[0].severity is Severity.WARNING
        assert findings[0].context == {"prefix": prefix, "kind": kind}


@pytest.mark.parametrize(
    "value",
    [
        "HWCS20240318",  # no serial
        "HWCS202403181234567890",  # serial longer than 8
        "HWXX20240318001",  # unknown type
        "CS20240318001",  # no HW
        "hwcs20240318001",
        "HWCS20241318001",  # month 13
        "HWCS20240230001",  # 30 February
        "HWCS2024031800A",
        "HWCS20240318001\n",
    ],
)
def test_batch_code_format_is_a_warning(value):
    findings = check_batch_code(value, P, kind="generate")
    assert codes(findings) == ["batch_code.format"]
    assert findings[0].severity is Severity.WARNING


# --- facility codes (HJ 608) -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["TS001", "TA123", "TW999", "TN000", SHIPPER + "001P", SHIPPER + "001PTS002"])
def test_facility_codes_pass(value):
    assert check_facility_code(value, P) == []


@pytest.mark.parametrize(
    "value",
    ["TX001", "TS01", "TS0001", "ts001", SHIPPER + "001", SHIPPER + "01P", SHIPPER + "001PTX001", "TS001\n", "暂存间"],
)
def test_facility_code_format_is_a_warning(value):
    findings = check_facility_code(value, P)
    assert codes(findings) == ["facility_code.format"]
    assert findings[0].severity is Severity.WARNING


# --- vehicle plates (GA 36-2018) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "plate",
    [
        "苏E7G352",  # ordinary
        "京A12345",
        "粤BD12345",  # small new-energy, D = pure electric
        "粤BFA1234",  # small new-energy, second character a letter
        "沪A12345D",  # large new-energy
        "沪A12345F",
        "苏E1234挂",  # trailer
        "琼Z8888挂",
    ],
)
def test_valid_plates(plate):
    assert check_plate(plate, P) == []


@pytest.mark.parametrize(
    "plate",
    [
        "苏EO1234",  # letter O
        "苏EI1234",  # letter I
        "苏I12345",  # I as the issuing-authority letter
        "苏O12345",
        "苏e12345",  # lowercase
        "苏E1234",  # too short
        "苏E123456",  # eight characters but not a new-energy plate
        "粤BD1A234",  # small new-energy: only the first character after D/F may be a letter
        "沪A1234DD",
        "港A12345",  # not a mainland province abbreviation
        "苏E123挂",
        "E7G3521",
        "苏E7G352\n",
        " 苏E7G352",
    ],
)
def test_invalid_plates(plate):
    findings = check_plate(plate, P)
    assert codes(findings) == ["plate.format"]
    assert findings[0].severity is Severity.ERROR


@settings(max_examples=150, deadline=None)
@given(plates)
def test_generated_plates_pass(plate):
    assert check_plate(plate, P) == []


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(PROVINCE_ABBR),
    st.sampled_from(PLATE_LETTERS),
    st.text(string.digits, min_size=4, max_size=4),
    st.sampled_from("IO"),
    st.integers(0, 4),
)
def test_plates_with_i_or_o_are_rejected(prov, letter, digits, bad, pos):
    body = digits[:pos] + bad + digits[pos:]
    assert codes(check_plate(prov + letter + body, P)) == ["plate.format"]


# --- no identifier validator crashes or waves through an illegal character ---------------------

VALID_IDS = {
    "uscc": (lambda v: check_uscc(v, P), usccs),
    "region": (lambda v: check_region(v, P), st.sampled_from(sorted(regions().counties))),
    "manifest_no": (lambda v: check_manifest_no(v, P), st.just("20243205000123")),
    "waste": (lambda v: check_waste(v, P, day=IN_FORCE), waste_codes),
    "label_id": (lambda v: check_label_id(v, P), label_ids()),
    "batch_code": (lambda v: check_batch_code(v, P), st.sampled_from(["HWCS20240318001", "HWWWLY20240325001"])),
    "facility_code": (lambda v: check_facility_code(v, P), st.sampled_from(["TS001", SHIPPER + "001PTS002"])),
    "plate": (lambda v: check_plate(v, P), plates),
}


@st.composite
def corrupted(draw, valid):
    value = draw(valid)
    if draw(st.booleans()):
        return value + draw(st.sampled_from(["\n", " ", "\t"]))
    positions = draw(st.lists(st.integers(0, len(value) - 1), min_size=1, max_size=3, unique=True))
    chars = list(value)
    for p in positions:
        chars[p] = draw(st.sampled_from(ILLEGAL_ID_CHARS))
    return "".join(chars)


@pytest.mark.parametrize("name", sorted(VALID_IDS))
def test_identifier_with_an_illegal_character_is_flagged_not_crashing(name):
    check, valid = VALID_IDS[name]

    @settings(max_examples=100, deadline=None, report_multiple_bugs=False)
    @given(corrupted(valid))
    def run(value):
        note(f"value: {value!r}")
        findings = check(value)
        assert any(f.severity in (Severity.ERROR, Severity.WARNING) for f in findings), repr(value)

    run()


@pytest.mark.parametrize("check", [check_manifest_no, check_region])
@pytest.mark.parametrize("value", ["²" * 14, "²" * 6, "¹²³⁴⁵⁶"])
def test_superscript_digits_do_not_crash(check, value):
    # str.isdigit() is true for superscripts, int() refuses them
    assert check(value, P) != []


def test_non_ascii_digit_set_is_really_digits():
    # guard for the strategies: every one of these passes str.isdigit and regex \\d
    assert all(c.isdigit() and re.match(r"\d", c) for c in NON_ASCII_DIGITS)


def test_label_scheme_with_a_short_date_and_long_sequence_round_trips():
    scheme = LabelIdScheme(unit=18, waste=8, day=6, sequence=5)
    value = scheme.compose(SHIPPER, "900-249-08", date(2024, 3, 18), 42)
    assert value == SHIPPER + "90024908" + "240318" + "00042" and len(value) == 37
    assert check_label_id(value, P, scheme=scheme, unit=SHIPPER, waste_code="900-249-08", day=date(2024, 3, 18)) == []


@pytest.mark.parametrize(("parts", "message"), [((18, 9, 7, 3), "8 digits"), ((18, 8, 7, 4), "YYYYMMDD")])
def test_label_scheme_segments_must_fit_their_content(parts, message):
    with pytest.raises(ValueError, match=message):
        LabelIdScheme(*parts)


def test_compose_refuses_a_unit_of_the_wrong_length():
    with pytest.raises(ValueError, match="not 15 characters"):
        LabelIdScheme(unit=15, waste=8, day=8, sequence=6).compose(SHIPPER, "900-249-08", date(2024, 3, 18), 1)
