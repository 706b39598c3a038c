"""Conditions (``when``): whether a rule applies to a record, or which resource a record belongs to.

Forms, all data::

    when = "wfjsdwjsrq"                                   # the field is present and not empty
    when = { path = "ldzt", in = ["4", "5", "6"] }        # also eq, ne, not_in, present, matches
    when = [ { path = "a", eq = "1" }, "b" ]              # every condition holds
    when = { any = [ { path = "a", eq = "1" }, "b" ] }    # at least one holds; also all, not

Values compare as trimmed text, so ``eq = "1"`` matches the JSON number 1 and the CSV cell ``" 1"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ._errors import Problem, nearest
from ._paths import PathSyntaxError, compile_getter

__all__ = ["CONDITION_KEYS", "Condition", "compile_condition", "norm"]

Condition = Callable[[Any, Any], bool]
CONDITION_KEYS = ("path", "eq", "ne", "in", "not_in", "present", "matches", "all", "any", "not")
_TESTS = ("eq", "ne", "in", "not_in", "present", "matches")


def norm(value: Any) -> str:
    """The text a condition or a crosswalk compares: ``str(value).strip()``; booleans as true/false."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _present(v: Any) -> bool:
    return v is not None and v != "" and v != [] and v != {}


def compile_condition(spec: Any, file: str, key: str, problems: list[Problem]) -> Condition:
    """Compile a ``when`` value; problems go to ``problems`` (the result is then a stub that is never run)."""
    if isinstance(spec, str):
        try:
            get = compile_getter(spec)
        except PathSyntaxError as exc:
            problems.append(Problem(file, key, f"bad path {spec!r}: {exc}"))
            return lambda rec, root: False
        return lambda rec, root: _present(get(rec, root))
    if isinstance(spec, list):
        parts = [compile_condition(s, file, f"{key}[{i}]", problems) for i, s in enumerate(spec)]
        return lambda rec, root: all(p(rec, root) for p in parts)
    if not isinstance(spec, dict):
        problems.append(Problem(file, key, f"a condition is a path, a table or a list, not {type(spec).__name__}"))
        return lambda rec, root: False
    for k in spec:
        if k not in CONDITION_KEYS:
            problems.append(Problem(file, f"{key}.{k}", "unknown condition key", nearest(k, CONDITION_KEYS)))
    if "all" in spec or "any" in spec or "not" in spec:
        return _combinator(spec, file, key, problems)
    return _test(spec, file, key, problems)


def _combinator(spec: dict[str, Any], file: str, key: str, problems: list[Problem]) -> Condition:
    if len(spec) != 1:
        problems.append(Problem(file, key, "all, any and not stand alone in their table"))
        return lambda rec, root: False
    ((op, inner),) = spec.items()
    if op == "not":
        cond = compile_condition(inner, file, f"{key}.not", problems)
        return lambda rec, root: not cond(rec, root)
    if not isinstance(inner, list) or not inner:
        problems.append(Problem(file, f"{key}.{op}", "expects a non-empty list of conditions"))
        return lambda rec, root: False
    parts = [compile_condition(s, file, f"{key}.{op}[{i}]", problems) for i, s in enumerate(inner)]
    if op == "all":
        return lambda rec, root: all(p(rec, root) for p in parts)
    return lambda rec, root: any(p(rec, root) for p in parts)


def _test(spec: dict[str, Any], file: str, key: str, problems: list[Problem]) -> Condition:
    path = spec.get("path")
    tests = [t for t in _TESTS if t in spec]
    if not isinstance(path, str):
        problems.append(Problem(file, f"{key}.path", "a test needs the path of the field it looks at"))
        return lambda rec, root: False
    if len(tests) > 1:
        problems.append(Problem(file, key, f"one test per table, found {', '.join(tests)}; use a list for several"))
        return lambda rec, root: False
    try:
        get = compile_getter(path)
    except PathSyntaxError as exc:
        problems.append(Problem(file, f"{key}.path", f"bad path {path!r}: {exc}"))
        return lambda rec, root: False
    test = tests[0] if tests else "present"
    arg = spec.get(test, True)
    if test in ("eq", "ne"):
        want = norm(arg)
        if test == "eq":
            return lambda rec, root: (v := get(rec, root)) is not None and norm(v) == want
        return lambda rec, root: (v := get(rec, root)) is None or norm(v) != want
    if test in ("in", "not_in"):
        if not isinstance(arg, list):
            problems.append(Problem(file, f"{key}.{test}", "expects a list of values"))
            return lambda rec, root: False
        values = frozenset(norm(a) for a in arg)
        if test == "in":
            return lambda rec, root: (v := get(rec, root)) is not None and norm(v) in values
        return lambda rec, root: (v := get(rec, root)) is None or norm(v) not in values
    if test == "present":
        if not isinstance(arg, bool):
            problems.append(Problem(file, f"{key}.present", "expects true or false"))
        want_present = bool(arg)
        return lambda rec, root: _present(get(rec, root)) is want_present
    try:
        pattern = re.compile(str(arg))
    except re.error as exc:
        problems.append(Problem(file, f"{key}.matches", f"not a regular expression: {exc}"))
        return lambda rec, root: False
    return lambda rec, root: (v := get(rec, root)) is not None and pattern.search(norm(v)) is not None
