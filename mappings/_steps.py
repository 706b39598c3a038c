"""The closures a value rule compiles to, specialised by shape, so that the common rule costs least.

Most rules of a real mapping are "take this key, transform it, look it up": consecutive rules of
that shape run in one loop (one call per record, not one per field), with the transform and the
crosswalk composed into one function, memoised when pure, because exports repeat the same unit, code,
name and facility on every row. Conditions and further inputs (``paths``) are handled in the same
loop; rules with ``into``, or whose first source is not a plain key (``$.x``, ``a[0]``), get the
general closure.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._conditions import Condition, norm
from ._errors import Issue, TransformError, nearest
from ._paths import Getter, walk

__all__ = ["MISSING", "Step", "ValueRule", "fast_steps", "is_fast", "make_value_step"]

Step = Callable[[Any, Any, dict[str, Any], list[Issue], int], None]
MISSING: Any = object()
_MEMO_SIZE = 4096


@dataclass(frozen=True)
class ValueRule:
    """A compiled value rule: where the value comes from and what happens to it."""

    name: str
    getters: list[Getter]
    simple_key: str | tuple[str, ...] | None
    fn: Callable[..., Any] | None
    table: dict[str, Any] | None
    table_name: str
    cond: Condition | None
    default: Any
    required: bool
    into: list[str] | None
    target: str
    source: str
    pure: bool = True


class _Unknown(Exception):
    """A value a crosswalk does not list (raised inside a composed function, turned into an issue)."""


def _failure(exc: Exception, rule: ValueRule, target: str, raw: Any) -> Issue:
    if isinstance(exc, _Unknown):
        return _crosswalk_issue(rule, target, exc.args[0], raw)
    if isinstance(exc, TransformError):
        return Issue("mapping." + exc.code, target, rule.source, exc.message_zh, exc.message_en, raw)
    msg = f"{type(exc).__name__}: {exc}"  # a faulty transform costs one record, never the run
    return Issue("mapping.transform_failed", target, rule.source, f"转换失败：{msg}", msg, raw)


def _crosswalk_issue(rule: ValueRule, target: str, bad: str, raw: Any) -> Issue:
    table = rule.table or {}
    hint = nearest(bad, table)
    known = ", ".join(list(table)[:12])
    zh = f"代码 {bad!r} 不在对照表 {rule.table_name} 中" + (f"（最接近：{hint}）" if hint else "")
    en = f"{bad!r} is not in crosswalk {rule.table_name} (known: {known})" + (f"; nearest {hint!r}" if hint else "")
    return Issue("mapping.crosswalk_unknown", target, rule.source, zh, en, raw)


def is_fast(rule: ValueRule) -> bool:
    """Its first source a plain key, no ``into``: ``fast_steps`` runs such rules in a batch.

    A condition and further sources (``paths``, read by their getters) are allowed: the loop checks
    the one and reads the others only for the rules that have them.
    """
    return rule.into is None and rule.simple_key is not None


def make_value_step(rule: ValueRule) -> Step:
    """The closure for one rule."""
    return fast_steps([rule]) if is_fast(rule) else _general_step(rule)


def _composed(rule: ValueRule) -> Callable[[Any], Any] | None:
    """The rule's transform and crosswalk as one function of the value."""
    fn, table = rule.fn, rule.table
    if table is not None:

        def look(value: Any) -> Any:
            try:
                return [table[norm(v)] for v in value] if isinstance(value, list) else table[norm(value)]
            except KeyError as exc:
                raise _Unknown(exc.args[0]) from None

        if fn is not None:
            inner = fn

            def both(value: Any) -> Any:
                result = inner(value)
                return None if result is None else look(result)

            fn = both
        else:
            fn = look
    return fn


_SKIP, _DEFAULT, _REQUIRED = 0, 1, 2


_Spec = tuple[
    str,
    str | tuple[str, ...],
    tuple[Getter, ...] | None,
    Condition | None,
    Callable[..., Any] | None,
    dict[Any, Any] | None,
    int,
    ValueRule,
]
_NONE: Any = object()


def _spec(rule: ValueRule) -> _Spec:
    if rule.simple_key is None:
        raise ValueError(f"{rule.target}: not a plain-key rule")
    on_missing = _DEFAULT if rule.default is not MISSING else (_REQUIRED if rule.required else _SKIP)
    fn = _composed(rule)
    # Text values are remembered inline, in the loop below (a method call per field would cost more).
    memo: dict[Any, Any] | None = {} if fn is not None and rule.pure else None
    more = tuple(rule.getters[1:]) or None
    return (rule.name, rule.simple_key, more, rule.cond, fn, memo, on_missing, rule)


def _hot(spec: _Spec) -> dict[str, Any] | None:
    """The second memo of a rule that takes one plain key, has no condition and a pure transform."""
    _, key, more, cond, _, memo, _, _ = spec
    return {} if memo is not None and more is None and cond is None and isinstance(key, str) else None


def _texts(values: tuple[Any, ...]) -> bool:
    """True when every value is text or missing: such a tuple of inputs can key a memo."""
    return all(v is None or type(v) is str for v in values)


