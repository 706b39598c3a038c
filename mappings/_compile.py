"""Compile the field rules of a resource into plain closures, checking every key on the way.

A rule is a table with exactly one source: ``path`` (one local field), ``paths`` (several, for a
transform that takes several), ``const``, ``index`` (the 1-based position inside ``each``) or ``each``
(a list: one item per element of a local list, or of several joined in order, built by ``fields``, or
a scalar by ``value``). Then,
in this order: ``when`` (skip the rule unless it holds), ``default`` (a contract value used when the
first source is missing), ``required`` (missing is an issue), ``transform`` with ``args``,
``crosswalk``, and ``into`` (the transform returns several values for several sibling fields).

A table whose keys are not rule keys is a group: its keys are contract fields (``shipper.uscc`` in
TOML dotted-key form is a group ``shipper`` holding a rule ``uscc``).

Each compiled step has the signature ``step(record, root, out, issues, index)``; it writes into
``out`` and appends to ``issues``. It never raises, whatever the record holds.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._conditions import Condition, compile_condition
from ._errors import Issue, Problem, nearest
from ._paths import Getter, PathSyntaxError, compile_getter, simple_key
from ._steps import MISSING, Step, ValueRule, fast_steps, is_fast, make_value_step
from .transforms import ArgumentError, Transforms

__all__ = ["RULE_KEYS", "Scope", "Step", "compile_fields"]
RULE_KEYS = (
    "path",
    "paths",
    "const",
    "index",
    "each",
    "fields",
    "value",
    "when",
    "default",
    "required",
    "transform",
    "args",
    "crosswalk",
    "into",
    "note",
)
_SOURCES = ("path", "paths", "const", "index", "each")


@dataclass
class Scope:
    """What compiling needs to know: the file (for messages), the registries and where problems go."""

    file: str
    transforms: Transforms
    crosswalks: dict[str, dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    targets: list[tuple[str, ...]] = field(default_factory=list)


def compile_fields(
    table: Any, scope: Scope, key: str, *, target: str = "$", abs_target: tuple[str, ...] = (), src: str = ""
) -> list[Step]:
    """Compile a table of fields (rules and groups) found at ``key`` of the file."""
    if not isinstance(table, dict) or not table:
        scope.problems.append(Problem(scope.file, key, "expected a non-empty table of fields"))
        return []
    steps: list[Step] = []
    fast: list[ValueRule] = []  # consecutive plain rules, run by one closure
    for name, spec in table.items():
        here = f"{key}.{name}"
        if not isinstance(spec, dict):
            hint = nearest(name, RULE_KEYS)
            msg = f"expected a rule table such as {{ path = ... }}, found {type(spec).__name__}"
            scope.problems.append(Problem(scope.file, here, msg, hint))
            continue
        if any(k in RULE_KEYS for k in spec):
            step = _rule(name, spec, scope, here, f"{target}.{name}", (*abs_target, name), src)
        else:
            steps_in = compile_fields(
                spec, scope, here, target=f"{target}.{name}", abs_target=(*abs_target, name), src=src
            )
            step = _group(name, steps_in)
        if isinstance(step, ValueRule) and is_fast(step):
            fast.append(step)
            continue
        if fast:
            steps.append(fast_steps(fast))
            fast = []
        if step is not None:
            steps.append(make_value_step(step) if isinstance(step, ValueRule) else step)
    if fast:
        steps.append(fast_steps(fast))
    return steps


def _group(name: str, steps: list[Step]) -> Step:
    def group(rec: Any, root: Any, out: dict[str, Any], issues: list[Issue], index: int) -> None:
        sub: dict[str, Any] = {}
        for s in steps:
            s(rec, root, sub, issues, index)
        if sub:
            out[name] = sub

    return group


def _getter(path: Any, scope: Scope, key: str) -> Getter | None:
    if not isinstance(path, str):
        scope.problems.append(Problem(scope.file, key, f"a path is text, not {type(path).__name__}"))
        return None
    try:
        return compile_getter(path)
    except PathSyntaxError as exc:
        scope.problems.append(Problem(scope.file, key, f"bad path {path!r}: {exc}"))
        return None


def _check_keys(spec: dict[str, Any], scope: Scope, key: str) -> list[str]:
    for k in spec:
        if k not in RULE_KEYS:
            scope.problems.append(
                Problem(
                    scope.file, f"{key}.{k}", "unknown rule key (a rule cannot also hold fields)", nearest(k, RULE_KEYS)
                )
            )
    sources = [k for k in _SOURCES if k in spec]
    if len(sources) != 1:
        found = ", ".join(sources) or "none"
        scope.problems.append(
            Problem(scope.file, key, f"a rule has exactly one of {', '.join(_SOURCES)}; found {found}")
        )
    return sources


def _rule(
    name: str, spec: dict[str, Any], scope: Scope, key: str, target: str, abs_target: tuple[str, ...], src: str
) -> Step | ValueRule | None:
    """A compiled rule: a closure, or a ``ValueRule`` that the caller batches or wraps."""
    sources = _check_keys(spec, scope, key)
    if len(sources) != 1:
        return None
    cond = compile_condition(spec["when"], scope.file, f"{key}.when", scope.problems) if "when" in spec else None
    kind = sources[0]
    if kind == "const":
        for k in ("default", "required", "transform", "args", "crosswalk", "into"):
            if k in spec:
                scope.problems.append(Problem(scope.file, f"{key}.{k}", "does not go with const"))
        scope.targets.append(abs_target)
        return _const(name, spec["const"], cond)
    if kind == "index":
        start = spec["index"]
        if not isinstance(start, int) or isinstance(start, bool):
            scope.problems.append(Problem(scope.file, f"{key}.index", "expects the first number, e.g. 1"))
            return None
        if not abs_target or "[]" not in abs_target:
            scope.problems.append(Problem(scope.file, f"{key}.index", "only counts items inside each"))
        scope.targets.append(abs_target)
        return _index(name, start, cond)
    if kind == "each":
        from ._each import compile_each  # a cycle: each compiles fields, fields compile each

        return compile_each(name, spec, scope, key, target, abs_target, src, cond)
    return _value_rule(name, spec, scope, key, target, abs_target, src, cond)


def _const(name: str, value: Any, cond: Condition | None) -> Step:
    mutable = isinstance(value, list | dict)

    def const(rec: Any, root: Any, out: dict[str, Any], issues: list[Issue], index: int) -> None:
        if cond is None or cond(rec, root):
            out[name] = copy.deepcopy(value) if mutable else value

    return const


def _index(name: str, start: int, cond: Condition | None) -> Step:
    def idx(rec: Any, root: Any, out: dict[str, Any], issues: list[Issue], index: int) -> None:
        if cond is None or cond(rec, root):
            out[name] = index + start

    return idx


def _transform(spec: dict[str, Any], scope: Scope, key: str, n_inputs: int, n_into: int) -> Callable[..., Any] | None:
    tname = spec["transform"]
    if not isinstance(tname, str) or tname not in scope.transforms:
        msg = f"no transform named {tname!r} (known: {', '.join(scope.transforms.names())})"
        scope.problems.append(Problem(scope.file, f"{key}.transform", msg, nearest(str(tname), scope.transforms)))
        return None
    t = scope.transforms[tname]
    if not t.min_inputs <= n_inputs <= t.max_inputs:
        want = str(t.min_inputs) if t.min_inputs == t.max_inputs else f"{t.min_inputs} to {t.max_inputs}"
        msg = f"transform {tname!r} takes {want} source value(s), the rule gives {n_inputs}"
        scope.problems.append(Problem(scope.file, key, msg))
        return None
    if t.outputs != max(n_into, 1):
        msg = f"transform {tname!r} returns {t.outputs} value(s); " + (
            f"name them with into = [...] ({t.outputs} fields)" if t.outputs > 1 else "into does not apply"
        )
        scope.problems.append(Problem(scope.file, key, msg))
        return None
    args = spec.get("args", {})
    if not isinstance(args, dict):
        scope.problems.append(Problem(scope.file, f"{key}.args", "expected a table of arguments"))
        return None
    try:
        return t.build(args)
    except ArgumentError as exc:
        scope.problems.append(
            Problem(scope.file, f"{key}.args.{exc.key}" if exc.key else key, str(exc), exc.suggestion)
        )
        return None


def _value_rule(
    name: str,
    spec: dict[str, Any],
    scope: Scope,
    key: str,
    target: str,
    abs_target: tuple[str, ...],
    src: str,
    cond: Condition | None,
) -> ValueRule | None:
    if "fields" in spec or "value" in spec:
        scope.problems.append(Problem(scope.file, key, "fields and value go with each only"))
    if "path" in spec:
        texts = [spec["path"]]
        getters = [_getter(spec["path"], scope, f"{key}.path")]
    else:
        raw = spec["paths"]
        if not isinstance(raw, list) or not raw:
            scope.problems.append(Problem(scope.file, f"{key}.paths", "expects a non-empty list of paths"))
            return None
        texts = raw
        getters = [_getter(p, scope, f"{key}.paths[{i}]") for i, p in enumerate(raw)]
    into = spec.get("into")
    if into is not None and (not isinstance(into, list) or not all(isinstance(x, str) for x in into) or len(into) < 2):
        scope.problems.append(Problem(scope.file, f"{key}.into", "expects a list of two or more field names"))
        return None
    fn = None
    if "transform" in spec:
        fn = _transform(spec, scope, key, len(texts), len(into or []))
        if fn is None:
            return None
    elif "args" in spec or into is not None:
        scope.problems.append(Problem(scope.file, key, "args and into need a transform"))
    table = None
    if "crosswalk" in spec:
        cw = spec["crosswalk"]
        table = scope.crosswalks.get(cw) if isinstance(cw, str) else None
        if table is None:
            known = ", ".join(scope.crosswalks) or "none declared"
            msg = f"no crosswalk named {cw!r} (declared: {known})"
            scope.problems.append(Problem(scope.file, f"{key}.crosswalk", msg, nearest(str(cw), scope.crosswalks)))
            return None
    required = spec.get("required", False)
    if not isinstance(required, bool):
        scope.problems.append(Problem(scope.file, f"{key}.required", "expects true or false"))
    has_default = "default" in spec
    if has_default and into is not None:
        scope.problems.append(Problem(scope.file, f"{key}.default", "does not go with into"))
    if any(g is None for g in getters):
        return None
    source = ", ".join(f"{src}.{t}" if src and not t.startswith("$") else t.removeprefix("$.") for t in texts)
    if target == "$":  # the value of a list of scalars: the target is the list element itself
        scope.sources[".".join(abs_target)] = source
        scope.targets.append(abs_target)
    for t in [] if target == "$" else (into or [name]):
        scope.sources[".".join((*abs_target[:-1], t))] = source
        scope.targets.append((*abs_target[:-1], t))
    pure = "transform" not in spec or scope.transforms[spec["transform"]].pure
    return ValueRule(
        name=name,
        getters=[g for g in getters if g is not None],
        simple_key=simple_key(texts[0]),
        fn=fn,
        pure=pure,
        table=table,
        table_name=spec.get("crosswalk", ""),
        cond=cond,
        default=spec.get("default", MISSING),
        required=bool(required),
        into=into,
        target=target,
        source=", ".join(texts),
    )
