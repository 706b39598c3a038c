"""Text, number and flag transforms: full-width to half-width, whitespace, lists, integers, booleans.

Local systems type Chinese text with an IME that produces full-width digits, letters and punctuation
(``ＨＷ４９``, ``１２３``, ``，``) and ideographic spaces; they are folded to ASCII here so that codes and
numbers compare equal, without touching the Chinese characters themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from . import TransformError, transform

__all__ = ["collapse", "halfwidth", "to_decimal"]

# Full-width ASCII block U+FF01..U+FF5E maps onto U+0021..U+007E; U+3000 is the ideographic space.
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALF[0x3000] = 0x20
# Dashes people type for a hyphen: the full-width hyphen is in the block above; these are not.
_HALF.update({cp: 0x2D for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212)})
_HALF[0x3002] = 0x2E  # 。 typed for a decimal point inside a number
# For prose (names, addresses) only letters, digits and spaces are folded: （有限合伙） and ，are
# correct Chinese punctuation, and a registered company name keeps its full-width brackets.
_ALNUM = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_ALNUM[0x3000] = 0x20
_WIDE = re.compile("[\u2010-\u2015\u2212\u3000-\u3002\uff01-\uff5e]")


def halfwidth(value: str, *, punctuation: bool = True) -> str:
    """Full-width letters, digits and spaces (and, with ``punctuation``, symbols and dashes) as ASCII."""
    if value.isascii() or _WIDE.search(value) is None:
        return value  # the common case costs one scan, not a per-character table lookup
    return value.translate(_HALF if punctuation else _ALNUM)


def collapse(value: str) -> str:
    """Runs of whitespace (tabs, newlines, no-break and ideographic spaces) as one space, trimmed."""
    return " ".join(value.split())


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TransformError("text.type", f"expected text, got {value!r}", f"应为文本，实为 {value!r}")
    return str(value)


@transform("text")
def text(*, fold: str = "alnum") -> Callable[[Any], str | None]:
    """Normalise text: whitespace collapsed and trimmed, full-width letters and digits folded; empty is missing.

    ``fold = "all"`` also folds full-width punctuation (for codes); ``"none"`` folds nothing.
    """
    if fold not in ("alnum", "all", "none"):
        raise ValueError(f"fold is alnum, all or none, not {fold!r}")
    punctuation = fold == "all"

    def apply(value: Any) -> str | None:
        s = _str(value)
        if fold != "none":
            s = halfwidth(s, punctuation=punctuation)
        return " ".join(s.split()) or None

    return apply


@transform("upper")
def upper() -> Callable[[Any], str | None]:
    """Normalised text in upper case (codes such as credit codes and licence numbers)."""

    def apply(value: Any) -> str | None:
        return " ".join(halfwidth(_str(value)).split()).upper() or None

    return apply


@transform("compact")
def compact(*, upper: bool = True, drop: str = "·. -") -> Callable[[Any], str | None]:
    """Text with separators removed (``苏E·7G352`` → ``苏E7G352``): for plates and identifiers."""
    table: dict[int, int | None] = {ord(c): None for c in drop}
    table.update({0x3000: None, 0x09: None, 0xB7: None, 0x30FB: None})
    ascii_drop = tuple(c for c in (*drop, "\t") if c.isascii())

    def apply(value: Any) -> str | None:
        s = _str(value)
        if s.isascii():  # str.replace is far cheaper than a translation table on short codes
            for c in ascii_drop:
                if c in s:
                    s = s.replace(c, "")
            s = s.strip()
        else:
            s = halfwidth(s).translate(table).strip()
        return (s.upper() if upper else s) or None

    return apply


@transform("split")
def split(*, sep: str = ",;，；、|", fold: bool = True) -> Callable[[Any], list[str] | None]:
    """A list from delimited text (``a;b`` → ``["a", "b"]``); any character of ``sep`` splits; empties dropped."""
    if not sep:
        raise ValueError("sep must name at least one separator character")
    pattern = re.compile("[" + re.escape(sep) + "]")
    ascii_seps = [c for c in dict.fromkeys(sep) if c.isascii()]
    ascii_first, ascii_rest = (ascii_seps[0], ascii_seps[1:]) if ascii_seps else ("", [])

    def apply(value: Any) -> list[str] | None:
        if type(value) is str and value.isascii():  # codes, the usual case: nothing to fold
            # Only the ASCII separators can occur; str.replace and str.split beat the regex here.
            for c in ascii_rest:
                if c in value:
                    value = value.replace(c, ascii_first)
            if not ascii_first or ascii_first not in value:  # one code
                single = " ".join(value.split())
                return [single] if single else None
            return [p for p in map(" ".join, map(str.split, value.split(ascii_first))) if p] or None
        if isinstance(value, list | tuple):
            parts: Iterable[Any] = value
        else:
            parts = pattern.split(_str(value))
        out = [collapse(halfwidth(_str(p)) if fold else _str(p)) for p in parts]
        return [p for p in out if p] or None

    return apply


@transform("join", inputs=(1, 12))
def join(*, sep: str = "") -> Callable[..., str | None]:
    """Several source values joined with ``sep``, skipping missing ones (an address from its parts)."""

    def apply(*values: Any) -> str | None:
        parts = [collapse(halfwidth(_str(v), punctuation=False)) for v in values if v is not None and v != ""]
        return sep.join(p for p in parts if p) or None

    return apply


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def to_decimal(value: Any) -> Decimal:
    """A Decimal from an int, a float (by its shortest repr, so ``0.1`` stays ``0.1``), a Decimal or text.

    Text may use full-width digits, thousands separators and surrounding spaces; anything else raises
    ``TransformError``.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TransformError("number.invalid", f"not a number: {value!r}", f"不是数值：{value!r}")
    elif isinstance(value, int):
        return Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        s = halfwidth(_str(value)).replace(",", "").replace(" ", "").strip()
        if not _NUMBER.match(s):
            raise TransformError("number.invalid", f"not a number: {value!r}", f"不是数值：{value!r}")
        try:
            result = Decimal(s)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            raise TransformError("number.invalid", f"not a number: {value!r}", f"不是数值：{value!r}") from None
    if not result.is_finite():
        raise TransformError("number.invalid", f"not a finite number: {value!r}", f"不是有限数值：{value!r}")
    return result


