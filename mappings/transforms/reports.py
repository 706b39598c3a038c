"""Operation reports as flat exports write them: a report period, and per-waste-code figures in one row.

A plant's software exports a monthly or annual report as one row: ``报告期`` as ``2024-03``,
``202403``, ``2024年3月`` or ``2024``, and the figures of every waste code as lists in parallel
columns (``废物代码 = 900-249-08；900-041-49``, ``接收量 = 0.72；1.5``...), in one unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import TransformError, transform
from .codes import normalise_waste_code
from .text import halfwidth
from .units import to_tonnes

__all__ = ["LINE_FIGURES", "normalise_period"]

LINE_FIGURES = ("opening_stock_t", "received_t", "utilised_t", "disposed_t", "closing_stock_t")
_PERIOD = re.compile(r"^(\d{4})\s*(?:年|[-/.]|(?=\d))?\s*(?:(\d{1,2})\s*月?)?\s*(?:年)?$")
_SEP = re.compile(r"[;；|]")


def normalise_period(value: Any) -> str:
    """``YYYY-MM`` or ``YYYY`` from the written forms of a report period; raises ``TransformError``."""
    s = halfwidth(str(value)).strip()
    m = _PERIOD.match(s)
    month = int(m.group(2)) if m and m.group(2) else None
    if m is None or (month is not None and not 1 <= month <= 12):
        raise TransformError(
            "period.invalid",
            f"not a report period: {value!r} (expected YYYY-MM or YYYY)",
            f"不是报告期：{value!r}（应为 YYYY-MM 或 YYYY）",
        )
    return m.group(1) if month is None else f"{m.group(1)}-{month:02d}"


@transform("period")
def period() -> Callable[[Any], str]:
    """A report period ``YYYY-MM`` or ``YYYY`` from ``2024-03``, ``202403``, ``2024年3月``, ``2024年``."""
    return normalise_period


def _cells(value: Any) -> list[str]:
    if value is None:
        return []
    return [c.strip() for c in _SEP.split(str(value))]


@transform("report_lines", inputs=(6, 7), pure=False)
def report_lines(*, unit: str = "吨") -> Callable[..., list[dict[str, Any]]]:
    """Report lines from parallel lists: codes, opening, received, utilised, disposed, closing[, unit].

    Items are separated by ``;``, ``；`` or ``|``; every column must have as many items as the codes.
    Quantities are in the unit of the optional last input, else ``unit`` (吨 by default).
    """

    def apply(codes: Any, *figures: Any) -> list[dict[str, Any]]:
        columns = [_cells(f) for f in figures[:5]]
        unit_value = figures[5] if len(figures) > 5 and figures[5] not in (None, "") else unit
        waste_codes = [c for c in _cells(codes)]
        if not waste_codes or any(not c for c in waste_codes):
            raise TransformError("report.no_lines", "no waste code in the report row", "报表行没有废物代码")
        for name, column in zip(LINE_FIGURES, columns, strict=True):
            if len(column) != len(waste_codes):
                raise TransformError(
                    "report.columns_mismatch",
                    f"{len(waste_codes)} waste codes but {len(column)} values of {name}",
                    f"废物代码 {len(waste_codes)} 个，{name} 却有 {len(column)} 个数值",
                )
        lines: list[dict[str, Any]] = []
        for i, code in enumerate(waste_codes):
            line: dict[str, Any] = {"waste_code": normalise_waste_code(code)[0]}
            for name, column in zip(LINE_FIGURES, columns, strict=True):
                cell = column[i]
                line[name] = Decimal(0) if cell == "" else to_tonnes(cell, unit_value)
            lines.append(line)
        return lines

    return apply
