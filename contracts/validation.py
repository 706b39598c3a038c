"""Validate records of any contract kind: structure (pydantic), then code lists and record rules.

``KINDS`` maps a kind name (``manifest``, ``ledger``...) to its model, its record checks, its natural
key and the checks that look across a whole batch (duplicates, ledger mass balance). ``Validator``
runs them and always answers with findings, never with an exception, for any bytes it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import record_checks as rc
from ._schema_errors import errors_to_findings
from .approval import TransferApproval
from .findings import Finding, Severity, finding, has_errors, register
from .identifiers import DEFAULT_LABEL_SCHEME, LabelIdScheme
from .label import Label
from .ledger import LedgerKind, LedgerRecord
from .license import License
from .manifest import Manifest, TrackBatch
from .operation import OperationRecord, OperationReport
from .rules import check_mass_balance
from .unit import Unit

__all__ = ["KINDS", "KindSpec", "Outcome", "Validator"]

register(
    "duplicate.key",
    Severity.ERROR,
    "与第 {first} 条记录的业务主键 {key} 重复",
    "Same natural key {key} as record {first}",
)

Checker = Callable[[Any, LabelIdScheme], list[Finding]]


@dataclass(frozen=True)
class KindSpec:
    """How to validate one kind of record."""

    name: str
    title_zh: str
    adapter: TypeAdapter[Any]
    check: Checker
    natural_key: Callable[[Any], tuple[str, ...] | None]
    batch_check: Callable[[list[Any], list[int | str]], list[Finding]] | None = None
    union_tags: frozenset[str] = frozenset()


def _ledger_key(r: Any) -> tuple[str, ...]:
    return (r.unit_uscc, r.kind, r.batch_code)


def _ledger_batch(models: list[Any], refs: list[int | str]) -> list[Finding]:
    return check_mass_balance(models, refs=refs)


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec("unit", "单位", TypeAdapter(Unit), lambda m, s: rc.check_unit(m), lambda m: (m.uscc,)),
        KindSpec(
            "license", "经营许可证", TypeAdapter(License), lambda m, s: rc.check_license(m), lambda m: (m.number,)
        ),
        KindSpec(
            "approval",
            "跨省转移批准",
            TypeAdapter(TransferApproval),
            lambda m, s: rc.check_transfer_approval(m),
            lambda m: (m.number,),
        ),
        KindSpec(
            "label", "电子标签", TypeAdapter(Label), lambda m, s: rc.check_label(m, scheme=s), lambda m: (m.label_id,)
        ),
        KindSpec(
            "ledger",
            "电子管理台账",
            TypeAdapter(LedgerRecord),
            lambda m, s: rc.check_ledger(m, scheme=s),
            _ledger_key,
            _ledger_batch,
            frozenset(k.value for k in LedgerKind),
        ),
        KindSpec(
            "manifest",
            "电子转移联单",
            TypeAdapter(Manifest),
            lambda m, s: rc.check_manifest(m, scheme=s),
            lambda m: (m.manifest_no,) if m.manifest_no else ((m.local_ref,) if m.local_ref else None),
        ),
        KindSpec("track", "运输轨迹", TypeAdapter(TrackBatch), lambda m, s: rc.check_track_batch(m), lambda m: None),
        KindSpec(
            "operation",
            "经营情况记录",
            TypeAdapter(OperationRecord),
            lambda m, s: rc.check_operation(m),
            lambda m: (m.license_no, m.record_id),
        ),
        KindSpec(
            "operation-report",
            "经营情况报告",
            TypeAdapter(OperationReport),
            lambda m, s: rc.check_operation_report(m),
            lambda m: (m.license_no, m.period_type, m.period),
        ),
    )
}


@dataclass
class Outcome:
    """The result of validating one record: the model (None when its structure is invalid) and findings."""

    model: Any
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no finding is error-level."""
        return self.model is not None and not has_errors(self.findings)


@dataclass(frozen=True)
class Validator:
    """Validates records of one kind.

    ``codelists=False`` keeps to structural validation (the contract's types and patterns); the
    default also checks code lists, check digits and record rules.
    """

    kind: str
    codelists: bool = True
    label_scheme: LabelIdScheme = DEFAULT_LABEL_SCHEME

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; choose one of: {', '.join(KINDS)}")

    @property
    def spec(self) -> KindSpec:
        """The kind's specification."""
        return KINDS[self.kind]

    def validate_json(self, data: bytes | str) -> Outcome:
        """Validate one JSON document."""
        try:
            model = self.spec.adapter.validate_json(data)
        except ValidationError as exc:
            return Outcome(None, errors_to_findings(exc, self.spec.union_tags))
        return self._semantic(model)

    def validate_python(self, data: Any) -> Outcome:
        """Validate one already-parsed record (a dict from JSON)."""
        try:
            model = self.spec.adapter.validate_python(data)
        except ValidationError as exc:
            return Outcome(None, errors_to_findings(exc, self.spec.union_tags))
        return self._semantic(model)

    def _semantic(self, model: Any) -> Outcome:
        if not self.codelists:
            return Outcome(model, [])
        return Outcome(model, self.spec.check(model, self.label_scheme))

    def validate_many(self, records: Iterable[tuple[int | str, Any]]) -> Iterator[Finding]:
        """Validate ``(ref, record)`` pairs, then the checks across them; yields findings tagged with ``ref``.

        A record may be bytes/str (JSON) or an already-parsed value. Duplicates by natural key and
        batch rules (ledger mass balance) are checked over the records whose structure is valid.
        """
        seen: dict[tuple[str, ...], int | str] = {}
        models: list[Any] = []
        refs: list[int | str] = []
        for ref, rec in records:
            outcome = self.validate_json(rec) if isinstance(rec, bytes | str) else self.validate_python(rec)
            for f in outcome.findings:
                yield f.at_record(ref)
            if outcome.model is None:
                continue
            key = self.spec.natural_key(outcome.model)
            if key is not None:
                if key in seen:
                    yield finding("duplicate.key", "$", key="/".join(key), first=seen[key]).at_record(ref)
                else:
                    seen[key] = ref
            models.append(outcome.model)
            refs.append(ref)
        if self.codelists and self.spec.batch_check is not None and models:
            yield from self.spec.batch_check(models, refs)
