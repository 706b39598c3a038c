"""The second memo of the fast loop (values seen before, written at once) changes no result, ever."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from mappings import Mapped, load_profile

from .test_engine import write

BODY = """
[crosswalks.zt]
"1" = "draft"
"3" = "in_transit"

[resources.m]
kind = "manifest"
key = ["id"]
[resources.m.fields]
code = { path = "a", transform = "upper" }
needed = { path = "b", transform = "compact", required = true }
fallback = { path = "c", crosswalk = "zt", default = "draft" }
listed = { path = "d", transform = "split" }
number = { path = "e", transform = "integer" }
looked_up = { path = "f", transform = "text", crosswalk = "zt" }
when_set = { path = "a", transform = "text", when = { path = "f", eq = "3" } }
"""


def _plain(m: Mapped) -> tuple[str, list[tuple[str, str, str, str, str]]]:
    issues = [(i.code, i.path, i.source, i.message_zh, i.message_en) for i in m.issues]
    return repr(m.data), issues


def test_values_seen_before_map_as_the_first_time(tmp_path: Path) -> None:
    values = [None, "", " ", "ab", " ab ", "3", "1", "7", "2.5", "x;y", "x；y", "全角ＡＢ", 3, 2.5, ["3"], {"k": 1}]
    keys = "abcdef"
    rng = random.Random(4)
    records: list[dict[str, Any]] = [{k: rng.choice(values) for k in keys if rng.random() < 0.9} for _ in range(400)]
    warm = load_profile(write(tmp_path, BODY))
    for rec in records:  # every record mapped by a warm profile as by a fresh one, seen or not
        fresh = load_profile(write(tmp_path, BODY))
        assert _plain(warm.apply("m", rec)) == _plain(fresh.apply("m", rec)), rec


def test_lists_are_never_shared_and_empty_cells_still_fall_back_or_are_missing(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path, BODY))
    rec = {"a": "ab", "b": "", "c": "", "d": "x;y", "e": "", "f": "9"}
    first, second, third = (p.apply("m", rec) for _ in range(3))
    assert first.data["listed"] == third.data["listed"] == ["x", "y"]
    assert first.data["listed"] is not second.data["listed"] is not third.data["listed"]
    for m in (first, second, third):
        assert m.data["fallback"] == "draft" and "number" not in m.data and "when_set" not in m.data
        assert [i.code for i in m.issues] == ["mapping.missing", "mapping.crosswalk_unknown"]
        assert [i.path for i in m.issues] == ["$.needed", "$.looked_up"]
