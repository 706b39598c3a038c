"""Quantities to tonnes: exact Decimal arithmetic, every unit local systems write, clear refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings import TRANSFORMS, TransformError
from mappings.transforms.units import to_tonnes

tonnes = TRANSFORMS["tonnes"].build({})
drums = TRANSFORMS["tonnes"].build({"containers": {"桶": "0.2", "袋": "0.025"}})


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("1.25", "吨", "1.25"),
        ("1.25", "t", "1.25"),
        ("1.25", "T", "1.25"),
        ("1250", "千克", "1.25"),
        ("1250", "公斤", "1.25"),
        ("1250", "kg", "1.25"),
        ("1250", "KG", "1.25"),
        ("1250000", "克", "1.25"),
        ("1250000", "g", "1.25"),
        ("2500", "斤", "1.25"),
        (1250, "kg", "1.25"),
        (1.25, "吨", "1.25"),
        (Decimal("720.5"), "kg", "0.7205"),
        ("１２５０", "ｋｇ", "1.25"),
        ("1,250", "kg", "1.25"),
        (" 1250 ", " kg ", "1.25"),
        ("0.001", "kg", "0.000001"),
    ],
)
def test_mass_units_convert_exactly(quantity: object, unit: str, expected: str) -> None:
    assert tonnes(quantity, unit) == Decimal(expected)


def test_float_input_is_read_by_its_shortest_repr_not_its_binary_value() -> None:
    assert tonnes(0.1, "吨") == Decimal("0.1")
    assert tonnes(720.3, "kg") == Decimal("0.7203")


def test_a_unit_written_in_the_quantity_is_used_and_a_conflict_is_an_issue() -> None:
    assert tonnes("1.25吨") == Decimal("1.25")
    assert tonnes("180 kg", "kg") == Decimal("0.18")
    with pytest.raises(TransformError) as err:
        tonnes("180kg", "吨")
    assert err.value.code == "unit.conflict"


def test_counted_containers_use_the_declared_weight() -> None:
    assert drums("4", "桶") == Decimal("0.8")
    assert drums(3, "袋") == Decimal("0.075")
    assert drums("4", "桶", "0.18") == Decimal("0.72")  # a per-record weight wins over the declared one


@pytest.mark.parametrize(
    ("args", "unit", "code"),
    [({}, "桶", "unit.container_weight"), ({}, "立方米", "unit.unknown"), ({}, None, "unit.missing")],
)
def test_refusals_say_why(args: dict[str, object], unit: str | None, code: str) -> None:
    with pytest.raises(TransformError) as err:
        TRANSFORMS["tonnes"].build(args)("2", unit)
    assert err.value.code == code
    assert err.value.message_zh and err.value.message_en


def test_a_fraction_of_a_drum_is_refused() -> None:
    with pytest.raises(TransformError) as err:
        drums("1.5", "桶")
    assert err.value.code == "unit.fractional_count"


@pytest.mark.parametrize("bad", ["abc", "1.2.3", "NaN", "Infinity", "", True])
def test_non_numbers_are_refused(bad: object) -> None:
    with pytest.raises(TransformError):
        tonnes(bad, "吨")


def test_trailing_zeros_do_not_count_as_precision_but_real_digits_are_kept() -> None:
    assert tonnes("1.2500", "kg").as_tuple().exponent == -6  # 0.001250 t, within the contract's 6 places
    assert tonnes("1.2345", "g") == Decimal("0.0000012345")  # finer than a gram: kept, the contract decides


def test_an_unknown_default_unit_is_a_mapping_file_error() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        TRANSFORMS["tonnes"].build({"unit": "lb"})


grams = st.integers(min_value=0, max_value=10**12)


@given(grams)
def test_kilograms_with_three_places_are_exact_tonnes(g: int) -> None:
    kg = Decimal(g).scaleb(-3)  # a scale reading to the gram
    t = to_tonnes(str(kg), "kg")
    assert t * 1000 == kg
    assert t == Decimal(g).scaleb(-6)


@given(grams)
def test_grams_to_tonnes_and_back_is_identity(g: int) -> None:
    assert to_tonnes(g, "g") * 1_000_000 == g


@given(st.integers(min_value=1, max_value=10_000), st.decimals(min_value="0.001", max_value="5", places=3))
def test_counted_containers_multiply_exactly(count: int, each: Decimal) -> None:
    assert to_tonnes(count, "桶", each) == count * each


def test_report_periods_and_parallel_report_lines() -> None:
    from mappings.transforms.reports import normalise_period

    assert [normalise_period(v) for v in ("2024-03", "202403", "2024年3月", "2024/3", "2024", "2024年")] == [
        "2024-03",
        "2024-03",
        "2024-03",
        "2024-03",
        "2024",
        "2024",
    ]
    for bad in ("2024-13", "24-03", "三月"):
        with pytest.raises(TransformError):
            normalise_period(bad)
    lines = TRANSFORMS["report_lines"].build({})
    got = lines("HW08/900-249-08；90004149", "3.1；0", "720；1500", "500；0", "0；1500", "3320；0", "kg")
    assert got == [
        {
            "waste_code": "900-249-08",
            "opening_stock_t": Decimal("0.0031"),
            "received_t": Decimal("0.72"),
            "utilised_t": Decimal("0.5"),
            "disposed_t": Decimal("0"),
            "closing_stock_t": Decimal("3.32"),
        },
        {
            "waste_code": "900-041-49",
            "opening_stock_t": Decimal("0"),
            "received_t": Decimal("1.5"),
            "utilised_t": Decimal("0"),
            "disposed_t": Decimal("1.5"),
            "closing_stock_t": Decimal("0"),
        },
    ]
    with pytest.raises(TransformError, match="2 waste codes but 1"):
        lines("900-249-08;900-041-49", "1", "0;0", "0;0", "0;0", "1;0")
