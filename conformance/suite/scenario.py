"""Scenarios are data: named sequences of business events with the national outcome each must produce.

A scenario is a TOML file (the shipped ones are in ``conformance/suite/scenarios/``)::

    name = "partial-receipt"
    title_zh = "部分接收（重大差异）"
    title_en = "Partial receipt with a significant discrepancy"
    clause = "部令第23号 第二十条"

    [[steps]]
    labels = { as = "drums", waste = "900-249-08", count = 3 }
    [[steps]]
    manifest = { as = "m", labels = ["drums"] }          # saved as a draft
    [[steps]]
    advance = { manifest = "m", to = "submitted" }
    [[steps]]
    advance = { manifest = "m", to = "in_transit", track = { interval_s = 60 } }
    [[steps]]
    advance = { manifest = "m", to = "received", received_ratio = "0.80" }

    [expect.manifests.m]
    status = "received"
    significant_discrepancy = true

Step verbs: ``labels``, ``manifest``, ``advance``, ``track``, ``ledger``, ``correct``, ``operations``,
``report``, ``settle``, ``fault``, ``clear_faults``, ``outage``, ``restore``. Each step is one table
with exactly one verb; the models below list their fields.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mocks.national.faults import FaultRule

__all__ = ["Scenario", "ScenarioError", "Step", "load_scenario", "shipped_scenarios"]


class ScenarioError(Exception):
    """A scenario file that cannot be played (the message names the file and the problem)."""


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Labels(_M):
    """Issue ``count`` labels for containers of ``waste``; remembered under ``as``."""

    as_: str = Field(alias="as")
    waste: Literal["900-249-08", "900-041-49"] = "900-249-08"
    count: int = Field(default=2, ge=1, le=50)


class NewManifest(_M):
    """Save a new draft manifest carrying the containers of the named label sets."""

    as_: str = Field(alias="as")
    labels: list[str] = Field(min_length=1)
    cross_province: bool = False
    carriers: int = Field(default=1, ge=1, le=2)


class TrackSpec(_M):
    """GPS fixes of the truck (60 km/h, site to site) every ``interval_s``; an optional signal gap after a fix."""

    interval_s: int = Field(default=60, ge=1, le=3600)
    gap_after: int | None = Field(default=None, ge=1)
    gap_s: int = Field(default=0, ge=0)


class Advance(_M):
    """Move a manifest on in the local system (the local user saves it in the new state)."""

    manifest: str
    to: Literal["submitted", "in_transit", "received", "rejected", "cancelled"]
    track: TrackSpec | None = None
    received_ratio: Decimal = Field(default=Decimal(1), gt=0, le=1)
    reason: str = "包装破损，拒收"


class Ledger(_M):
    """``flows`` ledger flows of the shipper, each with these record types in order."""

    kinds: list[Literal["generate", "store_in", "store_out", "self_process", "outsource"]] = Field(min_length=1)
    flows: int = Field(default=1, ge=1, le=5000)
    waste: Literal["900-249-08", "900-041-49"] = "900-249-08"


class Correct(_M):
    """Correct the quantity of the last ledger record played (a correction keeps the natural key)."""

    quantity_factor: Decimal = Field(gt=0)


class Operations(_M):
    """The licensed receiver's operation book: ``records`` entries of the previous month."""

    records: int = Field(default=4, ge=1, le=500)


class Report(_M):
    """The monthly operation report of the previous month, summing the records played."""

    period: Literal["previous_month"] = "previous_month"


class Outage(_M):
    """The national system answers 503 to everything until ``restore`` (at most ``max_s``)."""

    max_s: float = Field(default=10.0, gt=0, le=600)


class Step(_M):
    """One step: exactly one verb."""

    labels: Labels | None = None
    manifest: NewManifest | None = None
    advance: Advance | None = None
    ledger: Ledger | None = None
    correct: Correct | None = None
    operations: Operations | None = None
    report: Report | None = None
    settle: bool | None = None
    fault: FaultRule | None = None
    clear_faults: bool | None = None
    outage: Outage | None = None
    restore: bool | None = None

    @model_validator(mode="after")
    def _one_verb(self) -> Step:
        verbs = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(verbs) != 1:
            raise ValueError(f"a step has exactly one verb, this one has {verbs or 'none'}")
        return self

    @property
    def verb(self) -> str:
        """The step's verb."""
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)


class ManifestOutcome(_M):
    """What the national copy of a manifest must show at the end."""

    status: str | None = None
    significant_discrepancy: bool | None = None
    track_points: int | None = Field(default=None, ge=0)
    carriers: int | None = Field(default=None, ge=1)
    approval: bool | None = None


class Expect(_M):
    """The national outcome beyond "every record exactly once and accurate"."""

    manifests: dict[str, ManifestOutcome] = Field(default_factory=dict)


class Scenario(_M):
    """A named sequence of business events."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title_zh: str
    title_en: str
    clause: str = ""
    steps: list[Step] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)

    @model_validator(mode="after")
    def _names_defined(self) -> Scenario:
        labels: set[str] = set()
        manifests: set[str] = set()
        for i, step in enumerate(self.steps):
            if step.labels:
                labels.add(step.labels.as_)
            if step.manifest:
                missing = set(step.manifest.labels) - labels
                if missing:
                    raise ValueError(f"steps[{i}]: label set(s) {sorted(missing)} not issued before")
                manifests.add(step.manifest.as_)
            if step.advance and step.advance.manifest not in manifests:
                raise ValueError(f"steps[{i}]: manifest {step.advance.manifest!r} not created before")
        unknown = set(self.expect.manifests) - manifests
        if unknown:
            raise ValueError(f"expect.manifests: {sorted(unknown)} not created by any step")
        return self


def load_scenario(path: Path | str, text: str | None = None) -> Scenario:
    """A scenario from a TOML file; ``ScenarioError`` naming the file and the problem otherwise."""
    try:
        doc: dict[str, Any] = tomllib.loads(text if text is not None else Path(path).read_text(encoding="utf-8"))
        return Scenario.model_validate(doc)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False)[:3]
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in first)
        raise ScenarioError(f"{path}: {where}") from None


def shipped_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped with hazlink, by name, in file name order."""
    folder = resources.files("conformance.suite").joinpath("scenarios")
    out: dict[str, Scenario] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            s = load_scenario(entry.name, entry.read_text(encoding="utf-8"))
            out[s.name] = s
    return out
