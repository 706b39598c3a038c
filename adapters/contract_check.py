"""Check a mapping profile against the contract: its kinds exist and every target field is a contract field.

The mapping engine knows nothing of the contract (it is dict in, dict out); this is where a mapping
file meets it, at load time, so that ``shiper.uscc`` is reported with "did you mean shipper" before
any record is read, not as ten thousand rejected records.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

import contracts
from mappings import Profile

__all__ = ["MODELS", "profile_problems"]

MODELS: dict[str, tuple[type[BaseModel], ...]] = {
    "unit": (contracts.Unit,),
    "license": (contracts.License,),
    "approval": (contracts.TransferApproval,),
    "label": (contracts.Label,),
    "ledger": (
        contracts.GenerateRecord,
        contracts.StoreInRecord,
        contracts.StoreOutRecord,
        contracts.SelfProcessRecord,
        contracts.OutsourceRecord,
    ),
    "manifest": (contracts.Manifest,),
    "track": (contracts.TrackBatch,),
    "operation": (contracts.OperationRecord,),
    "operation-report": (contracts.OperationReport,),
}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return []
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _check_target(models: tuple[type[BaseModel], ...], target: tuple[str, ...]) -> str | None:
    current: list[type[BaseModel]] = list(models)
    for i, part in enumerate(target):
        if part == "[]":
            continue
        fields = {name: f for m in current for name, f in m.model_fields.items()}
        if part not in fields:
            where = ".".join(p for p in target[:i] if p != "[]") or "the record"
            hint = difflib.get_close_matches(part, list(fields), n=1, cutoff=0.5)
            tail = f"; did you mean {hint[0]!r}?" if hint else ""
            return f"{'.'.join(target)}: {where} has no field {part!r}{tail}"
        current = _models_in(fields[part].annotation)
        if not current and i < len(target) - 1 and target[i + 1 :] != ("[]",):
            return f"{'.'.join(target)}: {part!r} has no sub-fields"
    return None


def profile_problems(profile: Profile) -> list[str]:
    """Every mismatch between ``profile`` and the contract, as readable lines (empty when it fits)."""
    problems: list[str] = []
    if profile.contract_version != contracts.CONTRACT_VERSION:
        problems.append(
            f"{profile.file}: targets contract {profile.contract_version}, this hazlink speaks "
            f"{contracts.CONTRACT_VERSION}"
        )
    for resource in profile.resources.values():
        models = MODELS.get(resource.kind)
        if models is None:
            hint = difflib.get_close_matches(resource.kind, list(MODELS), n=1)
            tail = f"; did you mean {hint[0]!r}?" if hint else f" (kinds: {', '.join(MODELS)})"
            problems.append(f"{profile.file}: resources.{resource.name}.kind: unknown kind {resource.kind!r}{tail}")
            continue
        for target in resource.targets:
            found = _check_target(models, target)
            if found is not None:
                problems.append(f"{profile.file}: resources.{resource.name}.fields.{found}")
    return problems
