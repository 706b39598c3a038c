"""Findings: what a validator or a business rule says about a record.

A finding has a stable ``code`` (listed in ``CATALOG`` with its default severity and bilingual
message templates), a ``severity``, the JSON ``path`` it points at, and messages in Chinese and
English. Findings are data, not exceptions: a record may have many, and a warning is not a failure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    """How much a finding matters: an ``error`` makes a record invalid."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding about one place in a record."""

    code: str
    severity: Severity
    path: str
    message_zh: str
    message_en: str
    record: int | str | None = None
    context: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form, used by ``--format json`` and by problem details."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.record is not None:
            out["record"] = self.record
        if self.context:
            out["context"] = self.context
        return out

    def at_record(self, record: int | str) -> Finding:
        """The same finding, tagged with the record (line or index) it belongs to."""
        return Finding(self.code, self.severity, self.path, self.message_zh, self.message_en, record, self.context)


@dataclass(frozen=True, slots=True)
class FindingType:
    """A registered finding code: its default severity and message templates (``str.format`` fields)."""

    code: str
    severity: Severity
    zh: str
    en: str


CATALOG: dict[str, FindingType] = {}


def register(code: str, severity: Severity, zh: str, en: str, /) -> FindingType:
    """Register a finding code; codes are stable API, so a duplicate is a programming error."""
    if code in CATALOG:
        raise ValueError(f"finding code {code!r} registered twice")
    ft = FindingType(code, severity, zh, en)
    CATALOG[code] = ft
    return ft


def finding(code: str, path: str, /, severity: Severity | None = None, **values: Any) -> Finding:
    """Build a finding of a registered ``code`` at ``path``, filling the templates with ``values``."""
    ft = CATALOG[code]
    return Finding(
        code=code,
        severity=severity or ft.severity,
        path=path,
        message_zh=ft.zh.format(**values),
        message_en=ft.en.format(**values),
        context={k: _plain(v) for k, v in values.items()},
    )


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding is error-level."""
    return any(f.severity is Severity.ERROR for f in findings)


def loc_to_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """Turn a pydantic error location into a JSONPath such as ``$.items[0].waste_code``."""
    parts = ["$"]
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}")
    return "".join(parts)


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# --- structural (schema) findings; the suffix is pydantic's error type
register("schema.missing", E, "缺少必填字段", "Required field is missing")
register("schema.extra_forbidden", E, "不允许的字段", "Field is not part of the contract")
register("schema.invalid", E, "字段值不符合契约：{detail}", "Value does not match the contract: {detail}")
register("schema.timezone_aware", E, "时间必须带时区偏移（如 +08:00）", "Timestamp must carry an offset (e.g. +08:00)")
register("schema.json_invalid", E, "不是合法的 JSON：{detail}", "Not valid JSON: {detail}")

# --- identifiers
register("uscc.format", E, "统一社会信用代码格式错误：{value}", "Malformed unified social credit code: {value}")
register(
    "uscc.checksum",
    W,
    "统一社会信用代码校验位不符（应为 {expected}）：{value}；早期试点代码可能合法",
    "Credit code check character should be {expected}: {value}; early pilot codes may be legal",
)
register("region.unknown", W, "行政区划代码不在代码表中：{value}", "Region code not in the code list: {value}")
register("region.format", E, "行政区划代码应为 6 位数字：{value}", "Region code must be 6 digits: {value}")
register("waste_code.format", E, "废物代码格式错误：{value}", "Malformed waste code: {value}")
register(
    "waste_code.unknown",
    E,
    "废物代码不在《名录》{edition}版中：{value}",
    "Waste code not in the {edition} catalogue: {value}",
)
register(
    "waste_code.category_mismatch",
    E,
    "废物类别 {category} 与代码 {value} 的末两位不符（应为 {expected}）",
    "Category {category} does not match code {value} (expected {expected})",
)
register(
    "waste_code.hazard_not_in_catalogue",
    E,
    "危险特性 {hazard} 不在《名录》对 {value} 的规定（{allowed}）之内",
    "Hazard {hazard} is not among the catalogue's for {value} ({allowed})",
)
register(
    "catalogue.edition_not_shipped",
    INFO,
    "{date} 适用的《名录》版本未随附，已按 {edition} 版校验",
    "The catalogue edition in force on {date} is not shipped; checked against the {edition} edition",
)
register("manifest_no.format", E, "联单编号应为 14 位数字：{value}", "Manifest number must be 14 digits: {value}")
register(
    "manifest_no.region_unknown",
    E,
    "联单编号中的省/地市代码 {prefix} 不存在：{value}",
    "Province/prefecture code {prefix} in the manifest number does not exist: {value}",
)
register("manifest_no.year", E, "联单编号年份不合理：{value}", "Implausible year in manifest number: {value}")
register(
    "manifest_no.origin_mismatch",
    E,
    "联单编号地区 {prefix} 与移出人所在地 {origin} 不符",
    "Manifest number region {prefix} differs from the shipper's prefecture {origin}",
)
register("label_id.format", E, "数字识别码格式错误：{detail}", "Malformed label id: {detail}")
register(
    "label_id.mismatch",
    E,
    "数字识别码的{segment}段（{actual}）与记录（{expected}）不符",
    "Label id {segment} segment {actual} differs from the record's {expected}",
)
register(
    "batch_code.format", W, "批次编码不符合 HJ 1259 建议格式：{value}", "Batch code does not follow HJ 1259: {value}"
)
register(
    "batch_code.kind_mismatch",
    W,
    "批次编码前缀 {prefix} 与记录类型 {kind} 不符",
    "Batch code prefix {prefix} does not match record type {kind}",
)
register(
    "facility_code.format", W, "设施编码不符合 HJ 608 格式：{value}", "Facility code does not follow HJ 608: {value}"
)
register("plate.format", E, "车牌号不符合 GA 36 格式：{value}", "Vehicle plate does not follow GA 36: {value}")
register("period.format", E, "报告期格式错误：{value}", "Malformed report period: {value}")
