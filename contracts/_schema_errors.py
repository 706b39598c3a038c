"""Turn pydantic validation errors into bilingual findings."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from .findings import CATALOG, Finding, loc_to_path

# Chinese wording for the pydantic error types a contract record meets most; ``{...}`` fields come
# from the error's context. Anything else falls back to a generic message with the English detail.
_ZH: dict[str, str] = {
    "string_pattern_mismatch": "格式不符合要求（{pattern}）",
    "string_too_short": "长度不足 {min_length}",
    "string_too_long": "长度超过 {max_length}",
    "string_type": "应为字符串",
    "enum": "取值应为 {expected} 之一",
    "literal_error": "取值应为 {expected}",
    "decimal_max_places": "小数位数超过 {decimal_places} 位",
    "decimal_max_digits": "数字位数超过 {max_digits} 位",
    "decimal_parsing": "不是合法的数值",
    "decimal_type": "应为数值或数值字符串",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为布尔值",
    "bool_type": "应为布尔值",
    "datetime_from_date_parsing": "不是合法的时间",
    "datetime_parsing": "不是合法的时间",
    "datetime_type": "应为时间",
    "date_from_datetime_parsing": "不是合法的日期",
    "date_parsing": "不是合法的日期",
    "date_type": "应为日期",
    "list_type": "应为数组",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多允许 {max_length} 项",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "union_tag_invalid": "记录类型 {tag} 无效，应为 {expected_tags} 之一",
    "union_tag_not_found": "缺少记录类型字段 {discriminator}",
    "finite_number": "应为有限数值",
}

_OWN_CODES = {"missing", "extra_forbidden", "timezone_aware", "json_invalid"}


def _zh(err: ErrorDetails) -> str:
    template = _ZH.get(err["type"])
    if template is None:
        return "字段值不符合契约"
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split("（")[0]


def errors_to_findings(exc: ValidationError, union_tags: frozenset[str] = frozenset()) -> list[Finding]:
    """One finding per pydantic error, with the JSON path it points at.

    pydantic puts the tag of a discriminated union into the location (``generate.occurred_at``); the
    tag is not part of the document, so it is dropped from the path.
    """
    out: list[Finding] = []
    for err in exc.errors(include_url=False):
        etype = err["type"]
        loc = err["loc"]
        if loc and loc[0] in union_tags:
            loc = loc[1:]
        path = loc_to_path(loc)
        ctx: dict[str, Any] = {"type": etype}
        if "input" in err and isinstance(err["input"], str | int | float | bool):
            ctx["input"] = err["input"]
        if etype in _OWN_CODES:
            code = f"schema.{etype}"
            ft = CATALOG[code]
            detail = err["msg"]
            out.append(
                Finding(code, ft.severity, path, ft.zh.format(detail=detail), ft.en.format(detail=detail), None, ctx)
            )
        else:
            ft = CATALOG["schema.invalid"]
            out.append(
                Finding("schema.invalid", ft.severity, path, f"字段值不符合契约：{_zh(err)}", err["msg"], None, ctx)
            )
    return out
