"""Canonical JSON of contract records, and the per-unit, per-day digests built on it.

Two systems holding the same records compute the same digest, whatever their key order, whitespace
or number formatting: each record is first validated into its contract model, and the canonical form
is the model's compact JSON dump (fields in the contract's declaration order, decimals as strings,
times as ISO 8601 with offset, UTF-8 text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pydantic import BaseModel

__all__ = ["canonical_json", "digest_of"]


def canonical_json(model: BaseModel) -> str:
    """The canonical JSON text of one record."""
    return model.model_dump_json()


def digest_of(canonical_texts: Iterable[str]) -> tuple[int, str]:
    """Count and SHA-256 over the records' canonical texts, sorted, each followed by a newline."""
    h = hashlib.sha256()
    count = 0
    for text in sorted(canonical_texts):
        h.update(text.encode("utf-8"))
        h.update(b"\n")
        count += 1
    return count, h.hexdigest()
