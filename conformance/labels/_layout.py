"""Where everything on an HJ 1276 label goes, in millimetres, shared by the SVG and raster writers.

The layout is computed once per label: the size class from the container volume, the fields in the
standard's order wrapped to the label width with the real font's metrics, the hazard pictograms and
the QR code. Both writers draw the same primitives, and ``verify`` compares the same field regions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import segno

from contracts import Label

from ._font import FontFile, find_font, missing_glyphs

ORANGE = (255, 150, 0)
"""Background colour. HJ 1276 says 醒目的橘黄色; its exact RGB is not public, this is the practice value."""
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class SizeClass:
    """HJ 1276 minimum label size and text height for a range of container volumes."""

    name: str
    side_mm: int
    text_mm: float
    max_volume_l: Decimal | None
    inclusive: bool = True

    def fits(self, volume_l: Decimal) -> bool:
        """True when a container of ``volume_l`` litres may use this class."""
        if self.max_volume_l is None:
            return True
        return volume_l <= self.max_volume_l if self.inclusive else volume_l < self.max_volume_l


SIZE_CLASSES = (
    SizeClass("S", 100, 3.0, Decimal(50)),
    # 450 L is in both "50–450 L" and "≥ 450 L": the larger label satisfies either reading.
    SizeClass("M", 150, 5.0, Decimal(450), inclusive=False),
    SizeClass("L", 200, 6.0, None),
)
"""≤ 50 L → 100 mm / 3 mm text; > 50 and < 450 L → 150 mm / 5 mm; ≥ 450 L → 200 mm / 6 mm."""


def size_class(volume_l: Decimal) -> SizeClass:
    """The smallest size class HJ 1276 allows for a container of ``volume_l`` litres."""
    return next(c for c in SIZE_CLASSES if c.fits(volume_l))


FIELDS = (
    ("title", "危险废物"),
    ("waste_name", "废物名称"),
    ("hazards", "危险特性"),
    ("waste_category", "废物类别"),
    ("waste_code", "废物代码"),
    ("form", "废物形态"),
    ("main_components", "主要成分"),
    ("harmful_components", "有害成分"),
    ("precautions", "注意事项"),
    ("label_id", "数字识别码"),
    ("producer", "产生/收集单位"),
    ("contact", "联系人和联系方式"),
    ("produced_date", "产生日期"),
    ("weight", "废物重量"),
    ("remarks", "备注"),
    ("qr", "二维码"),
)
"""Label fields in the order of the HJ 1276 template: (key, printed name)."""
FORMS = {"S": "固态", "SS": "半固态", "L": "液态", "G": "气态"}
HAZARD_NAMES = {"T": "毒性", "C": "腐蚀性", "I": "易燃性", "R": "反应性", "In": "感染性"}


def tonnes(value: Decimal) -> str:
    """A weight as printed: the tonnes without trailing zeros, e.g. ``0.625 吨``."""
    text = format(value.normalize(), "f")
    return f"{text} 吨"


def field_values(label: Label) -> dict[str, str]:
    """The printed text of every text field (the hazards and QR are drawn, not written)."""
    return {
        "waste_name": label.waste_name,
        "waste_category": label.waste_category,
        "waste_code": label.waste_code,
        "form": FORMS.get(label.form.value, label.form.value),
        "main_components": label.main_components,
        "harmful_components": label.harmful_components,
        "precautions": label.precautions,
        "label_id": label.label_id,
        "producer": label.producer_name,
        "contact": f"{label.contact.person} {label.contact.phone}",
        "produced_date": label.produced_date.isoformat(),
        "weight": tonnes(label.weight_t),
        "remarks": label.remarks or "",
    }


@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is the baseline."""

    x: float
    y: float
    size: float
    text: str
    anchor: str = "start"  # or "middle"


@dataclass(frozen=True)
class Box:
    """A region in mm: ``x``, ``y`` of the top-left corner, width and height."""

    x: float
    y: float
    w: float
    h: float


@dataclass
class Block:
    """What one field draws: its text lines, pictograms or QR, and the region it covers."""

    key: str
    name: str
    box: Box
    lines: list[Text] = field(default_factory=list)
    hazards: list[tuple[str, Box]] = field(default_factory=list)
    qr: tuple[Box, list[list[bool]]] | None = None


