"""China's working-day calendar (official holidays and 调休 working days) for regulatory deadlines."""

from ._days import (
    OutsideCalendar,
    WorkingCalendar,
    YearArrangement,
    add_working_days,
    default_calendar,
    is_working_day,
    working_days_between,
)

__all__ = [
    "OutsideCalendar",
    "WorkingCalendar",
    "YearArrangement",
    "add_working_days",
    "default_calendar",
    "is_working_day",
    "working_days_between",
]
