"""Codes as local systems write them: waste codes, categories, hazard characteristics, manifest numbers.

- Waste codes arrive as ``900-041-49``, ``HW49/900-041-49``, ``90004149`` (also as the integer
  ``7100108`` that lost the leading zero of ``071-001-08``) or with full-width and typographic dashes;
  they leave as ``NNN-NNN-NN``. A category prefix that contradicts the code is an issue, not a guess.
- Hazards arrive as ``T/In``, ``T，I``, ``T、C`` or in words (毒性、易燃性); they leave as a list.
- Manifest numbers: 14 digits are national (部令第23号 第十五条); the 16-digit numbers of the old
  WebService (year + 6-digit region + serial) are not, and are kept as the local reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import TransformError, transform
from .text import halfwidth

__all__ = ["normalise_waste_code"]

_CODE = re.compile(
    r"^(?:HW\s*-?\s*(\d{2})\s*[/:：,，\s]*\s*)?(\d{3})\s*-?\s*(\d{3})\s*-?\s*(\d{2})(?:\s*[(（]\s*HW\s*(\d{2})\s*[)）])?$"
)
_CATEGORY = re.compile(r"^(?:HW)?\s*-?\s*(\d{1,2})$")


def _clean(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(8)
    return halfwidth(str(value)).strip().upper()


def normalise_waste_code(value: Any) -> tuple[str, str]:
    """``(code, category)`` for a waste code in any of the written forms; raises ``TransformError``."""
    s = _clean(value)
    if len(s) == 10 and s[3] == "-" and s[7] == "-" and s[:3].isdigit() and s[4:7].isdigit() and s[8:].isdigit():
        return s, "HW" + s[8:]  # already NNN-NNN-NN
    if s.isdigit() and len(s) == 7:  # an integer column dropped the leading zero of 0xx-xxx-xx
        s = "0" + s
    m = _CODE.match(s)
    if m is None:
        raise TransformError(
            "waste_code.format",
            f"not a waste code: {value!r} (expected NNN-NNN-NN, optionally with HWxx)",
            f"不是废物代码：{value!r}（应为 NNN-NNN-NN，可带 HWxx）",
        )
    before, a, b, c, after = m.groups()
    code = f"{a}-{b}-{c}"
    for prefix in (before, after):
        if prefix is not None and prefix != c:
            raise TransformError(
                "waste_code.category_conflict",
                f"{value!r}: category HW{prefix} contradicts the code's HW{c}",
                f"{value!r}：类别 HW{prefix} 与代码末两位 HW{c} 矛盾",
            )
    return code, "HW" + c


@transform("waste_code")
def waste_code() -> Callable[[Any], str]:
    """A waste code as ``NNN-NNN-NN`` from ``HW49/900-041-49``, ``90004149``, full-width dashes..."""
    return lambda value: normalise_waste_code(value)[0]


@transform("waste_category")
def waste_category() -> Callable[[Any], str]:
    """A category ``HWxx`` from ``HW49``, ``49``, ``ＨＷ４９`` or from a waste code in any form."""

    def apply(value: Any) -> str:
        s = _clean(value) if not isinstance(value, int) else str(value)
        m = _CATEGORY.match(s)
        if m is not None:
            return "HW" + m.group(1).zfill(2)
        return normalise_waste_code(value)[1]

    return apply


_HAZARD_WORDS = {
    "T": "T",
    "C": "C",
    "I": "I",
    "R": "R",
    "IN": "In",
    "毒性": "T",
    "腐蚀性": "C",
    "易燃性": "I",
    "反应性": "R",
    "感染性": "In",
}
_HAZARD_SPLIT = re.compile(r"[/,，、;；|\s]+")


@transform("hazards")
def hazards() -> Callable[[Any], list[str] | None]:
    """Hazard characteristics as a list: ``T/In`` → ``["T", "In"]``, ``毒性、易燃性`` → ``["T", "I"]``."""

    def apply(value: Any) -> list[str] | None:
        items = value if isinstance(value, list | tuple) else _HAZARD_SPLIT.split(halfwidth(str(value)))
        out: list[str] = []
        for item in items:
            token = str(item).strip()
            if not token:
                continue
            code = _HAZARD_WORDS.get(token.upper()) or _HAZARD_WORDS.get(token)
            if code is None:
                raise TransformError(
                    "hazard.unknown",
                    f"unknown hazard characteristic {token!r} in {value!r} (T, C, I, R, In)",
                    f"未知危险特性 {token!r}（应为 T、C、I、R、In）",
                )
            if code not in out:
                out.append(code)
        return out or None

    return apply


def _digits(value: Any) -> str:
    return halfwidth(str(value)).strip().replace(" ", "")


@transform("manifest_no")
def manifest_no() -> Callable[[Any], str | None]:
    """A national 14-digit manifest number; a 16-digit legacy number gives nothing (see ``legacy_manifest_no``)."""

    def apply(value: Any) -> str | None:
        s = _digits(value)
        if s.isdigit() and len(s) == 14:
            return s
        if s.isdigit() and len(s) == 16:
            return None
        raise TransformError(
            "manifest_no.format",
            f"not a manifest number: {value!r} (14 digits national, or 16 digits legacy)",
            f"不是联单编号：{value!r}（国家编号 14 位，旧编号 16 位）",
        )

    return apply


@transform("legacy_manifest_no")
def legacy_manifest_no() -> Callable[[Any], str | None]:
    """A 16-digit legacy manifest number kept as the local reference; a 14-digit national one gives nothing."""

    def apply(value: Any) -> str | None:
        s = _digits(value)
        if s.isdigit() and len(s) == 16:
            return s
        if s.isdigit() and len(s) == 14:
            return None
        raise TransformError(
            "manifest_no.legacy_format",
            f"not a legacy manifest number: {value!r} (16 digits: year, region, serial)",
            f"不是旧联单编号：{value!r}（16 位：年份、行政区划、序号）",
        )

    return apply