@transform("decimal")
def decimal(*, scale: str | None = None) -> Callable[[Any], Decimal]:
    """A decimal number from text or a number; ``scale = "0.1"`` multiplies exactly (1/10 km/h → km/h)."""
    if scale is None:
        return to_decimal
    factor = to_decimal(scale)

    def apply(value: Any) -> Decimal:
        return to_decimal(value) * factor

    return apply


@transform("integer")
def integer() -> Callable[[Any], int]:
    """A whole number: ``3``, ``"3"``, ``"3.0"``, ``"３"``; ``3.5`` is an issue, not rounded."""

    def apply(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        d = to_decimal(value)
        if d != d.to_integral_value():
            raise TransformError("integer.fraction", f"not a whole number: {value!r}", f"不是整数：{value!r}")
        return int(d)

    return apply


_TRUE = ("1", "是", "有", "y", "yes", "true", "t", "√", "存在")
_FALSE = ("0", "否", "无", "n", "no", "false", "f", "×", "不存在")


@transform("boolean")
def boolean(*, true: list[str] | None = None, false: list[str] | None = None) -> Callable[[Any], bool]:
    """A flag from ``1/0``, ``是/否``, ``Y/N``, ``true/false`` (case-insensitive); other words are an issue."""
    yes = {s.lower() for s in (true if true is not None else _TRUE)}
    no = {s.lower() for s in (false if false is not None else _FALSE)}
    if yes & no:
        raise ValueError(f"words both true and false: {sorted(yes & no)}")

    def apply(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        s = collapse(halfwidth(_str(value))).lower()
        if s in yes:
            return True
        if s in no:
            return False
        raise TransformError(
            "boolean.invalid",
            f"not a yes/no value: {value!r} (yes: {', '.join(sorted(yes))}; no: {', '.join(sorted(no))})",
            f"不是是/否取值：{value!r}",
        )

    return apply
