"""Faults on demand: latency, error bursts, 429, commit-then-fail, truncated bodies, 200 with a business error.

Rules are matched by method and path (``fnmatch`` pattern) in the order they were added; a rule with a
``count`` applies to that many matching requests and is then spent. A seeded ``probability`` makes a
rule apply to a repeatable share of requests, so that a failing run replays exactly.
"""

from __future__ import annotations

import fnmatch
import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Literal

from pydantic import BaseModel, Field

FaultKind = Literal["latency", "error", "rate_limit", "commit_then_fail", "truncate", "business_error"]
PRE = {"error", "rate_limit"}
"""Kinds that answer before anything is processed (nothing is stored)."""
POST = {"commit_then_fail", "truncate"}


class FaultRule(BaseModel):
    """One fault, as ``POST /_mock/faults`` takes it."""

    kind: FaultKind
    path: str = Field(default="/api/v1/*", description="fnmatch pattern on the request path")
    method: str | None = Field(default=None, description="Only this method (default: any)")
    count: int | None = Field(default=None, ge=1, description="Apply to this many requests, then stop")
    probability: float = Field(default=1.0, ge=0, le=1)
    seed: int = 0
    status: int = Field(default=503, ge=400, le=599, description="Status of an error or commit_then_fail answer")
    latency_ms: int = Field(default=0, ge=0, le=120_000)
    retry_after_s: int = Field(default=1, ge=0, le=86_400)
    retry_after_http_date: bool = Field(default=False, description="Send Retry-After as an HTTP-date")
    mode: Literal["error", "drop"] = Field(
        default="error", description="commit_then_fail: error answer or dropped connection"
    )


@dataclass
class _Active:
    rule: FaultRule
    left: int | None
    rng: random.Random
    hits: int = 0


@dataclass
class FaultPlan:
    """The faults in force."""

    active: list[_Active] = field(default_factory=list)

    def add(self, rule: FaultRule) -> None:
        """Put a rule in force."""
        self.active.append(_Active(rule, rule.count, random.Random(rule.seed)))

    def clear(self) -> None:
        """Remove every rule."""
        self.active.clear()

    def describe(self) -> list[dict[str, object]]:
        """Rules in force with what is left of them."""
        return [{**a.rule.model_dump(), "left": a.left, "hits": a.hits} for a in self.active]

    def take(self, method: str, path: str, kinds: set[str]) -> list[FaultRule]:
        """The rules of ``kinds`` that fire for this request (spending their counts)."""
        fired: list[FaultRule] = []
        for a in self.active:
            r = a.rule
            if (
                r.kind not in kinds
                or (r.method and r.method.upper() != method)
                or not fnmatch.fnmatchcase(path, r.path)
            ):
                continue
            if a.left == 0 or a.rng.random() >= r.probability:
                continue
            if a.left is not None:
                a.left -= 1
            a.hits += 1
            fired.append(r)
        self.active = [a for a in self.active if a.left != 0]
        return fired


def retry_after(rule: FaultRule) -> str:
    """The Retry-After value of a 429 rule, in seconds or as an HTTP-date.

    The date is in real time: clients compare it with their own clock, not the mock's business clock.
    """
    if rule.retry_after_http_date:
        # Rounded up to the next whole second, since an HTTP-date has no fractions.
        when = datetime.fromtimestamp(math.ceil(time.time()) + rule.retry_after_s, UTC)
        return format_datetime(when, usegmt=True)
    return str(rule.retry_after_s)
