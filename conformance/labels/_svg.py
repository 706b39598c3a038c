"""The SVG writer: hand-written SVG in millimetre user units, text as ``<text>``, the QR as one path.

Nothing is fetched from the network: the font is named by family (the printer's or viewer's copy of the
same system font), and the field groups carry ``data-field`` so that tools and tests can find them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ._layout import BLACK, ORANGE, WHITE, Block, Box, Layout
from ._pictograms import DIAMOND, SYMBOLS, Circle, Line, Poly


def _rgb(c: tuple[int, int, int]) -> str:
    return f"rgb({c[0]},{c[1]},{c[2]})"


def _n(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".")


def _pictogram(code: str, box: Box) -> list[str]:
    def pt(p: tuple[float, float]) -> str:
        return f"{_n(box.x + p[0] * box.w)},{_n(box.y + p[1] * box.h)}"

    out = [
        f'<g class="hazard" data-hazard="{escape(code)}">',
        f'<polygon points="{" ".join(pt(p) for p in DIAMOND)}" fill="{_rgb(WHITE)}" stroke="black" '
        f'stroke-width="{_n(box.w * 0.05)}"/>',
    ]
    for shape in SYMBOLS[code]:
        if isinstance(shape, Poly):
            out.append(f'<polygon points="{" ".join(pt(p) for p in shape.points)}" fill="black"/>')
        elif isinstance(shape, Circle):
            paint = (
                'fill="black"'
                if shape.filled
                else f'fill="none" stroke="black" stroke-width="{_n(shape.stroke * box.w)}"'
            )
            out.append(
                f'<circle cx="{_n(box.x + shape.cx * box.w)}" cy="{_n(box.y + shape.cy * box.h)}" '
                f'r="{_n(shape.r * box.w)}" {paint}/>'
            )
        elif isinstance(shape, Line):
            out.append(
                f'<polyline points="{" ".join(pt(p) for p in shape.points)}" fill="none" stroke="black" '
                f'stroke-width="{_n(shape.width * box.w)}"/>'
            )
    out.append("</g>")
    return out


def _qr(box: Box, matrix: list[list[bool]]) -> list[str]:
    quiet = 2
    unit = box.w / (len(matrix) + 2 * quiet)
    x0, y0 = box.x + quiet * unit, box.y + quiet * unit
    path = "".join(
        f"M{_n(x0 + c * unit)} {_n(y0 + r * unit)}h{_n(unit)}v{_n(unit)}h-{_n(unit)}z"
        for r, row in enumerate(matrix)
        for c, dark in enumerate(row)
        if dark
    )
    return [
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" fill="{_rgb(WHITE)}"/>',
        f'<path d="{path}" fill="black" shape-rendering="crispEdges"/>',
    ]


def _block(b: Block) -> list[str]:
    out = [
        f'<g data-field="{b.key}" data-name={quoteattr(b.name)} data-box="{_n(b.box.x)} {_n(b.box.y)} '
        f'{_n(b.box.w)} {_n(b.box.h)}">'
    ]
    for t in b.lines:
        anchor = ' text-anchor="middle"' if t.anchor == "middle" else ""
        out.append(f'<text x="{_n(t.x)}" y="{_n(t.y)}" font-size="{_n(t.size)}"{anchor}>{escape(t.text)}</text>')
    for code, box in b.hazards:
        out += _pictogram(code, box)
    if b.qr:
        out += _qr(*b.qr)
    out.append("</g>")
    return out


def to_svg(lay: Layout) -> str:
    """The label as a standalone SVG document, ``side`` mm square."""
    s = _n(lay.side)
    inset = lay.margin_mm + lay.border_mm / 2
    family = quoteattr(f"{lay.font.family()}, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{s}mm" height="{s}mm" viewBox="0 0 {s} {s}" '
        f'data-label-id="{escape(lay.label_id)}" data-size-class="{lay.size.name}" '
        f'data-text-mm="{_n(lay.size.text_mm)}">',
        f"<title>危险废物标签 {escape(lay.label_id)}</title>",
        f'<rect class="background" x="0" y="0" width="{s}" height="{s}" fill="{_rgb(ORANGE)}"/>',
        f'<rect class="border" x="{_n(inset)}" y="{_n(inset)}" width="{_n(lay.side - 2 * inset)}" '
        f'height="{_n(lay.side - 2 * inset)}" fill="none" stroke="{_rgb(BLACK)}" stroke-width="{_n(lay.border_mm)}"/>',
        f'<g font-family={family} fill="black">',
    ]
    for b in lay.blocks:
        parts += _block(b)
    parts += ["</g>", "</svg>", ""]
    return "\n".join(parts)
