"""Identifier validators: each returns a list of findings (empty when the value is good).

Check digits and code lists live here rather than in the models, so that structural validation stays
in pydantic's compiled path and these checks can be switched on where they are wanted.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .codelists import CatalogueEdition, edition_for, regions
from .findings import Finding, finding

__all__ = [
    "DEFAULT_LABEL_SCHEME",
    "USCC_ALPHABET",
    "LabelIdScheme",
    "check_batch_code",
    "check_facility_code",
    "check_label_id",
    "check_manifest_no",
    "check_plate",
    "check_region",
    "check_uscc",
    "check_waste",
    "day_segment",
    "facility_ok",
    "label_ok",
    "party_ok",
    "plate_ok",
    "region_ok",
    "uscc_check_char",
    "uscc_format_ok",
    "uscc_ok",
    "waste_ok",
]


def _is_digits(text: str) -> bool:
    # str.isdigit() also accepts full-width and other scripts' digits; codes are ASCII only.
    return text.isascii() and text.isdigit()


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@lru_cache(maxsize=65536)
def _uscc_state(value: str) -> tuple[str, str]:
    # The same few thousand units recur in every record, so the result is cached.
    if not _USCC_RE.fullmatch(value):
        return "format", ""
    expected = uscc_check_char(value[:17])
    return ("ok", expected) if expected == value[17] else ("checksum", expected)


def uscc_ok(value: str) -> bool:
    """True when ``check_uscc`` would find nothing (cached)."""
    return _uscc_state(value)[0] == "ok"


def uscc_format_ok(value: str) -> bool:
    """True when ``value`` has the credit code's form (its check character may still be wrong)."""
    return _uscc_state(value)[0] != "format"


def check_uscc(value: str, path: str) -> list[Finding]:
    """统一社会信用代码: format is an error; a wrong check character is a warning (pilot codes fail it legally)."""
    state, expected = _uscc_state(value)
    if state == "ok":
        return []
    if state == "format":
        return [finding("uscc.format", path, value=value)]
    return [finding("uscc.checksum", path, value=value, expected=expected)]


@lru_cache(maxsize=8192)
def _region_state(value: str) -> str:
    if len(value) != 6 or not _is_digits(value):
        return "region.format"
    return "ok" if regions().name(value) is not None else "region.unknown"


def region_ok(value: str) -> bool:
    """True when ``check_region`` would find nothing (cached)."""
    return _region_state(value) == "ok"


@lru_cache(maxsize=16384)
def party_ok(uscc: str, region: str) -> bool:
    """True when neither the credit code nor the region code of a party has a finding (cached)."""
    return _uscc_state(uscc)[0] == "ok" and _region_state(region) == "ok"


def check_region(value: str, path: str) -> list[Finding]:
    """A 6-digit region code that the shipped table knows (unknown is a warning: tables lag)."""
    state = _region_state(value)
    return [] if state == "ok" else [finding(state, path, value=value)]


_WASTE_RE = re.compile(r"^[0-9]{3}-[0-9]{3}-[0-9]{2}$")


def check_waste(
    code: str,
    path: str,
    *,
    day: date,
    category: str | None = None,
    category_path: str | None = None,
    hazards: Sequence[str] | None = None,
    hazards_path: str | None = None,
) -> list[Finding]:
    """A waste code in the edition in force on ``day``, with its category and stated hazards.

    The category must equal ``HW`` + the code's last two digits; stated hazards must be among the
    catalogue's for that code.
    """
    if not _WASTE_RE.fullmatch(code):
        return [finding("waste_code.format", path, value=code)]
    out: list[Finding] = []
    edition, in_force = _edition_for(day)
    if not in_force:
        out.append(finding("catalogue.edition_not_shipped", path, date=day.isoformat(), edition=edition.edition))
    expected = "HW" + code[-2:]
    if category is not None and category != expected:
        out.append(
            finding(
                "waste_code.category_mismatch", category_path or path, category=category, value=code, expected=expected
            )
        )
    entry = edition.get(code)
    if entry is None:
        out.append(finding("waste_code.unknown", path, value=code, edition=edition.edition))
        return out
    if hazards and not entry.hazards.issuperset(hazards):
        for i, hz in enumerate(hazards):
            if hz not in entry.hazards:
                hp = f"{hazards_path}[{i}]" if hazards_path else path
                out.append(
                    finding("waste_code.hazard_not_in_catalogue", hp, hazard=hz, value=code, allowed=entry.hazard_text)
                )
    return out


_edition_for = lru_cache(maxsize=4096)(edition_for)


def waste_ok(code: str, category: str, hazards: Sequence[str], day: date) -> bool:
    """True when ``check_waste`` would find nothing (known code in force, its category, allowed hazards)."""
    edition, in_force = _edition_for(day)
    entry = edition.entries.get(code)
    return in_force and entry is not None and entry.category == category and entry.hazards.issuperset(hazards)


