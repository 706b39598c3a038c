"""Local date-times to offset-aware times (Asia/Shanghai unless the mapping says otherwise).

Local systems write ``2024-03-25 10:05:00`` with no offset, split ``20240325`` + ``100500`` into two
fields (sometimes an integer that lost its leading zero, ``83000``), export Excel serial numbers
(``45376.42``), or Java epoch milliseconds. The contract refuses naive times, so every form becomes
a ``datetime`` with its zone. A value that already carries an offset keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import TransformError, transform
from .text import halfwidth

__all__ = ["parse_local", "quick_local", "zone"]

_EXCEL_EPOCH = datetime(1899, 12, 30)
_GENERAL = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.(\d{1,6}))?秒?)?分?)?$"
)
_TIME = re.compile(r"^(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.(\d{1,6}))?)?秒?$")
_SERIAL = re.compile(r"^\d{1,7}(\.\d+)?$")


_FIXED_FROM = 1992


def fixed_since(tz: tzinfo, year: int) -> tzinfo | None:
    """A fixed-offset equivalent of ``tz`` from ``year`` on, when it has no daylight saving since then.

    China has kept UTC+8 all year since 1992 (it had daylight saving 1986–1991): a fixed offset gives the
    same instants and costs less per value than a zone lookup.
    """
    offsets = {tz.utcoffset(datetime(y, m, 1)) for y in range(year, 2038) for m in (1, 7)}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return timezone(offset) if offset is not None else None


@cache
def zone(name: str) -> tzinfo:
    """The time zone ``name``; China has kept UTC+8 without daylight saving since 1991, the fallback."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name in ("Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"):
            return timezone(timedelta(hours=8), name)
        raise ValueError(f"unknown time zone {name!r}") from None


def _bad(value: Any, why: str = "") -> TransformError:
    detail = f" ({why})" if why else ""
    return TransformError(
        "datetime.invalid", f"not a date-time: {value!r}{detail}", f"不是合法的日期时间：{value!r}{detail}"
    )


def _from_serial(serial: Decimal, tz: tzinfo, original: Any) -> datetime:
    if not 1 <= serial < 2958466:
        raise _bad(original, "Excel serial out of range")
    seconds = int((serial * 86400).to_integral_value())
    return (_EXCEL_EPOCH + timedelta(seconds=seconds)).replace(tzinfo=tz)


def _from_number(value: Decimal, tz: tzinfo, original: Any) -> datetime:
    if value >= 10**11:  # Java epoch milliseconds (13 digits today)
        return datetime.fromtimestamp(float(value) / 1000, UTC).astimezone(tz)
    if value >= 10**9:  # Unix epoch seconds
        return datetime.fromtimestamp(float(value), UTC).astimezone(tz)
    return _from_serial(value, tz, original)


def _time_of_day(value: Any, digits: int | None = None) -> tuple[int, int, int, int]:
    """Hour, minute, second, microsecond from ``083000``, ``83000``, ``0830``, ``08:30:00`` or a day fraction.

    ``digits`` (6 or 4) says the field is ``HHmmss`` or ``HHmm`` stored as a number, so that leading
    zeros it lost are put back (``500`` is 00:05:00 in an ``HHmmss`` field).
    """
    if isinstance(value, time):
        return value.hour, value.minute, value.second, value.microsecond
    if isinstance(value, float | Decimal) and 0 <= value < 1:
        fraction = Decimal(repr(value)) if isinstance(value, float) else value
        seconds = int((fraction * 86400).to_integral_value())
        return seconds // 3600, seconds // 60 % 60, seconds % 60, 0
    s = halfwidth(str(value)).strip()
    if s.isdigit() and digits is not None and len(s) <= digits:
        s = s.zfill(digits)
    if s.isdigit():
        if len(s) in (5, 6):
            s = s.zfill(6)
            return int(s[:2]), int(s[2:4]), int(s[4:6]), 0
        if len(s) in (3, 4):
            s = s.zfill(4)
            return int(s[:2]), int(s[2:4]), 0, 0
        raise _bad(value, "time of day")
    m = _TIME.match(s)
    if m is None:
        raise _bad(value, "time of day")
    h, mi, sec, frac = m.groups()
    return int(h), int(mi), int(sec or 0), int((frac or "0").ljust(6, "0"))


