"""Business rules: pure functions over contract models that return findings.

- ``lifecycle``: manifest state transitions and the fields each state requires;
- ``transfer``: receiver licence coverage, cross-province approval and its remaining tonnage, the
  重大差异 flag, track points inside the dispatch–receipt window;
- ``ledger``: mass balance per unit, waste code and period, never a negative stock;
- ``reports``: operation reports against the records they summarise, and their due dates.
"""

from .ledger import check_mass_balance
from .lifecycle import TRANSITIONS, ManifestAction, check_manifest_state, check_transition, next_status
from .reports import check_report, report_due_date
from .transfer import (
    DEFAULT_DISCREPANCY_TOLERANCE,
    check_approval,
    check_discrepancy,
    check_receiver_license,
    check_track_window,
)

__all__ = [
    "DEFAULT_DISCREPANCY_TOLERANCE",
    "TRANSITIONS",
    "ManifestAction",
    "check_approval",
    "check_discrepancy",
    "check_manifest_state",
    "check_mass_balance",
    "check_receiver_license",
    "check_report",
    "check_track_window",
    "check_transition",
    "next_status",
    "report_due_date",
]