@dataclass
class Layout:
    """The whole label: size, text height, border and the field blocks in the standard's order."""

    label_id: str
    size: SizeClass
    margin_mm: float
    border_mm: float
    blocks: list[Block]
    font: FontFile

    @property
    def side(self) -> float:
        """Width and height of the label in mm."""
        return float(self.size.side_mm)

    def block(self, key: str) -> Block:
        """The block of field ``key``."""
        return next(b for b in self.blocks if b.key == key)


class MissingGlyphError(ValueError):
    """The font has no glyph for a character of the label (it would print a box)."""


class LayoutOverflowError(ValueError):
    """The label's text does not fit even the largest size class at its minimum text height."""


def _width(font: FontFile, text: str, size: float) -> float:
    return float(font.at(200).getlength(text)) * size / 200


def _wrap(font: FontFile, text: str, size: float, width: float) -> list[str]:
    # Chinese breaks between any two characters; a greedy fill is what printers do.
    lines, current = [], ""
    for ch in text:
        if current and _width(font, current + ch, size) > width:
            lines.append(current)
            current = ch.lstrip() if ch.isspace() else ch
        else:
            current += ch
    return [*lines, current]


def qr_matrix(payload: str) -> list[list[bool]]:
    """Dark modules of the QR code for ``payload`` (error correction M, no quiet zone)."""
    code = segno.make_qr(payload, error="m", boost_error=False)
    return [[bool(v) for v in row] for row in code.matrix]


def layout(label: Label, size: SizeClass | None = None, *, font: FontFile | None = None) -> Layout:
    """Lay out ``label`` at ``size`` (default: the class its container volume needs, or larger if needed).

    Raises:
        LayoutOverflowError: when the text does not fit the largest class.
        MissingGlyphError: when the font lacks a character of the label's text.

    """
    font = font or find_font()
    text = "".join(field_values(label).values()) + "".join(name for _, name in FIELDS) + "："
    missing = missing_glyphs(font, text)
    if missing:
        raise MissingGlyphError(f"font {font.path} has no glyph for {''.join(missing)!r}; it would print boxes")
    classes = [size] if size else [c for c in SIZE_CLASSES if c.side_mm >= size_class(label.container_volume_l).side_mm]
    for cls in classes:
        try:
            return _layout(label, cls, font)
        except LayoutOverflowError:
            continue
    raise LayoutOverflowError(f"label {label.label_id}: the text does not fit a {classes[-1].side_mm} mm label")


def _layout(label: Label, cls: SizeClass, font: FontFile) -> Layout:
    s, h = float(cls.side_mm), cls.text_mm
    margin, border = 3.0, max(1.0, s / 100)
    x0 = margin + border + h * 0.5
    width = s - 2 * x0
    step = h * 1.25
    values = field_values(label)
    blocks: list[Block] = []
    y = x0

    def text_block(key: str, name: str, w: float) -> None:
        nonlocal y
        lines = _wrap(font, f"{name}：{values[key]}", h, w)
        texts = [Text(x0, y + i * step + h * 0.88, h, line) for i, line in enumerate(lines)]
        blocks.append(Block(key, name, Box(x0, y, w, step * len(lines)), texts))
        y += step * len(lines)

    title = h * 1.8
    blocks.append(
        Block(
            "title",
            "危险废物",
            Box(x0, y, width, title * 1.25),
            [Text(s / 2, y + title * 0.95, title, "危险废物", "middle")],
        )
    )
    y += title * 1.25
    for key, name in FIELDS[1:10]:
        if key == "hazards":
            d = h * 2.6
            label_w = _width(font, f"{name}：", h)
            marks = [
                (hz.value, Box(x0 + label_w + i * (d + h * 0.4), y + h * 0.2, d, d))
                for i, hz in enumerate(label.hazards)
            ]
            box = Box(x0, y, width, d + h * 0.4)
            blocks.append(Block(key, name, box, [Text(x0, y + d / 2 + h * 0.4, h, f"{name}：")], hazards=marks))
            y += box.h
        else:
            text_block(key, name, width)
    # The lower block runs beside the QR code, which sits in the bottom-right corner.
    q = s * 0.24
    lower_w = width - q - h
    top = y
    for key, name in FIELDS[10:15]:
        text_block(key, name, lower_w)
    y = max(y, top + q)
    qx, qy = s - x0 - q, top
    blocks.append(Block("qr", "二维码", Box(qx, qy, q, q), qr=(Box(qx, qy, q, q), qr_matrix(label.qr_payload))))
    if y > s - x0 + 1e-6:
        raise LayoutOverflowError(f"needs {y + x0:.1f} mm of height on a {cls.side_mm} mm label")
    return Layout(label.label_id, cls, margin, border, blocks, font)
