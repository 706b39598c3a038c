"""List rules (``each``): one contract item per element of a local list.

``each = "wxfw"`` walks the local list ``wxfw`` (a single table counts as a list of one);
``each = "."`` makes a one-item list of the record itself (a flat record with one waste line).
Items are built by ``fields`` (a table of rules, paths relative to the element; ``$.x`` reaches the
record root) or by ``value`` (one rule, for a list of scalars). Issues inside item ``i`` are reported
at ``$.items[i]...`` and ``wxfw[i]...``.
"""

from __future__ import annotations

from typing import Any

from ._compile import Scope, Step, _rule, compile_fields
from ._conditions import Condition
from ._errors import Issue, Problem
from ._paths import PathSyntaxError, compile_getter
from ._steps import ValueRule, make_value_step

__all__ = ["compile_each"]


def compile_each(
    name: str,
    spec: dict[str, Any],
    scope: Scope,
    key: str,
    target: str,
    abs_target: tuple[str, ...],
    src: str,
    cond: Condition | None,
) -> Step | None:
    """Compile an ``each`` rule found at ``key``."""
    for k in ("paths", "transform", "args", "crosswalk", "into", "default"):
        if k in spec:
            scope.problems.append(Problem(scope.file, f"{key}.{k}", "does not go with each (put it on the item rules)"))
    path = spec["each"]
    if not isinstance(path, str):
        scope.problems.append(Problem(scope.file, f"{key}.each", "expects the path of a local list, or '.'"))
        return None
    itself = path == "."
    if itself:
        get = None
        item_src = src
    else:
        try:
            get = compile_getter(path)
        except PathSyntaxError as exc:
            scope.problems.append(Problem(scope.file, f"{key}.each", f"bad path {path!r}: {exc}"))
            return None
        item_src = path.removeprefix("$.") + "[]" if (path.startswith("$.") or not src) else f"{src}.{path}[]"
    has_fields, has_value = "fields" in spec, "value" in spec
    if has_fields == has_value:
        scope.problems.append(Problem(scope.file, key, "each needs either fields (items are tables) or value"))
        return None
    item_abs = (*abs_target, "[]")
    if has_fields:
        steps = compile_fields(spec["fields"], scope, f"{key}.fields", abs_target=item_abs, src=item_src)
        scalar = None
    else:
        value_spec = spec["value"]
        if not isinstance(value_spec, dict):
            scope.problems.append(Problem(scope.file, f"{key}.value", "expects a rule table"))
            return None
        compiled = _rule("value", value_spec, scope, f"{key}.value", "$", (*item_abs[:-1], "[]"), item_src)
        steps = []
        if compiled is None:
            return None
        scalar = make_value_step(compiled) if isinstance(compiled, ValueRule) else compiled
    required = bool(spec.get("required", False))
    source_text = path.removeprefix("$.") if not itself else "."
    return _each_step(name, get, steps, scalar, cond, required, target, source_text, itself)


def _each_step(
    name: str,
    get: Any,
    steps: list[Step],
    scalar: Step | None,
    cond: Condition | None,
    required: bool,
    target: str,
    source: str,
    itself: bool,
) -> Step:
    def each(rec: Any, root: Any, out: dict[str, Any], issues: list[Issue], index: int) -> None:
        if cond is not None and not cond(rec, root):
            return
        seq: Any = [rec] if itself else get(rec, root)
        if seq is None or seq == "" or seq == []:
            if required:
                issues.append(
                    Issue(
                        "mapping.missing",
                        target,
                        source,
                        f"缺少必填的本地列表 {source}",
                        f"Required local list {source} is missing",
                    )
                )
            return
        if isinstance(seq, dict):
            seq = [seq]
        elif not isinstance(seq, list | tuple):
            issues.append(
                Issue(
                    "mapping.not_a_list",
                    target,
                    source,
                    f"本地字段 {source} 不是列表",
                    f"Local field {source} is not a list",
                    str(seq)[:100],
                )
            )
            return
        items: list[Any] = []
        for i, item in enumerate(seq):
            before = len(issues)
            sub: dict[str, Any] = {}
            if scalar is not None:
                scalar(item, root, sub, issues, i)
                if "value" in sub:
                    items.append(sub["value"])
            else:
                for s in steps:
                    s(item, root, sub, issues, i)
                items.append(sub)
            if len(issues) > before:
                prefix = f"{target}[{i}]"
                src_prefix = "" if itself else f"{source}[{i}]"
                issues[before:] = [x.rebased(prefix, src_prefix) for x in issues[before:]]
        if items:
            out[name] = items

    return each
