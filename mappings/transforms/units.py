"""Quantities to tonnes, exactly, as Decimal.

The contract reports tonnes (HJ 1259 5.3). Local systems write 吨/t, 千克/公斤/kg, 克/g, 斤, or count
containers (桶, 个, 袋...) and know the weight of one. Conversions shift the decimal point
(``Decimal.scaleb``) or multiply decimals, so they are exact: ``1250.5 kg`` is ``1.2505 t``, never
``1.2504999``. Nothing is rounded: a quantity finer than a gram keeps its digits, and the contract then
says it has too many decimal places, rather than a gram being lost silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from . import TransformError, transform
from .text import collapse, halfwidth, to_decimal

__all__ = ["MASS_UNITS", "to_tonnes"]

_KG, _G = -3, -6
# Unit spelling (lower-case, half-width) → power of ten to tonnes; 斤 is half a kilogram.
MASS_UNITS: dict[str, int | Decimal] = {
    "吨": 0,
    "t": 0,
    "公吨": 0,
    "tonne": 0,
    "tonnes": 0,
    "千克": _KG,
    "公斤": _KG,
    "kg": _KG,
    "kgs": _KG,
    "克": _G,
    "g": _G,
    "斤": Decimal("0.0005"),
}
_MICRO = Decimal("0.000001")
_SPLIT = re.compile(r"^\s*([+-]?(?:\d[\d,]*\.?\d*|\.\d+))\s*(.*?)\s*$")


_KEYS: dict[Any, str] = {}


def _unit_key(unit: Any) -> str:
    key = _KEYS.get(unit)
    if key is None:
        key = collapse(halfwidth(str(unit))).lower()
        if len(_KEYS) < 1000:  # units are a handful of spellings; the cache stays small
            _KEYS[unit] = key
    return key


def _split(value: Any) -> tuple[Decimal, str | None]:
    """A number and the unit written after it, if any (``"1.25吨"`` → ``(1.25, "吨")``)."""
    if not isinstance(value, str):
        return to_decimal(value), None
    if value.isascii() and "_" not in value:
        try:  # the common case, a plain number, parsed in C
            number = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return number, None
    s = halfwidth(value)
    m = _SPLIT.match(s)
    if m is None:
        raise TransformError("number.invalid", f"not a quantity: {value!r}", f"不是数量：{value!r}")
    digits, unit = m.groups()
    return to_decimal(digits), (unit or None)


def _tidy(q: Decimal) -> Decimal:
    # 1.2500 kg is 0.0012500 t: the trailing zeros are not precision the contract must refuse.
    if q.as_tuple().exponent < -6:  # type: ignore[operator]
        r = q.quantize(_MICRO)
        if r == q:
            return r
    return q


def to_tonnes(
    quantity: Any, unit: Any = None, each: Any = None, *, containers: Mapping[str, Decimal] | None = None
) -> Decimal:
    """``quantity`` in ``unit`` as tonnes; a counted unit takes ``each`` (tonnes per container) or ``containers``."""
    number, written = _split(quantity)
    if unit is None or unit == "":
        unit = written
    elif written is not None and _unit_key(written) != _unit_key(unit):
        raise TransformError(
            "unit.conflict",
            f"quantity {quantity!r} says {written!r} but the unit field says {unit!r}",
            f"数量 {quantity!r} 自带单位 {written!r}，与计量单位 {unit!r} 矛盾",
        )
    if unit is None:
        raise TransformError("unit.missing", f"no unit for quantity {quantity!r}", f"数量 {quantity!r} 缺少计量单位")
    key = _unit_key(unit)
    factor = MASS_UNITS.get(key)
    if isinstance(factor, int):
        return _tidy(number.scaleb(factor))
    if isinstance(factor, Decimal):
        return _tidy(number * factor)
    per = containers.get(key) if containers else None
    if each is not None and each != "":
        per = to_decimal(each)
    if per is None:
        known = ", ".join([*MASS_UNITS, *(containers or {})])
        if key in _COUNTED:
            raise TransformError(
                "unit.container_weight",
                f"counted unit {unit!r} needs a declared weight per container (declared: {', '.join(containers or {})})",
                f"计数单位 {unit!r} 未声明单个容器重量",
            )
        raise TransformError(
            "unit.unknown", f"unknown unit {unit!r} (known: {known})", f"未知计量单位 {unit!r}（可用：{known}）"
        )
    if number != number.to_integral_value():
        raise TransformError(
            "unit.fractional_count",
            f"{number} {unit} is not a whole number of containers",
            f"{number} {unit} 不是整数个容器",
        )
    return _tidy(number * per)


_COUNTED = {"桶", "个", "只", "袋", "箱", "件", "托", "罐", "包", "drum", "drums", "bag", "bags"}


@transform("tonnes", inputs=(1, 3))
def tonnes(*, unit: str | None = None, containers: dict[str, Any] | None = None) -> Callable[..., Decimal]:
    """Quantity to tonnes: inputs are the quantity, optionally its unit and the tonnes per container.

    ``unit`` is the unit when the record has no unit field (``unit = "kg"``); ``containers`` declares
    the weight in tonnes of one counted container (``containers = { 桶 = "0.2" }``).
    """
    table = {_unit_key(k): to_decimal(v) for k, v in (containers or {}).items()}
    for k, v in table.items():
        if v <= 0:
            raise ValueError(f"container weight of {k!r} must be positive, got {v}")
    if unit is not None and _unit_key(unit) not in MASS_UNITS and _unit_key(unit) not in table:
        raise ValueError(f"unknown unit {unit!r}; known: {', '.join(MASS_UNITS)}")
    default = unit

    def apply(quantity: Any, unit_value: Any = None, each: Any = None) -> Decimal:
        if each is None and type(quantity) is str and quantity.isascii():
            # The common case, "180" + "kg": a plain decimal in a mass unit, parsed and shifted in C.
            factor = MASS_UNITS.get(_unit_key(unit_value if unit_value not in (None, "") else default))
            if type(factor) is int and "_" not in quantity and "e" not in quantity and "E" not in quantity:
                try:
                    number = Decimal(quantity)
                except InvalidOperation:
                    pass
                else:
                    if number.is_finite():
                        dot = quantity.find(".")
                        places = len(quantity.rstrip()) - dot - 1 if dot >= 0 else 0
                        q = number.scaleb(factor) if factor else number
                        return q if places - factor <= 6 else _tidy(q)
        return to_tonnes(
            quantity, unit_value if unit_value not in (None, "") else default, each, containers=table or None
        )

    return apply
