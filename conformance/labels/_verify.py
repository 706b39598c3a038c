"""Verifying a printed label: decode its QR, fetch the national record, re-render it and compare regions.

OCR is out of scope, so the printed fields are checked by re-rendering the national record with the
same layout and comparing each field region of the given image with the same region of the
reference. Every QR code of an image is a label to verify, located and aligned by its own QR.

Two comparisons, chosen per label:

* **exact** — the image is a hazlink rendering as it came out (square, the QR exactly where the
  layout puts it at the image's resolution): the reference is drawn at the image's dpi and a region
  differs when more than ``THRESHOLD`` of its pixels differ by more than a quarter of the grey range.
* **aligned** — anything else (a photo, a scan, a label on an A4 sheet): the image is registered onto
  the label frame (``_align``) and ink is compared with tolerance (``_inkdiff``); a region differs
  when its windowed score exceeds ``SCAN_THRESHOLD``. When the alignment cannot be trusted (label
  partly outside the image, resolution too low, patches disagreeing) the outcome is ``unverifiable``,
  never a match or a mismatch.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, UnidentifiedImageError

from contracts import Label
from contracts.findings import Finding, Severity, finding, register

from ._align import (
    MAX_RMS_PX,
    MIN_MATCHES,
    Fit,
    QrHit,
    find_qr_codes,
    from_qr,
    implausible,
    local_scale,
    qr_corners_mm,
    refine,
    warp,
)
from ._inkdiff import RegionScore, region_scores
from ._layout import Box, Layout, layout
from ._raster import DPI, to_image

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
register(
    "label_print.unverifiable",
    Severity.ERROR,
    "标签 {label} 的图像无法可靠地与国家记录比对：{detail}",
    "Label {label}: the image cannot be compared reliably with the national record: {detail}",
)

_ID_RE = re.compile(r"[0-9A-Z]{37}")
THRESHOLD = 0.002
"""Exact comparison: share of a region's pixels that may differ (anti-aliasing noise stays far below it)."""
WORK_TEXT_PX = 20
"""Aligned comparison: the label frame's scale, chosen so that the printed text is this many pixels high."""
PRINT_DPIS = (DPI, 600, 200, 150)
"""Aligned comparison: resolutions a printed label may have been rendered at, tried in turn on a mismatch."""
EXACT_TOLERANCE_PX = 2.0
"""A QR corner this close to its rendered position (in image pixels) makes a square image a rendering."""


class Outcome(enum.StrEnum):
    """What verification found; ``exit_code`` is the CLI's answer."""

    MATCH = "match"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"
    UNREADABLE = "unreadable"
    UNVERIFIABLE = "unverifiable"

    @property
    def exit_code(self) -> int:
        """0 match; 1 mismatch or unknown label; 2 unreadable image, no QR code, or alignment not trustworthy."""
        return {"match": 0, "mismatch": 1, "unknown": 1, "unreadable": 2, "unverifiable": 2}[self.value]


@dataclass
class Verdict:
    """The result of verifying one label (one QR code) of an image.

    ``method`` is ``exact`` or ``aligned`` once the fields were compared; ``scores`` holds each
    region's score for that method (share of differing pixels, or windowed ink difference);
    ``page`` (from 1) is set for documents; ``detail`` says why a label is unverifiable;
    ``print_dpi`` is the rendering resolution whose reference fitted an aligned scan best.
    """

    outcome: Outcome
    label_id: str | None = None
    payload: str | None = None
    differing: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    method: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    page: int | None = None
    detail: str | None = None
    print_dpi: int | None = None


def decode_qr(image: Image.Image) -> str | None:
    """The text of the first QR code found in ``image``, or ``None``."""
    hits = find_qr_codes(image)
    return hits[0].text if hits else None


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


def exact_scores(image: Image.Image, lay: Layout) -> dict[str, float]:
    """Share of differing pixels per field region of a rendering ``image`` against the rendering of ``lay``.

    The image is scaled to the reference's pixel size when its resolution differs.
    """
    dpi = max(72, round(image.width * 25.4 / lay.side))
    reference = to_image(lay, dpi).convert("L")
    given = image.convert("L")
    if given.size != reference.size:
        given = given.resize(reference.size, Image.Resampling.LANCZOS)
    k = dpi / 25.4
    return {b.key: _differs(given, reference, b.box, k) for b in lay.blocks}


def compare(image: Image.Image, lay: Layout, *, threshold: float = THRESHOLD) -> list[str]:
    """Keys of the field regions where the rendering ``image`` differs from the rendering of ``lay`` (exact)."""
    return [key for key, score in exact_scores(image, lay).items() if score > threshold]


def is_rendering(image: Image.Image, hit: QrHit, lay: Layout) -> bool:
    """True when ``image`` is ``lay`` drawn upright filling the image: its QR lies where the layout puts it."""
    if image.width != image.height:
        return False
    k = image.width / lay.side
    expected = qr_corners_mm(lay) * k
    return bool(np.abs(np.array(hit.corners) - expected).max() <= EXACT_TOLERANCE_PX)


def reference_image(lay: Layout, dpi: int = DPI) -> tuple[Image.Image, float]:
    """The record drawn at print resolution ``dpi``, reduced to the working scale, and that scale in px/mm.

    Drawn at a print resolution first because the font size is rounded to whole pixels at the
    rendering's dpi: a label drawn small is not the printed label scaled down.
    """
    side = round(lay.side * WORK_TEXT_PX / lay.size.text_mm)
    return to_image(lay, dpi).resize((side, side), Image.Resampling.BOX), side / lay.side


