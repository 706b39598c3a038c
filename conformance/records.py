"""Reading records from JSON, JSON arrays and NDJSON files, with positions and clear errors.

A file is NDJSON when it is named ``*.ndjson``/``*.jsonl`` or when it is not one JSON document but
has one per line. Each record comes with its reference: the line number in NDJSON, the 1-based
position in an array, ``1`` for a single document. A broken NDJSON line is handed on as raw bytes,
so the validator reports it as a finding on that line and the other lines still count.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["InputError", "RecordSource", "open_records"]


class InputError(Exception):
    """The input cannot be read as records at all (missing, not UTF-8, not JSON)."""


@dataclass
class RecordSource:
    """Records of one input with their references; ``size`` is the byte count for progress."""

    name: str
    size: int
    records: Iterator[tuple[int, Any]]


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path} is a directory, not a file of records")
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def _lines(data: bytes) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield number, line


def open_records(path: str) -> RecordSource:
    """Open ``path`` (or ``-`` for standard input) and describe its records."""
    data = _read(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}); convert it, e.g. iconv -f GB18030 -t UTF-8"
        ) from None
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{path}: empty, no records to validate")
    body = text.encode("utf-8")
    if path.endswith((".ndjson", ".jsonl")):
        return RecordSource(path, len(body), _lines(body))
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        if stripped.startswith("{") and "\n" in stripped:
            return RecordSource(path, len(body), _lines(body))
        raise InputError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if isinstance(doc, list):
        return RecordSource(path, len(body), iter(enumerate(doc, start=1)))
    if isinstance(doc, dict):
        return RecordSource(path, len(body), iter([(1, doc)]))
    raise InputError(f"{path}: expected a JSON object, an array of objects or NDJSON, found {type(doc).__name__}")
