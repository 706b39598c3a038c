"""China's working-day calendar: weekends, official public holidays and adjusted working days (调休).

The dates come from the State Council General Office notices, one per year, kept in ``holidays.json``
beside this module (with each notice's title and how sure the dates are). A year the file does not
cover raises :class:`OutsideCalendar`, unless the caller asks for the weekends-only fallback: regulatory
deadlines counted in working days must not silently ignore a Spring Festival.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any


class OutsideCalendar(ValueError):
    """The date's year has no holiday arrangement in the calendar data."""

    def __init__(self, year: int, covered: tuple[int, ...]) -> None:
        self.year = year
        span = f"{covered[0]}–{covered[-1]}" if covered else "none"
        super().__init__(
            f"no holiday arrangement for {year} (covered years: {span}); pass fallback=True for weekends only"
        )


@dataclass(frozen=True)
class YearArrangement:
    """One year's notice: its title and the days it moves."""

    year: int
    notice: str
    document_no: str | None
    published: date
    certainty: str
    holidays: frozenset[date]
    workdays: frozenset[date]


class WorkingCalendar:
    """Working days per the notices in ``data`` (the format of ``holidays.json``)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.years: dict[int, YearArrangement] = {}
        for year_text, y in data["years"].items():
            year = int(year_text)
            arrangement = YearArrangement(
                year=year,
                notice=y["notice"],
                document_no=y.get("document_no"),
                published=date.fromisoformat(y["published"]),
                certainty=y["certainty"],
                holidays=frozenset(date.fromisoformat(d) for d in y["holidays"]),
                workdays=frozenset(date.fromisoformat(d) for d in y["workdays"]),
            )
            # A typo in the data file must not pass quietly: every date belongs to its year, adjusted
            # working days are weekend days, and no day is both.
            wrong = [d for d in arrangement.holidays | arrangement.workdays if d.year != year]
            wrong += [d for d in arrangement.workdays if d.weekday() < 5]
            wrong += list(arrangement.holidays & arrangement.workdays)
            if wrong:
                raise ValueError(f"holiday data for {year} is inconsistent at {sorted(wrong)}")
            self.years[year] = arrangement

    @property
    def covered(self) -> tuple[int, ...]:
        """The years with a holiday arrangement, ascending."""
        return tuple(sorted(self.years))

    def is_covered(self, d: date) -> bool:
        """Whether ``d``'s year has a holiday arrangement (so answers about it are exact)."""
        return d.year in self.years

    def is_working_day(self, d: date, *, fallback: bool = False) -> bool:
        """Whether ``d`` is a working day; outside the data, an error unless ``fallback`` (weekends only)."""
        arrangement = self.years.get(d.year)
        if arrangement is None:
            if not fallback:
                raise OutsideCalendar(d.year, self.covered)
            return d.weekday() < 5
        if d in arrangement.workdays:
            return True
        if d in arrangement.holidays:
            return False
        return d.weekday() < 5

    def add_working_days(self, d: date, n: int, *, fallback: bool = False) -> date:
        """The ``n``-th working day after ``d`` (before it when ``n`` < 0); ``d`` itself when ``n`` is 0.

        ``d`` itself never counts, so a receipt due "within 5 working days of" a delivery on ``d`` is due
        by ``add_working_days(d, 5)``.
        """
        step = timedelta(days=1 if n >= 0 else -1)
        left = abs(n)
        while left:
            d += step
            if self.is_working_day(d, fallback=fallback):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date, *, fallback: bool = False) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``."""
        if b < a:
            return -self.working_days_between(b, a, fallback=fallback)
        count = 0
        d = a
        while d < b:
            d += timedelta(days=1)
            count += self.is_working_day(d, fallback=fallback)
        return count


@cache
def default_calendar() -> WorkingCalendar:
    """The calendar of the notices shipped with hazlink."""
    text = resources.files(__package__).joinpath("holidays.json").read_text(encoding="utf-8")
    return WorkingCalendar(json.loads(text))


def is_working_day(d: date, *, fallback: bool = False) -> bool:
    """Whether ``d`` is a working day in China (see :meth:`WorkingCalendar.is_working_day`)."""
    return default_calendar().is_working_day(d, fallback=fallback)


def add_working_days(d: date, n: int, *, fallback: bool = False) -> date:
    """The ``n``-th working day after ``d`` (see :meth:`WorkingCalendar.add_working_days`)."""
    return default_calendar().add_working_days(d, n, fallback=fallback)


def working_days_between(a: date, b: date, *, fallback: bool = False) -> int:
    """Working days in ``(a, b]`` (see :meth:`WorkingCalendar.working_days_between`)."""
    return default_calendar().working_days_between(a, b, fallback=fallback)
