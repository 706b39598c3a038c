"""Verifying a printed label: decode its QR, fetch the national record, re-render it and compare regions.

OCR is out of scope, so the printed fields are checked by re-rendering: the national record is drawn
with the same layout at the image's resolution, and each field region of the given image is compared
with the same region of the reference. A region whose pixels differ (more than ``threshold`` of them
by more than a quarter of the grey range) is a mismatch: a label whose printed weight was edited
differs in the ``weight`` region. This holds for images hazlink rendered (or losslessly edited); a
photographed or scanned label would first need deskewing and registration, which is not done here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import zxingcpp
from PIL import Image, ImageChops, UnidentifiedImageError

from contracts import Label
from contracts.findings import Finding, Severity, finding, register

from ._layout import Box, Layout, layout
from ._raster import to_image

register(
    "label_print.no_qr",
    Severity.ERROR,
    "图像中未找到可读的标签二维码：{detail}",
    "No readable label QR code in the image: {detail}",
)
register(
    "label_print.unknown",
    Severity.ERROR,
    "标签 {label} 在国家系统中不存在",
    "Label {label} is not known to the national system",
)
register(
    "label_print.field_mismatch",
    Severity.ERROR,
    "标签 {label} 印刷的“{name}”（{field}）与国家记录不一致",
    "Label {label}: printed field {field} ({name}) differs from the national record",
)

_ID_RE = re.compile(r"[0-9A-Z]{37}")
THRESHOLD = 0.002
"""Share of a region's pixels that may differ (anti-aliasing noise stays far below it)."""


class Outcome(enum.StrEnum):
    """What verification found; ``exit_code`` is the CLI's answer."""

    MATCH = "match"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"
    UNREADABLE = "unreadable"

    @property
    def exit_code(self) -> int:
        """0 match, 1 mismatch or unknown label, 2 unreadable image or no QR code."""
        return {"match": 0, "mismatch": 1, "unknown": 1, "unreadable": 2}[self.value]


@dataclass
class Verdict:
    """The result of verifying one image."""

    outcome: Outcome
    label_id: str | None = None
    payload: str | None = None
    differing: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def decode_qr(image: Image.Image) -> str | None:
    """The text of the first QR code found in ``image``, or ``None``."""
    for result in zxingcpp.read_barcodes(image.convert("L")):
        if result.format == zxingcpp.BarcodeFormat.QRCode and result.valid and result.text:
            return str(result.text)
    return None


def label_id_from_payload(payload: str) -> str | None:
    """The 数字识别码 at the end of a QR URL (``…/label/<id>`` or ``…?id=<id>``), or ``None``."""
    tail = re.split(r"[/=]", payload.rstrip("/"))[-1]
    return tail if _ID_RE.fullmatch(tail) else None


def _differs(a: Image.Image, b: Image.Image, box: Box, k: float) -> float:
    crop = (round(box.x * k), round(box.y * k), round((box.x + box.w) * k), round((box.y + box.h) * k))
    diff = ImageChops.difference(a.crop(crop), b.crop(crop)).point(lambda v: 255 if v > 64 else 0)
    hist = diff.histogram()
    total = sum(hist)
    return hist[255] / total if total else 0.0


def compare(image: Image.Image, lay: Layout, *, threshold: float = THRESHOLD) -> list[str]:
    """Keys of the field regions where ``image`` differs from the rendering of ``lay``.

    The image is scaled to the reference's pixel size when its resolution differs.
    """
    dpi = max(72, round(image.width * 25.4 / lay.side))
    reference = to_image(lay, dpi).convert("L")
    given = image.convert("L")
    if given.size != reference.size:
        given = given.resize(reference.size, Image.Resampling.LANCZOS)
    k = dpi / 25.4
    return [b.key for b in lay.blocks if _differs(given, reference, b.box, k) > threshold]


def verify_image(image: Image.Image, lookup: Callable[[str], Label | None]) -> Verdict:
    """Decode the QR of ``image``, look the label up with ``lookup`` and compare the printed fields."""
    payload = decode_qr(image)
    label_id = label_id_from_payload(payload) if payload else None
    if payload is None or label_id is None:
        detail = "no QR code" if payload is None else f"payload {payload!r} carries no label id"
        return Verdict(Outcome.UNREADABLE, payload=payload, findings=[finding("label_print.no_qr", "$", detail=detail)])
    record = lookup(label_id)
    if record is None:
        return Verdict(
            Outcome.UNKNOWN, label_id, payload, findings=[finding("label_print.unknown", "$", label=label_id)]
        )
    lay = layout(record)
    differing = compare(image, lay)
    names = {b.key: b.name for b in lay.blocks}
    found = [finding("label_print.field_mismatch", f"$.{k}", label=label_id, name=names[k], field=k) for k in differing]
    return Verdict(Outcome.MISMATCH if differing else Outcome.MATCH, label_id, payload, differing, found)


def open_image(path: Path) -> Image.Image:
    """Open an image file (PNG, JPEG...); raises ``OSError`` or ``ValueError`` when it is not one."""
    try:
        with Image.open(path) as img:
            img.load()
            return img.copy()
    except UnidentifiedImageError as exc:
        raise ValueError(f"{path}: not an image") from exc
