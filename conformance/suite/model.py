"""What a certification run produces: check specs and results, scenario results, score and identities.

Everything here is a pydantic model, so a run is one JSON document (``RunResult``) that every report
(console, JSON, JUnit XML, HTML certificate, evidence bundle) and the monitor read the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Category",
    "CheckResult",
    "CheckSpec",
    "Evidence",
    "Identity",
    "Level",
    "Outcome",
    "RunResult",
    "ScenarioResult",
    "Score",
    "Severity",
    "Waiver",
]


class Category(StrEnum):
    """The six categories of the national requirement 实时、准确、完整, plus resilience, security and contract."""

    TIMELINESS = "timeliness"
    COMPLETENESS = "completeness"
    ACCURACY = "accuracy"
    RESILIENCE = "resilience"
    SECURITY = "security"
    CONTRACT = "contract"

    @property
    def zh(self) -> str:
        """The Chinese name (实时, 完整, 准确, 可靠, 安全, 规范)."""
        return _CATEGORY_ZH[self]


_CATEGORY_ZH = {
    Category.TIMELINESS: "实时",
    Category.COMPLETENESS: "完整",
    Category.ACCURACY: "准确",
    Category.RESILIENCE: "可靠",
    Category.SECURITY: "安全",
    Category.CONTRACT: "规范",
}


class Severity(StrEnum):
    """How bad a failure is: a critical failure fails the run whatever the score."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class Outcome(StrEnum):
    """A check's or scenario's outcome. ``waived``: failed, but an unexpired waiver covers it."""

    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    SKIPPED = "skipped"
    ERROR = "error"


class Level(StrEnum):
    """The verdict of a run, in the spirit of 规范化评估: 合格, 基本合格, 不合格."""

    PASS = "pass"
    CONDITIONAL = "conditional"
    FAIL = "fail"

    @property
    def zh(self) -> str:
        """The Chinese name."""
        return {"pass": "合格", "conditional": "基本合格", "fail": "不合格"}[self.value]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckSpec(_Model):
    """A check's identity as every report shows it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", description="Stable id, e.g. timeliness.latency")
    title_zh: str
    title_en: str
    category: Category
    severity: Severity
    points: int = Field(ge=0, description="Deducted when the check fails (扣分项)")
    bonus: int = Field(default=0, ge=0, description="Added when the check passes with distinction (加分项)")
    clause: str = Field(description="The clause of the standard or contract the check enforces")


class Evidence(_Model):
    """One finding of a check: what is wrong, where, and the data that shows it."""

    code: str
    message_zh: str
    message_en: str
    subject: str | None = Field(default=None, description="The record or event concerned, e.g. a manifest ref")
    scenario: str | None = None
    expected: Any = None
    actual: Any = None
    data: dict[str, Any] = Field(default_factory=dict, description="Anything else that shows the finding")


class Waiver(_Model):
    """An accepted failure: a reason, an approver and an expiry date, after which it is a failure again."""

    check: str
    reason: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    expires: date
    scenario: str | None = Field(default=None, description="Only this scenario's findings (default: all)")

    def active(self, today: date) -> bool:
        """Still in force on ``today`` (the expiry day itself included)."""
        return today <= self.expires


class CheckResult(_Model):
    """A check's outcome over the whole run."""

    spec: CheckSpec
    outcome: Outcome
    summary_zh: str = ""
    summary_en: str = ""
    findings: list[Evidence] = Field(default_factory=list)
    metrics: dict[str, float | int | None] = Field(default_factory=dict)
    waiver: Waiver | None = None
    expired_waiver: Waiver | None = Field(default=None, description="A waiver that would cover this, but expired")
    deducted: int = 0
    bonus: int = 0


class ScenarioResult(_Model):
    """One scenario played: its events and which checks failed on it."""

    name: str
    title_zh: str
    title_en: str
    outcome: Outcome
    events: int
    expected_records: int
    observed_records: int
    duration_s: float
    failed_checks: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Score(_Model):
    """Points with deductions and bonuses, and the level they give."""

    base: int = 100
    deducted: int = 0
    bonus: int = 0
    total: int = 100
    level: Level = Level.PASS
    pass_at: int = 90
    conditional_at: int = 75
    critical_failures: list[str] = Field(default_factory=list)


class Identity(_Model):
    """What makes a run reproducible: versions of everything and the run's own id."""

    run_id: str
    suite_version: str
    contract_version: str
    code_lists: dict[str, str] = Field(description="Code list → edition, e.g. catalogue → 2021")
    sut_name: str
    sut_version: str
    profile: str
    mode: str = Field(description="driver, callable or observe")
    seed: int
    started_at: datetime
    finished_at: datetime | None = None


class RunResult(_Model):
    """A whole certification (or monitor) run."""

    identity: Identity
    score: Score
    checks: list[CheckResult]
    scenarios: list[ScenarioResult] = Field(default_factory=list)
    latencies_s: list[float] = Field(default_factory=list, description="Event → national acceptance, per record")
    sla: dict[str, float] = Field(default_factory=dict, description="p95_s and max_s of the profile")
    completeness: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="Per resource: expected, present, lost, duplicated, unexpected",
    )
    harness_errors: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        """The run's level is pass (conditional is not: its failed items must be fixed first)."""
        return self.score.level is Level.PASS and not self.harness_errors

    def failed(self) -> list[CheckResult]:
        """Checks that failed (waived ones excluded)."""
        return [c for c in self.checks if c.outcome is Outcome.FAIL]