def _digits(s: str, tz: tzinfo) -> datetime | None:
    n = len(s)
    if n == 8:
        return datetime(int(s[:4]), int(s[4:6]), int(s[6:8]), tzinfo=tz)
    if n == 12:
        return datetime(int(s[:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), tzinfo=tz)
    if n == 14:
        return datetime(int(s[:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), int(s[12:14]), tzinfo=tz)
    return None


def _parse_text(s: str, tz: tzinfo, original: Any) -> tuple[datetime, bool]:
    """The date-time in ``s`` and whether it had a time part."""
    # The commonest form first: yyyy-MM-dd HH:mm:ss is ISO 8601 with a space, parsed in C.
    if len(s) == 19 and s[4] == "-" and s[13] == ":" and s[10] in " T":
        try:
            return datetime.fromisoformat(s).replace(tzinfo=tz), True
        except ValueError:
            pass  # the general forms below say why
    if s.isdigit():
        found = _digits(s, tz)
        if found is not None:
            return found, len(s) > 8
    if _SERIAL.match(s):
        return _from_number(Decimal(s), tz, original), True
    m = _GENERAL.match(s)
    if m is not None:
        y, mo, d, h, mi, sec, frac = m.groups()
        if h is None:
            return datetime(int(y), int(mo), int(d), tzinfo=tz), False
        micro = int((frac or "0").ljust(6, "0"))
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0), micro, tzinfo=tz), True
    try:
        parsed = datetime.fromisoformat(s)
    except ValueError:
        raise _bad(original) from None
    return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)), True


# The plain ASCII forms, split into their date and clock parts, so that each part is parsed once per
# distinct text: an export of 100,000 rows has a few hundred days and at most 1,440 minutes, even
# though nearly every date-time is distinct. Anything else goes through ``parse_local``.
_QUICK_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", re.ASCII)
_QUICK_CLOCK = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?", re.ASCII)
_MIDNIGHT = (0, 0, 0, 0)


@lru_cache(maxsize=4096)
def _day(text: str) -> tuple[int, int, int] | None:
    """``(year, month, day)`` of ASCII ``yyyy-M-d`` (``/`` or ``.`` too); None for other text or no such day."""
    m = _QUICK_DAY.fullmatch(text)
    if m is None:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    try:
        date(y, mo, d)
    except ValueError:
        return None  # parse_local says why
    return y, mo, d


@lru_cache(maxsize=4096)
def _clock(text: str) -> tuple[int, int, int, int] | None:
    """Hour, minute, second, microsecond of ASCII ``H:mm[:ss[.ffffff]]``; None for other text or no such time."""
    m = _QUICK_CLOCK.fullmatch(text)
    if m is None:
        return None
    h, mi, sec, us = int(m[1]), int(m[2]), int(m[3] or 0), int((m[4] or "0").ljust(6, "0"))
    return (h, mi, sec, us) if h < 24 and mi < 60 and sec < 60 else None


@lru_cache(maxsize=4096)
def _time_text(text: str, digits: int | None) -> tuple[int, int, int, int]:
    """``_time_of_day`` of a text, remembered (a failure raises and is not remembered)."""
    return _time_of_day(text, digits)


def quick_local(s: str) -> tuple[int, int, int, int, int, int, int, bool] | None:
    """Year to microsecond and whether a time was written, for the ASCII forms ``parse_local`` reads the same way.

    ``s`` is stripped ASCII text: ``yyyyMMdd``, ``yyyy-M-d`` (``/`` or ``.``), either of the latter
    followed by one space and ``H:mm[:ss[.ffffff]]``. None for anything else (or an impossible value):
    the caller then asks ``parse_local``, which reads it or says why not.
    """
    if len(s) == 8 and s.isascii() and s.isdigit():
        y, mo, d = int(s[:4]), int(s[4:6]), int(s[6:])
        if not (1 <= mo <= 12 and 1 <= d <= 28):  # later days of the month: let date() judge, below
            try:
                date(y, mo, d)
            except ValueError:
                return None
        return y, mo, d, 0, 0, 0, 0, False
    day_text, space, clock_text = s.partition(" ")
    ymd = _day(day_text)
    if ymd is None:
        return None
    if not space:
        return (*ymd, *_MIDNIGHT, False)
    hms = _clock(clock_text)
    if hms is None:
        return None
    return (*ymd, *hms, True)


