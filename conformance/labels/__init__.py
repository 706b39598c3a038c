"""HJ 1276-2022 container labels: rendering (SVG, PNG, PDF, A4 sheets), verification and linkage checks.

Rendering lives here, on floor 3, beside its only users (``hazlink label`` and the conformance suite):
it needs Pillow, segno, zxing-cpp and a system CJK font, which the adapters and the bridge do not.
"""

from __future__ import annotations

from ._font import APT_PACKAGES, FontFile, FontNotFoundError, find_font, missing_glyphs
from ._layout import (
    FIELDS,
    ORANGE,
    SIZE_CLASSES,
    Layout,
    LayoutOverflowError,
    MissingGlyphError,
    SizeClass,
    field_values,
    layout,
    size_class,
)
from ._linkage import (
    OPEN_STATUSES,
    Lookup,
    check_ledger_weights,
    check_manifest_labels,
    check_open_manifest_reuse,
)
from ._raster import DPI, sheet_slots, sheets_pdf, to_image, to_pdf, to_png, to_sheets
from ._source import LabelSourceError, NationalLabels, read_labels
from ._svg import to_svg
from ._verify import Outcome, Verdict, compare, decode_qr, label_id_from_payload, open_image, verify_image

__all__ = [
    "APT_PACKAGES",
    "DPI",
    "FIELDS",
    "OPEN_STATUSES",
    "ORANGE",
    "SIZE_CLASSES",
    "FontFile",
    "FontNotFoundError",
    "LabelSourceError",
    "Layout",
    "LayoutOverflowError",
    "Lookup",
    "MissingGlyphError",
    "NationalLabels",
    "Outcome",
    "SizeClass",
    "Verdict",
    "check_ledger_weights",
    "check_manifest_labels",
    "check_open_manifest_reuse",
    "compare",
    "decode_qr",
    "field_values",
    "find_font",
    "label_id_from_payload",
    "layout",
    "missing_glyphs",
    "open_image",
    "read_labels",
    "sheet_slots",
    "sheets_pdf",
    "size_class",
    "to_image",
    "to_pdf",
    "to_png",
    "to_sheets",
    "to_svg",
    "verify_image",
]