def catalogue_for(day: date) -> CatalogueEdition:
    """The catalogue edition used for ``day`` (the in-force one, or the nearest shipped)."""
    return edition_for(day)[0]


_MIN_YEAR = 2022  # 部令第23号 numbering took effect on 2022-01-01


@lru_cache(maxsize=1024)
def _prefecture(code4: str) -> bool:
    return regions().has_prefecture(code4)


@lru_cache(maxsize=2)
def _next_year(hour: int) -> int:
    # Keyed by the hour so that a long-running process still moves on at new year.
    return date.today().year + 1


def check_manifest_no(value: str, path: str, *, max_year: int | None = None) -> list[Finding]:
    """14-digit national manifest number: plausible year, existing province and prefecture codes."""
    upper = max_year if max_year is not None else _next_year(int(time.time() // 3600))
    if len(value) == 14 and _is_digits(value) and _MIN_YEAR <= int(value[:4]) <= upper and _prefecture(value[4:8]):
        return []
    if len(value) != 14 or not _is_digits(value):
        return [finding("manifest_no.format", path, value=value)]
    year = int(value[:4])
    out: list[Finding] = []
    if not _MIN_YEAR <= year <= upper:
        out.append(finding("manifest_no.year", path, value=value))
    if not _prefecture(value[4:8]):
        out.append(finding("manifest_no.region_unknown", path, value=value, prefix=value[4:8]))
    return out


@dataclass(frozen=True)
class LabelIdScheme:
    """How the 37 characters of a 数字识别码 split into segments.

    HJ 1276 fixes four segments and 37 characters but not each length; the default, inferred split is
    unit code 18 + waste code 8 + date 8 + sequence 3. The waste code always takes its 8 digits and
    the date is ``YYYYMMDD`` (8) or ``YYMMDD`` (6); the unit and sequence lengths take the rest.
    """

    unit: int = 18
    waste: int = 8
    day: int = 8
    sequence: int = 3

    def __post_init__(self) -> None:
        if self.unit + self.waste + self.day + self.sequence != 37:
            raise ValueError("label id segments must add up to 37 characters")
        if self.waste != 8:
            raise ValueError("the waste code segment holds the code's 8 digits")
        if self.day not in (6, 8):
            raise ValueError("the date segment is YYYYMMDD (8) or YYMMDD (6)")
        if self.unit < 1 or self.sequence < 1:
            raise ValueError("the unit and sequence segments need at least one character")

    @property
    def cuts(self) -> tuple[int, int, int]:
        """Where the second, third and fourth segments start."""
        return self.unit, self.unit + self.waste, self.unit + self.waste + self.day

    def split(self, value: str) -> tuple[str, str, str, str]:
        """The four segments of ``value``."""
        a, b, c = self.cuts
        return value[:a], value[a:b], value[b:c], value[c:]

    def compose(self, unit: str, waste_code: str, day: date, sequence: int) -> str:
        """Build a label id from its parts (the waste code loses its dashes)."""
        if len(unit) != self.unit:
            raise ValueError(f"unit code {unit!r} is not {self.unit} characters long")
        seq = str(sequence).zfill(self.sequence)
        if len(seq) != self.sequence:
            raise ValueError(f"sequence {sequence} does not fit in {self.sequence} digits")
        return unit + waste_code.replace("-", "") + day.strftime("%Y%m%d" if self.day == 8 else "%y%m%d") + seq


DEFAULT_LABEL_SCHEME = LabelIdScheme()


def check_label_id(
    value: str,
    path: str,
    *,
    scheme: LabelIdScheme = DEFAULT_LABEL_SCHEME,
    unit: str | None = None,
    waste_code: str | None = None,
    day: date | None = None,
) -> list[Finding]:
    """A 37-character label id whose segments are well formed and, when given, match the record."""
    if unit is not None and waste_code is not None and label_ok(value, scheme, unit, waste_code, day):
        return []
    if len(value) != 37:
        return [finding("label_id.format", path, detail=f"{len(value)} characters, expected 37")]
    seg_unit, seg_waste, seg_day, seg_seq = scheme.split(value)
    out: list[Finding] = []
    if scheme.unit == 18 and _uscc_state(seg_unit)[0] == "format":
        out.append(finding("label_id.format", path, detail=f"unit segment {seg_unit} is not a credit code"))
    if not _is_digits(seg_waste):
        out.append(finding("label_id.format", path, detail=f"waste segment {seg_waste} is not digits"))
    seg_date = day_segment(seg_day)
    if seg_date is None:
        out.append(finding("label_id.format", path, detail=f"date segment {seg_day} is not a date"))
    if not _is_digits(seg_seq):
        out.append(finding("label_id.format", path, detail=f"sequence segment {seg_seq} is not digits"))
    if out:
        return out
    if unit is not None and seg_unit != unit:
        out.append(finding("label_id.mismatch", path, segment="unit", actual=seg_unit, expected=unit))
    if waste_code is not None and seg_waste != waste_code.replace("-", ""):
        out.append(finding("label_id.mismatch", path, segment="waste", actual=seg_waste, expected=waste_code))
    if day is not None and seg_date != day:
        out.append(finding("label_id.mismatch", path, segment="date", actual=seg_day, expected=day.isoformat()))
    return out


@lru_cache(maxsize=4096)
def _digits(waste_code: str) -> str:
    return waste_code.replace("-", "")


@lru_cache(maxsize=8192)
def day_segment(segment: str) -> date | None:
    """The date a ``YYYYMMDD`` (or ``YYMMDD``, this century) segment names, or None (cached)."""
    if len(segment) not in (6, 8) or not _is_digits(segment):
        return None
    if len(segment) == 6:
        segment = "20" + segment
    try:
        return date(int(segment[:4]), int(segment[4:6]), int(segment[6:]))
    except ValueError:
        return None


def label_ok(value: str, scheme: LabelIdScheme, unit: str, waste_code: str, day: date | None = None) -> bool:
    """True when ``check_label_id`` would find nothing: the id is exactly what the record implies."""
    if len(value) != 37:
        return False
    a, b, c = scheme.cuts
    if value[:a] != unit or value[a:b] != _digits(waste_code) or not _is_digits(value[c:]):
        return False
    seg_day = day_segment(value[b:c])
    return seg_day is not None and (day is None or seg_day == day) and _uscc_state(unit)[0] != "format"


# HJ 1259's informative batch code: "HW" + pinyin initials of the record type + YYYYMMDD + serial.
BATCH_PREFIXES = {
    "generate": ("CS",),
    "store_in": ("RK",),
    "store_out": ("CK",),
    "self_process": ("ZXLY", "ZXCZ"),
    "outsource": ("WWLY", "WWCZ", "CKLY", "CKCZ"),
}
_BATCH_RE = re.compile(r"^HW(CS|RK|CK|ZXLY|ZXCZ|WWLY|WWCZ|CKLY|CKCZ)([0-9]{8})([0-9]{1,8})$")


def check_batch_code(value: str, path: str, *, kind: str | None = None) -> list[Finding]:
    """A batch code in the HJ 1259 suggested form; the form is informative, so findings are warnings."""
    m = _BATCH_RE.fullmatch(value)
    if m is None or day_segment(m.group(2)) is None:
        return [finding("batch_code.format", path, value=value)]
    if kind is not None and m.group(1) not in BATCH_PREFIXES.get(kind, ()):
        return [finding("batch_code.kind_mismatch", path, prefix=m.group(1), kind=kind)]
    return []


_FACILITY_RE = re.compile(r"^(T[SAWN][0-9]{3}|[0-9A-HJ-NPQRTUWXY]{18}[0-9]{3}P(T[SAWN][0-9]{3})?)$")


@lru_cache(maxsize=16384)
def facility_ok(value: str) -> bool:
    """True when ``value`` is an HJ 608 facility code (cached: a unit has few facilities)."""
    return _FACILITY_RE.fullmatch(value) is not None


def check_facility_code(value: str, path: str) -> list[Finding]:
    """An HJ 608 facility code (``TS001``, or a source code with a facility suffix); other forms warn."""
    return [] if facility_ok(value) else [finding("facility_code.format", path, value=value)]


_PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTER = "A-HJ-NP-Z"
_PLATE_RE = re.compile(  # matched with fullmatch, ASCII digits only
    rf"^[{_PROVINCE_ABBR}][{_PLATE_LETTER}]("
    rf"[{_PLATE_LETTER}0-9]{{5}}"  # ordinary 7-character plate
    rf"|[DF][{_PLATE_LETTER}0-9][0-9]{{4}}"  # small new-energy plate
    rf"|[0-9]{{5}}[DF]"  # large new-energy plate
    rf"|[{_PLATE_LETTER}0-9]{{4}}挂"  # trailer plate, common on dangerous-goods semi-trailers
    r")$"
)


@lru_cache(maxsize=16384)
def plate_ok(value: str) -> bool:
    """True when ``value`` is a GA 36-2018 plate (cached: fleets are small)."""
    return _PLATE_RE.fullmatch(value) is not None


def check_plate(value: str, path: str) -> list[Finding]:
    """A vehicle plate per GA 36-2018 (ordinary, new-energy or trailer)."""
    return [] if plate_ok(value) else [finding("plate.format", path, value=value)]
