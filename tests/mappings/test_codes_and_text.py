"""Codes as operators type them, and text as IMEs produce it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings import TRANSFORMS, TransformError
from mappings.transforms.text import collapse, halfwidth


def build(name: str, **args: object) -> object:
    return TRANSFORMS[name].build(args)


@pytest.mark.parametrize(
    "written",
    [
        "900-041-49",
        "HW49/900-041-49",
        "hw49 900-041-49",
        "90004149",
        "900－041－49",
        "900—041—49",
        "900–041–49",
        "９００-０４１-４９",
        "900 041 49",
        "900-041-49(HW49)",
        " 900-041-49 ",
    ],
)
def test_waste_codes_in_every_written_form(written: str) -> None:
    assert build("waste_code")(written) == "900-041-49"  # type: ignore[operator]
    assert build("waste_category")(written) == "HW49"  # type: ignore[operator]


def test_an_integer_column_that_dropped_the_leading_zero() -> None:
    assert build("waste_code")(7100108) == "071-001-08"  # type: ignore[operator]


@pytest.mark.parametrize("bad", ["HW08/900-041-49", "900-041-49(HW08)"])
def test_a_category_that_contradicts_the_code_is_an_issue_not_a_guess(bad: str) -> None:
    with pytest.raises(TransformError) as err:
        build("waste_code")(bad)  # type: ignore[operator]
    assert err.value.code == "waste_code.category_conflict"


@pytest.mark.parametrize("bad", ["900-41-49", "HW49", "废矿物油", "900041", "900-041-499"])
def test_malformed_waste_codes(bad: str) -> None:
    with pytest.raises(TransformError):
        build("waste_code")(bad)  # type: ignore[operator]


@pytest.mark.parametrize(("written", "want"), [("HW08", "HW08"), ("08", "HW08"), ("8", "HW08"), ("ＨＷ０８", "HW08")])
def test_categories(written: str, want: str) -> None:
    assert build("waste_category")(written) == want  # type: ignore[operator]


@pytest.mark.parametrize(
    ("written", "want"),
    [
        ("T/In", ["T", "In"]),
        ("T，I", ["T", "I"]),
        ("T、C", ["T", "C"]),
        ("毒性、易燃性", ["T", "I"]),
        ("t,in", ["T", "In"]),
    ],
)
def test_hazards(written: str, want: list[str]) -> None:
    assert build("hazards")(written) == want  # type: ignore[operator]


def test_an_unknown_hazard_is_named() -> None:
    with pytest.raises(TransformError, match="爆炸"):
        build("hazards")("T/爆炸")  # type: ignore[operator]


def test_manifest_numbers_national_and_legacy() -> None:
    national, legacy = build("manifest_no"), build("legacy_manifest_no")
    assert national("20241306000123") == "20241306000123"  # type: ignore[operator]
    assert national("2017220100004242") is None  # type: ignore[operator]
    assert legacy("2017220100004242") == "2017220100004242"  # type: ignore[operator]
    assert legacy("20241306000123") is None  # type: ignore[operator]
    for fn in (national, legacy):
        with pytest.raises(TransformError):
            fn("JS2024-0001")  # type: ignore[operator]


def test_halfwidth_folds_ascii_and_keeps_chinese() -> None:
    assert halfwidth("ＨＷ４９　废矿物油（有限公司）") == "HW49 废矿物油(有限公司)"
    assert halfwidth("废矿物油（有限公司）", punctuation=False) == "废矿物油（有限公司）"
    assert collapse(" a \t b\u3000c\u00a0 ") == "a b c"


def test_text_keeps_registered_names_intact_but_folds_letters_and_digits() -> None:
    text = build("text")
    assert text("  三河市绿源（有限合伙）　１号 ") == "三河市绿源（有限合伙） 1号"  # type: ignore[operator]
    assert text("   ") is None  # type: ignore[operator]
    assert build("text", fold="all")("（Ａ）") == "(A)"  # type: ignore[operator]


def test_compact_plates_and_codes() -> None:
    assert build("compact")("冀a·7g352") == "冀A7G352"  # type: ignore[operator]
    assert build("upper")(" 91130602ma0cxk3q7x ") == "91130602MA0CXK3Q7X"  # type: ignore[operator]


def test_split_lists() -> None:
    split = build("split")
    assert split("a; b，c、,") == ["a", "b", "c"]  # type: ignore[operator]
    assert split("") is None  # type: ignore[operator]
    assert build("split", sep="|")("a|b;c") == ["a", "b;c"]  # type: ignore[operator]
    assert build("split", sep="；")("a ;\tb") == ["a ; b"]  # type: ignore[operator]  # no ASCII separator


@given(
    st.text(alphabet="AB9; ,\t|", max_size=30),
    st.sampled_from([";；,，、 ", ",;，；、|", "|", "；、"]),
)
def test_split_of_ascii_text_is_the_regex_split(value: str, sep: str) -> None:
    # ASCII text takes a str.replace/str.split shortcut; it must cut where the general rule cuts.
    parts = [collapse(p) for p in re.split("[" + re.escape(sep) + "]", value)]
    assert build("split", sep=sep)(value) == ([p for p in parts if p] or None)  # type: ignore[operator]


@pytest.mark.parametrize(("written", "want"), [("3", 3), ("3.0", 3), ("３", 3), (3, 3), ("1,200", 1200)])
def test_integers(written: object, want: int) -> None:
    assert build("integer")(written) == want  # type: ignore[operator]


def test_a_fractional_integer_is_an_issue() -> None:
    with pytest.raises(TransformError):
        build("integer")("2.5")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("written", "want"), [("1", True), ("是", True), ("Y", True), ("0", False), ("否", False), ("n", False)]
)
def test_booleans(written: str, want: bool) -> None:
    assert build("boolean")(written) is want  # type: ignore[operator]


def test_an_unknown_flag_is_an_issue() -> None:
    with pytest.raises(TransformError):
        build("boolean")("maybe")  # type: ignore[operator]


def test_decimal_scale_is_exact() -> None:
    from decimal import Decimal

    assert build("decimal", scale="0.1")("625") == Decimal("62.5")  # type: ignore[operator]


def test_join_skips_missing_parts() -> None:
    assert build("join", sep="")("河北省", None, "保定市", "") == "河北省保定市"  # type: ignore[operator]
