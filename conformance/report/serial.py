"""Shared formatting of run values (JSON file, compact JSON of evidence, outcome names)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conformance.suite.model import Outcome, RunResult

__all__ = ["OUTCOME_ZH", "clean", "compact", "write_json"]

# Control characters XML 1.0 cannot carry and HTML forbids; evidence may hold raw bytes from a broken system.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

OUTCOME_ZH = {
    Outcome.PASS: "通过",
    Outcome.FAIL: "未通过",
    Outcome.WAIVED: "豁免",
    Outcome.SKIPPED: "跳过",
    Outcome.ERROR: "错误",
}


def write_json(run: RunResult, path: Path) -> None:
    """Write the run as indented JSON in UTF-8 (the pydantic serialisation, readable back with ``model_validate_json``)."""
    Path(path).write_text(run.model_dump_json(indent=2), encoding="utf-8")


def compact(value: Any) -> str:
    """A value as one line: strings as they are, anything else as compact JSON (keys sorted, CJK kept)."""
    if isinstance(value, str):
        return value
    # default=str: evidence data may hold dates, decimals or other objects the check did not convert.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def clean(text: str) -> str:
    """``text`` with control characters (NUL, ESC...) replaced by U+FFFD, so XML and HTML stay valid."""
    return _CONTROL.sub("\ufffd", text)