def fast_steps(rules: list[ValueRule]) -> Step:
    """One closure running several plain rules in a loop: one call per record instead of one per field.

    Results of pure transforms are remembered per rule, keyed by the text value (or, for a rule with
    several sources, by the tuple of its text values: ``("180", "kg")``), because exports repeat the
    same codes, units, names and quantities row after row.
    """
    specs = tuple(_spec(r) for r in rules)
    # The usual rule (one plain key, no condition, a pure transform) gets a second memo of the text
    # values whose result can be written as is (not a list, which is copied for each record; None
    # writes nothing), and "" when it writes nothing either: a value seen before then costs one
    # lookup, without going through the rest of the loop.
    plan = tuple((s[0], s[1], _hot(s), s) for s in specs)

    def fast(rec: Any, root: Any, out: dict[str, Any], issues: list[Issue], index: int) -> None:
        try:
            get = rec.get
        except AttributeError:  # not a table: every field is missing
            get = {}.get
        for name, key, hot, spec in plan:
            if hot is not None:
                value = get(key)
                if type(value) is str:
                    result = hot.get(value, _NONE)
                    if result is not _NONE:
                        if result is not None:
                            out[name] = result
                        continue
            _, key, more, cond, fn, memo, on_missing, rule = spec
            if cond is not None and not cond(rec, root):
                continue
            value = get(key) if isinstance(key, str) else walk(rec, key)
            if value is None or value == "":
                if on_missing == _DEFAULT:
                    out[name] = copy.copy(rule.default)
                elif on_missing == _REQUIRED:
                    zh, en = f"缺少必填的本地字段 {rule.source}", f"Required local field {rule.source} is missing"
                    issues.append(Issue("mapping.missing", rule.target, rule.source, zh, en))
                elif hot is not None and value == "":
                    hot[""] = None  # an empty cell of an optional field: nothing to write, next time at once
                continue
            if fn is None:
                out[name] = value
                continue
            if more is None:
                args: Any = None
                mkey: Any = value if memo is not None and type(value) is str else _NONE
            elif len(more) == 1:  # the usual case, quantity and unit: no list, no generator
                second = more[0](rec, root)
                args = (value, second)
                texts = type(value) is str and (second is None or type(second) is str)
                mkey = args if memo is not None and texts else _NONE
            else:
                args = (value, *[g(rec, root) for g in more])
                mkey = args if memo is not None and _texts(args) else _NONE
            result = _NONE if mkey is _NONE else memo.get(mkey, _NONE)  # type: ignore[union-attr]
            if result is _NONE:
                try:
                    result = fn(value) if args is None else fn(*args)
                except Exception as exc:  # not remembered: the issue is raised again for the next record
                    issues.append(_failure(exc, rule, rule.target, value))
                    continue
                if mkey is not _NONE and len(memo) < _MEMO_SIZE:  # type: ignore[arg-type]
                    memo[mkey] = result  # type: ignore[index]  # a full memo keeps the first (common) values
            if result is not None:
                out[name] = result.copy() if type(result) is list else result
            if hot is not None and mkey is not _NONE and type(result) is not list and len(hot) < _MEMO_SIZE:
                hot[mkey] = result

    return fast


def _general_step(rule: ValueRule) -> Step:
    name, fn, table, cond, into, default = rule.name, rule.fn, rule.table, rule.cond, rule.into, rule.default
    first, more = rule.getters[0], rule.getters[1:]
    has_default, required, source = default is not MISSING, rule.required, rule.source
    parent = rule.target.rsplit(".", 1)[0]
    # A rule with into is labelled by its own key; report its issues at the first field it fills.
    target = f"{parent}.{into[0]}" if into is not None else rule.target

    def step(rec: Any, root: Any, out: dict[str, Any], issues: list[Issue], index: int) -> None:
        if cond is not None and not cond(rec, root):
            return
        value = first(rec, root)
        if value is None or value == "":
            if has_default:
                out[name] = copy.copy(default)
            elif required:
                zh, en = f"缺少必填的本地字段 {source}", f"Required local field {source} is missing"
                issues.append(Issue("mapping.missing", target, source, zh, en))
            return
        raw = value
        if fn is not None:
            try:
                value = fn(value, *[g(rec, root) for g in more]) if more else fn(value)
            except Exception as exc:
                issues.append(_failure(exc, rule, target, raw))
                return
            if value is None:
                return
        if table is not None:
            try:
                value = [table[norm(v)] for v in value] if isinstance(value, list) else table[norm(value)]
            except KeyError as exc:
                issues.append(_crosswalk_issue(rule, target, exc.args[0], raw))
                return
        if into is None:
            out[name] = value
            return
        if not isinstance(value, tuple | list) or len(value) != len(into):
            msg = f"transform gave {value!r}, not {len(into)} values"
            issues.append(Issue("mapping.transform_failed", parent, source, f"转换结果不符：{msg}", msg, raw))
            return
        for t, v in zip(into, value, strict=True):
            out[t] = v

    return step
