"""HJ 1276-2022 container labels: rendering, verification (renders, scans, photos, PDFs) and linkage checks.

Rendering lives here, on floor 3, beside its only users (``hazlink label`` and the conformance suite):
it needs Pillow, segno, zxing-cpp and a system CJK font, which the adapters and the bridge do not.
"""

from __future__ import annotations

from ._align import QrHit, find_qr_codes
from ._document import PDF_DPI, is_pdf, open_pages, pdf_pages, verify_file
from ._font import APT_PACKAGES, FontFile, FontNotFoundError, find_font, missing_glyphs
from ._inkdiff import SCAN_THRESHOLD, RegionScore, region_scores
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
from ._verify import (
    Outcome,
    Verdict,
    compare,
    decode_qr,
    label_id_from_payload,
    open_image,
    overall,
    verify_image,
    verify_labels,
)

__all__ = [
    "APT_PACKAGES",
    "DPI",
    "FIELDS",
    "OPEN_STATUSES",
    "ORANGE",
    "PDF_DPI",
    "SCAN_THRESHOLD",
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
    "QrHit",
    "RegionScore",
    "SizeClass",
    "Verdict",
    "check_ledger_weights",
    "check_manifest_labels",
    "check_open_manifest_reuse",
    "compare",
    "decode_qr",
    "field_values",
    "find_font",
    "find_qr_codes",
    "is_pdf",
    "label_id_from_payload",
    "layout",
    "missing_glyphs",
    "open_image",
    "open_pages",
    "overall",
    "pdf_pages",
    "read_labels",
    "region_scores",
    "sheet_slots",
    "sheets_pdf",
    "size_class",
    "to_image",
    "to_pdf",
    "to_png",
    "to_sheets",
    "to_svg",
    "verify_file",
    "verify_image",
    "verify_labels",
]
