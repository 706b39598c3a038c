"""The working-day calendar against dates of the State Council notices."""

from __future__ import annotations

from datetime import date

import pytest

from conformance.calendar import (
    OutsideCalendar,
    add_working_days,
    default_calendar,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 2, 4), True),  # Sunday, 调休 working day before the Spring Festival
        (date(2024, 2, 9), True),  # New Year's Eve 2024: only encouraged off, still a working day
        (date(2024, 2, 12), False),
        (date(2024, 10, 1), False),
        (date(2024, 10, 12), True),  # Saturday worked after National Day
        (date(2024, 6, 10), False),  # Dragon Boat, Monday
        (date(2025, 1, 28), False),  # New Year's Eve 2025 is a holiday under the 2024 revision
        (date(2025, 2, 8), True),
        (date(2025, 10, 8), False),  # National Day and Mid-Autumn together, 8 days
        (date(2025, 10, 11), True),
        (date(2026, 1, 4), True),
        (date(2026, 2, 23), False),
        (date(2026, 2, 28), True),
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 3, 9), True),  # an ordinary Monday
    ],
)
def test_known_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_adding_working_days_skips_holidays_and_counts_adjusted_days() -> None:
    assert add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)
    assert add_working_days(date(2024, 2, 8), 1) == date(2024, 2, 9)
    assert add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)  # Sunday worked
    assert add_working_days(date(2024, 2, 18), -1) == date(2024, 2, 9)
    assert add_working_days(date(2025, 3, 3), 0) == date(2025, 3, 3)


def test_working_days_between() -> None:
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 12)) == 5
    assert working_days_between(date(2024, 10, 12), date(2024, 9, 30)) == -5
    # The published yearly totals: 2024 had 251 working days, 2025 has 248.
    assert working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 251
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 248
    assert working_days_between(date(2024, 12, 31), date(2024, 12, 31)) == 0


def test_outside_the_data() -> None:
    with pytest.raises(OutsideCalendar, match="2027"):
        is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2027, 1, 1), fallback=True) is True  # a Friday, weekends only
    assert default_calendar().covered == (2024, 2025, 2026)
    assert "2026年" in default_calendar().years[2026].notice
