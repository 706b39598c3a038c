"""List rules (``each``): one contract item per element of a local list.

``each = "wxfw"`` walks the local list ``wxfw`` (a single table counts as a list of one);
``each = "."`` makes a one-item list of the record itself (a flat record with one waste line).
``each = [".", "ysdwlb"]`` joins several sources in order: here the first carrier kept in flat keys
of the record, then the further carriers of the list ``ysdwlb`` (all items share the same rules).
Items are built by ``fields`` (a table of rules, paths relative to the element; ``$.x`` reaches the
record root) or by ``value`` (one rule, for a list of scalars); ``index`` counts across the joined
list. Issues inside item ``i`` are reported at ``$.items[i]...`` and at the element's own local path
(``wxfw[j]...``, or the record's keys for ``.``). For findings raised later on the contract record,
the local field named is that of the first source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._compile import Scope, Step, _rule, compile_fields
from ._conditions import Condition
from ._errors import Issue, Problem
from ._paths import Getter, PathSyntaxError, compile_getter
from ._steps import ValueRule, make_value_step

__all__ = ["compile_each"]


@dataclass(frozen=True)
class _Part:
    """One source of an ``each``: a local list (``get``), or the record itself (``get`` is None)."""

    get: Getter | None
    source: str  # the local path as issues name it ("." for the record itself)


def _parts(raw: Any, scope: Scope, key: str, src: str) -> tuple[list[_Part], str] | None:
    """The sources of ``each = raw`` and the local path template of the first one's items."""
    paths = [raw] if isinstance(raw, str) else raw
    if not isinstance(paths, list) or not paths or not all(isinstance(x, str) for x in paths):
        scope.problems.append(
            Problem(scope.file, f"{key}.each", "expects the path of a local list, '.', or a non-empty list of them")
        )
        return None
    parts: list[_Part] = []
    templates: list[str] = []
    for n, path in enumerate(paths):
        where = f"{key}.each" if isinstance(raw, str) else f"{key}.each[{n}]"
        if path == ".":
            parts.append(_Part(None, "."))
            templates.append(src)
            continue
        try:
            get = compile_getter(path)
        except PathSyntaxError as exc:
            scope.problems.append(Problem(scope.file, where, f"bad path {path!r}: {exc}"))
            continue
        parts.append(_Part(get, path.removeprefix("$.")))
        templates.append(path.removeprefix("$.") + "[]" if (path.startswith("$.") or not src) else f"{src}.{path}[]")
    if len(parts) != len(paths):
        return None
    return parts, templates[0]


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
    found = _parts(spec["each"], scope, key, src)
    if found is None:
        return None
    parts, item_src = found
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
    return _each_step(name, parts, steps, scalar, cond, required, target)


def _elements(part: _Part, rec: Any, root: Any, target: str, issues: list[Issue]) -> list[tuple[Any, str]]:
    """The elements one source gives, each with the local path prefix its issues are rebased to."""
    if part.get is None:
        return [(rec, "")]
    seq = part.get(rec, root)
    if seq is None or seq == "" or seq == []:
        return []
    if isinstance(seq, dict):
        return [(seq, f"{part.source}[0]")]
    if not isinstance(seq, list | tuple):
        issues.append(
            Issue(
                "mapping.not_a_list",
                target,
                part.source,
                f"本地字段 {part.source} 不是列表",
                f"Local field {part.source} is not a list",
                str(seq)[:100],
            )
        )
        return []
    return [(item, f"{part.source}[{j}]") for j, item in enumerate(seq)]


def _each_step(
    name: str,
    parts: list[_Part],
    steps: list[Step],
    scalar: Step | None,
    cond: Condition | None,
    required: bool,
    target: str,
) -> Step:
    source = ", ".join(p.source for p in parts)

    def each(rec: Any, root: Any, out: dict[str, Any], issues: list[Issue], index: int) -> None:
        if cond is not None and not cond(rec, root):
            return
        before_all = len(issues)
        elements = [e for part in parts for e in _elements(part, rec, root, target, issues)]
        if not elements:
            if required and len(issues) == before_all:
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
        items: list[Any] = []
        for i, (item, src_prefix) in enumerate(elements):
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
                issues[before:] = [x.rebased(prefix, src_prefix) for x in issues[before:]]
        if items:
            out[name] = items

    return each
