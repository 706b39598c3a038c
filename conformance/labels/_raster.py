"""The raster writer: Pillow draws the layout at a given dpi; PNG and PDF (one label or A4 sheets).

PNG carries its dpi (``pHYs``) and the label id in a ``tEXt`` chunk; the id is only informative,
``verify`` trusts the QR code and the national record, never the metadata.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, PngImagePlugin

from ._layout import BLACK, ORANGE, WHITE, Box, Layout
from ._pictograms import DIAMOND, SYMBOLS, Circle, Line, Poly

DPI = 300
A4_MM = (210.0, 297.0)
SHEET_MARGIN_MM = 5.0


def px(mm: float, dpi: int = DPI) -> int:
    """Millimetres to whole pixels at ``dpi``."""
    return round(mm * dpi / 25.4)


def _pictogram(draw: ImageDraw.ImageDraw, code: str, box: Box, k: float) -> None:
    def pt(p: tuple[float, float]) -> tuple[float, float]:
        return ((box.x + p[0] * box.w) * k, (box.y + p[1] * box.h) * k)

    draw.polygon([pt(p) for p in DIAMOND], fill=WHITE, outline=BLACK, width=max(1, round(box.w * 0.05 * k)))
    for shape in SYMBOLS[code]:
        if isinstance(shape, Poly):
            draw.polygon([pt(p) for p in shape.points], fill=BLACK)
        elif isinstance(shape, Circle):
            cx, cy = pt((shape.cx, shape.cy))
            r = shape.r * box.w * k
            if shape.filled:
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=BLACK)
            else:
                draw.ellipse(
                    (cx - r, cy - r, cx + r, cy + r), outline=BLACK, width=max(1, round(shape.stroke * box.w * k))
                )
        elif isinstance(shape, Line):
            draw.line([pt(p) for p in shape.points], fill=BLACK, width=max(1, round(shape.width * box.w * k)))


def _qr(draw: ImageDraw.ImageDraw, box: Box, matrix: list[list[bool]], k: float) -> None:
    quiet = 2
    unit = box.w / (len(matrix) + 2 * quiet)
    draw.rectangle((box.x * k, box.y * k, (box.x + box.w) * k - 1, (box.y + box.h) * k - 1), fill=WHITE)
    x0, y0 = box.x + quiet * unit, box.y + quiet * unit
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                # integer edges shared by neighbours: no hairline gaps between modules
                left, top = round((x0 + c * unit) * k), round((y0 + r * unit) * k)
                right, bottom = round((x0 + (c + 1) * unit) * k), round((y0 + (r + 1) * unit) * k)
                draw.rectangle((left, top, right - 1, bottom - 1), fill=BLACK)


def to_image(lay: Layout, dpi: int = DPI) -> Image.Image:
    """The label drawn at ``dpi`` as an RGB image, ``side`` mm square."""
    k = dpi / 25.4
    side = px(lay.side, dpi)
    img = Image.new("RGB", (side, side), ORANGE)
    draw = ImageDraw.Draw(img)
    inset = lay.margin_mm * k
    draw.rectangle(
        (inset, inset, side - 1 - inset, side - 1 - inset), outline=BLACK, width=max(1, round(lay.border_mm * k))
    )
    for b in lay.blocks:
        for t in b.lines:
            face = lay.font.at(t.size * k)
            draw.text((t.x * k, t.y * k), t.text, fill=BLACK, font=face, anchor="ms" if t.anchor == "middle" else "ls")
        for code, box in b.hazards:
            _pictogram(draw, code, box, k)
        if b.qr:
            _qr(draw, *b.qr, k)
    return img


def to_png(lay: Layout, dpi: int = DPI) -> bytes:
    """PNG bytes with dpi and label id metadata."""
    info = PngImagePlugin.PngInfo()
    info.add_text("hazlink:label_id", lay.label_id)
    info.add_text("hazlink:size_class", lay.size.name)
    buf = io.BytesIO()
    to_image(lay, dpi).save(buf, "PNG", dpi=(dpi, dpi), pnginfo=info, optimize=False)
    return buf.getvalue()


def _pdf(pages: Sequence[Image.Image], dpi: int) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=float(dpi), save_all=True, append_images=list(pages[1:]))
    return buf.getvalue()


def to_pdf(lay: Layout, dpi: int = DPI) -> bytes:
    """A one-page PDF the size of the label."""
    return _pdf([to_image(lay, dpi)], dpi)


def sheet_slots(sides_mm: Sequence[float]) -> list[tuple[int, float, float]]:
    """Where each label goes on A4 pages: (page, x mm, y mm), filling rows left to right, in order."""
    width, height = A4_MM
    m = SHEET_MARGIN_MM
    slots: list[tuple[int, float, float]] = []
    page, x, y, row_h = 0, m, m, 0.0
    for side in sides_mm:
        if x + side > width - m + 1e-6:
            x, y, row_h = m, y + row_h, 0.0
        if y + side > height - m + 1e-6:
            page, x, y, row_h = page + 1, m, m, 0.0
        slots.append((page, x, y))
        x += side
        row_h = max(row_h, side)
    return slots


def to_sheets(layouts: Sequence[Layout], dpi: int = DPI) -> list[Image.Image]:
    """A4 pages holding the labels in order, as many per page as fit (labels abut: cut along the margins)."""
    slots = sheet_slots([lay.side for lay in layouts])
    count = (slots[-1][0] + 1) if slots else 0
    pages = [Image.new("RGB", (px(A4_MM[0], dpi), px(A4_MM[1], dpi)), WHITE) for _ in range(count)]
    for lay, (page, x, y) in zip(layouts, slots, strict=True):
        pages[page].paste(to_image(lay, dpi), (px(x, dpi), px(y, dpi)))
    return pages


def sheets_pdf(layouts: Sequence[Layout], dpi: int = DPI) -> bytes:
    """A multi-page A4 PDF of the labels."""
    if not layouts:
        raise ValueError("no labels to lay on sheets")
    return _pdf(to_sheets(layouts, dpi), dpi)
