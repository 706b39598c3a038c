"""Waivers from a file: accepted failures with a reason, an approver and an expiry date.

A TOML file with one table per waiver (``[[waiver]]``) or a JSON array of objects::

    [[waiver]]
    check = "resilience.retry_after"
    reason = "供应商网关的重试策略在 2027 年 1 月版本中修正"
    approver = "江苏省固废管理中心 张工"
    expires = 2027-01-31
    # scenario = "rate-limited"     # only that scenario's findings

After its expiry date a waiver no longer applies: the check fails again and the report says which
waiver expired.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .model import Waiver

__all__ = ["WaiverError", "load_waivers"]

_LIST: TypeAdapter[list[Waiver]] = TypeAdapter(list[Waiver])


class WaiverError(Exception):
    """A waiver file that cannot be read (the message names the file and the entry)."""


def load_waivers(path: Path | str) -> list[Waiver]:
    """The waivers in a TOML or JSON file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        doc: Any = json.loads(text) if p.suffix == ".json" else tomllib.loads(text).get("waiver", [])
        return _LIST.validate_python(doc)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        if isinstance(exc, ValidationError):
            e = exc.errors(include_url=False)[0]
            raise WaiverError(f"{p}: waiver {'.'.join(map(str, e['loc']))}: {e['msg']}") from None
        raise WaiverError(f"{p}: {exc}") from None
