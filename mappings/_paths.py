"""Source paths: ``a.b[0].c``, ``["key.with.dots"]``, and ``$.a`` for the record root inside list items.

A path is parsed once, when the mapping is loaded, into a getter: a plain function from the current
record (and the root record) to the value, or None when any step is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["Getter", "PathSyntaxError", "compile_getter", "parse_path", "simple_key", "walk"]

Getter = Callable[[Any, Any], Any]
Segment = str | int

_TOKEN = re.compile(r'\.?([^.\[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


class PathSyntaxError(ValueError):
    """A source path that cannot be parsed."""


def parse_path(text: str) -> tuple[bool, tuple[Segment, ...]]:
    """Parse ``text`` into (is_root, segments). ``$.a.b`` is rooted; ``$`` alone is the root record."""
    if not isinstance(text, str) or not text.strip():
        raise PathSyntaxError("a path must be a non-empty string")
    rooted = text == "$" or text.startswith("$.")
    body = text[2:] if text.startswith("$.") else ("" if text == "$" else text)
    if body == ".":
        return rooted, ()
    segments: list[Segment] = []
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None or (pos == 0 and body.startswith(".")):
            raise PathSyntaxError(f'cannot read the path at {body[pos:]!r} (use a.b[0] or ["a.b"])')
        name, index, quoted = m.groups()
        if name is not None:
            segments.append(name)
        elif index is not None:
            segments.append(int(index))
        else:
            segments.append(quoted.replace('\\"', '"'))
        pos = m.end()
    return rooted, tuple(segments)


def _step(value: Any, seg: Segment) -> Any:
    if isinstance(seg, int):
        if isinstance(value, list | tuple) and -len(value) <= seg < len(value):
            return value[seg]
        return None
    try:
        return value.get(seg)
    except AttributeError:  # not a table (or a list, whose get is missing too): the value is missing
        return None


def walk(record: Any, keys: tuple[str, ...]) -> Any:
    """``record[k1][k2]...`` with ``.get``, None as soon as a step is missing or not a table."""
    value = record
    try:
        for k in keys:
            value = value.get(k)
    except AttributeError:
        return None
    return value


def simple_key(text: str) -> str | tuple[str, ...] | None:
    """The key (or keys, for ``a.b``) when ``text`` names plain keys of the current record, else None."""
    rooted, segs = parse_path(text)
    keys = tuple(s for s in segs if isinstance(s, str))
    if rooted or not keys or len(keys) != len(segs):
        return None
    return keys[0] if len(keys) == 1 else keys


def compile_getter(text: str) -> Getter:
    """A getter for ``text``: ``getter(record, root)`` returns the value, or None when it is missing."""
    rooted, segs = parse_path(text)
    if not segs:
        return (lambda rec, root: root) if rooted else (lambda rec, root: rec)
    if len(segs) == 1 and isinstance(segs[0], str):
        key = segs[0]
        # The common case (a flat record, one key) stays a single dict lookup.

        def get_root(rec: Any, root: Any) -> Any:
            try:
                return root.get(key)
            except AttributeError:  # not a table: the value is missing
                return None

        def get_one(rec: Any, root: Any) -> Any:
            try:
                return rec.get(key)
            except AttributeError:
                return None

        return get_root if rooted else get_one

    def get(rec: Any, root: Any) -> Any:
        value = root if rooted else rec
        for seg in segs:
            value = _step(value, seg)
            if value is None:
                return None
        return value

    return get