def parse_local(value: Any, time_value: Any = None, *, tz: tzinfo, time_digits: int | None = None) -> datetime:
    """``value`` (and an optional separate time of day) as an aware datetime in ``tz``.

    A value that already has an offset keeps it. Raises ``TransformError`` for anything else.
    """
    has_time = True
    try:
        if isinstance(value, datetime):
            dt = value if value.tzinfo is not None else value.replace(tzinfo=tz)
        elif isinstance(value, date):
            dt, has_time = datetime(value.year, value.month, value.day, tzinfo=tz), False
        elif isinstance(value, bool):
            raise _bad(value)
        elif isinstance(value, int | float | Decimal):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            dt = _from_number(number, tz, value)
            has_time = time_value is None and number != number.to_integral_value()
        else:
            dt, has_time = _parse_text(halfwidth(str(value)).strip(), tz, value)
        if time_value is not None and time_value != "":
            if has_time and (dt.hour or dt.minute or dt.second):
                raise _bad(value, f"has a time of day and a separate time {time_value!r}")
            h, mi, sec, micro = _time_of_day(time_value, time_digits)
            dt = dt.replace(hour=h, minute=mi, second=sec, microsecond=micro)
    except ValueError as exc:
        if isinstance(exc, TransformError):
            raise
        raise _bad(value, str(exc)) from None
    return dt


@transform("datetime", inputs=(1, 2))
def datetime_(*, tz: str = "Asia/Shanghai", time_digits: int | None = None) -> Callable[..., datetime]:
    """A local date-time (or a date plus a separate time field) as an offset-aware time in ``tz``.

    Accepts ``yyyy-MM-dd HH:mm:ss`` (``/`` or ``T`` too), ``yyyyMMdd`` with ``HHmmss`` in a second
    field, ``yyyyMMddHHmmss``, ``2024年3月25日 10时05分``, Excel serial numbers, epoch milliseconds
    and ISO 8601 with an offset (kept as given). ``time_digits = 6`` reads a separate time field as
    ``HHmmss`` even when it lost its leading zeros (``500`` → 00:05:00).
    """
    if time_digits not in (None, 4, 6):
        raise ValueError("time_digits is 4 (HHmm) or 6 (HHmmss)")
    zone_info = zone(tz)
    fixed = fixed_since(zone_info, _FIXED_FROM)
    fromiso = datetime.fromisoformat

    def apply(value: Any, time_value: Any = None) -> datetime:
        if type(value) is str and value.isascii():
            s = value.strip()
            if time_value is None and len(s) == 19 and s[4] == "-" and s[10] in " T" and s[13] == ":":
                try:  # yyyy-MM-dd HH:mm:ss, the commonest form, goes straight to C
                    dt = fromiso(s)
                except ValueError:
                    pass  # the general path says why
                else:
                    return dt.replace(tzinfo=fixed if fixed is not None and dt.year >= _FIXED_FROM else zone_info)
            parts = quick_local(s)
            if parts is not None:
                y, mo, d, h, mi, sec, us, has_time = parts
                if time_value is not None and time_value != "":
                    if type(time_value) is not str or (has_time and (h or mi or sec)):
                        return parse_local(value, time_value, tz=zone_info, time_digits=time_digits)
                    h, mi, sec, us = _time_text(time_value, time_digits)
                tz_ = fixed if fixed is not None and y >= _FIXED_FROM else zone_info
                try:
                    return datetime(y, mo, d, h, mi, sec, us, tz_)
                except ValueError:
                    pass  # a time of day such as 25:00: the general path says why
        return parse_local(value, time_value, tz=zone_info, time_digits=time_digits)

    return apply


@transform("date")
def date_(*, tz: str = "Asia/Shanghai") -> Callable[[Any], date]:
    """A calendar date from any form ``datetime`` accepts (the local date, in ``tz``)."""
    zone_info = zone(tz)

    def apply(value: Any) -> date:
        return parse_local(value, tz=zone_info).astimezone(zone_info).date()

    return apply