def warp_smooth(image: Image.Image, h: np.ndarray, lay: Layout, side_px: int, k: float) -> Image.Image:
    """``image`` warped into the label frame at ``k`` px/mm without aliasing.

    Warped at the whole multiple of ``k`` nearest the photo's own resolution (at most 4×), then
    box-reduced, as the reference is.
    """
    centre = lay.side / 2
    m = min(4, max(1, round(max(local_scale(h, (centre, centre))) / k)))
    if m == 1:
        return warp(image, h, side_px, k)
    return warp(image, h, side_px * m, k * m).reduce(m)


def _trusted(fit: Fit) -> bool:
    return fit.matches >= MIN_MATCHES and fit.rms_px <= MAX_RMS_PX


def _aligned(image: Image.Image, hit: QrHit, lay: Layout, verdict: Verdict) -> Verdict:
    h = from_qr(hit, lay)
    why = implausible(h, lay, image.size)
    best: tuple[tuple[int, float], int, list[RegionScore]] | None = None
    for n, dpi in enumerate(() if why else PRINT_DPIS):
        reference, k = reference_image(lay, dpi)
        fit = refine(image, h, reference, k, lay.size.text_mm * k, coarse=n == 0)
        if not _trusted(fit):
            if n == 0:
                why = f"alignment not trustworthy ({fit.matches} patches agree, residual {fit.rms_px:.2f} px)"
                break
            continue
        h = fit.h if n == 0 else h
        scores = region_scores(warp_smooth(image, fit.h, lay, reference.width, k), reference, lay, k)
        rank = (sum(s.differs for s in scores), max(s.score for s in scores))
        if best is None or rank < best[0]:
            best = (rank, dpi, scores)
        if rank[0] == 0:
            break
    if why is not None or best is None:
        why = why or "alignment not trustworthy"
        verdict.outcome, verdict.detail = Outcome.UNVERIFIABLE, why
        verdict.findings = [finding("label_print.unverifiable", "$", label=verdict.label_id, detail=why)]
        return verdict
    _, verdict.print_dpi, scores = best
    verdict.method = "aligned"
    verdict.scores = {s.key: s.score for s in scores}
    verdict.differing = [s.key for s in scores if s.differs]
    return verdict


def _verify_hit(image: Image.Image, hit: QrHit, lookup: Callable[[str], Label | None], exact: bool) -> Verdict:
    label_id = label_id_from_payload(hit.text)
    if label_id is None:
        detail = f"payload {hit.text!r} carries no label id"
        return Verdict(
            Outcome.UNREADABLE, payload=hit.text, findings=[finding("label_print.no_qr", "$", detail=detail)]
        )
    record = lookup(label_id)
    if record is None:
        return Verdict(
            Outcome.UNKNOWN, label_id, hit.text, findings=[finding("label_print.unknown", "$", label=label_id)]
        )
    lay = layout(record)
    verdict = Verdict(Outcome.MATCH, label_id, hit.text)
    if exact and is_rendering(image, hit, lay):
        verdict.method = "exact"
        verdict.scores = {key: round(score, 4) for key, score in exact_scores(image, lay).items()}
        verdict.differing = [key for key, score in verdict.scores.items() if score > THRESHOLD]
    else:
        _aligned(image, hit, lay, verdict)
        if verdict.outcome is Outcome.UNVERIFIABLE:
            return verdict
    names = {b.key: b.name for b in lay.blocks}
    verdict.findings = [
        finding("label_print.field_mismatch", f"$.{k}", label=label_id, name=names[k], field=k)
        for k in verdict.differing
    ]
    verdict.outcome = Outcome.MISMATCH if verdict.differing else Outcome.MATCH
    return verdict


def verify_labels(
    image: Image.Image, lookup: Callable[[str], Label | None], *, page: int | None = None, exact: bool = True
) -> list[Verdict]:
    """Verify every label of ``image`` (one per QR code, in reading order); one ``unreadable`` verdict if none.

    ``exact=False`` compares every label with the aligned method, even an image that looks like a
    rendering (a rasterised PDF page is resampled, never the rendering itself).
    """
    hits = find_qr_codes(image)
    if not hits:
        return [
            Verdict(Outcome.UNREADABLE, page=page, findings=[finding("label_print.no_qr", "$", detail="no QR code")])
        ]
    verdicts = [_verify_hit(image, hit, lookup, exact) for hit in hits]
    for v in verdicts:
        v.page = page
    return verdicts


def verify_image(image: Image.Image, lookup: Callable[[str], Label | None]) -> Verdict:
    """Decode the first QR of ``image``, look the label up with ``lookup`` and compare the printed fields."""
    return verify_labels(image, lookup)[0]


def overall(verdicts: Sequence[Verdict]) -> Outcome:
    """One outcome for many labels: any mismatch or unknown label, else any unreadable/unverifiable, else match."""
    outcomes = {v.outcome for v in verdicts}
    for worst in (Outcome.MISMATCH, Outcome.UNKNOWN, Outcome.UNVERIFIABLE, Outcome.UNREADABLE):
        if worst in outcomes:
            return worst
    return Outcome.MATCH if verdicts else Outcome.UNREADABLE


def open_image(path: Path) -> Image.Image:
    """Open an image file (PNG, JPEG...); raises ``OSError`` or ``ValueError`` when it is not one."""
    try:
        with Image.open(path) as img:
            img.load()
            return img.copy()
    except UnidentifiedImageError as exc:
        raise ValueError(f"{path}: not an image") from exc
