"""Hazard pictograms for T/C/I/R/In: simple vector symbols of hazlink's own, not copied artwork.

Each symbol is a list of shapes in a unit square (0..1, y down) drawn inside a diamond with a black
border; the SVG and raster writers scale them to the pictogram's box.
"""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Poly:
    """A filled black polygon."""

    points: tuple[Point, ...]


@dataclass(frozen=True)
class Circle:
    """A circle; ``filled`` black, otherwise an outline of ``stroke`` (units of the square)."""

    cx: float
    cy: float
    r: float
    filled: bool = True
    stroke: float = 0.04


@dataclass(frozen=True)
class Line:
    """A black polyline ``width`` wide."""

    points: tuple[Point, ...]
    width: float = 0.05


Shape = Poly | Circle | Line
DIAMOND: tuple[Point, ...] = ((0.5, 0.0), (1.0, 0.5), (0.5, 1.0), (0.0, 0.5))

SYMBOLS: dict[str, tuple[Shape, ...]] = {
    # toxic: a round head (ring) with two eyes over two crossed bars
    "T": (
        Circle(0.5, 0.4, 0.13, filled=False, stroke=0.05),
        Circle(0.45, 0.39, 0.035),
        Circle(0.55, 0.39, 0.035),
        Line(((0.36, 0.56), (0.64, 0.7)), 0.05),
        Line(((0.36, 0.7), (0.64, 0.56)), 0.05),
    ),
    # corrosive: two drops falling on a bar
    "C": (
        Poly(((0.38, 0.26), (0.43, 0.38), (0.38, 0.42), (0.33, 0.38))),
        Poly(((0.6, 0.26), (0.65, 0.38), (0.6, 0.42), (0.55, 0.38))),
        Poly(((0.28, 0.55), (0.72, 0.55), (0.72, 0.62), (0.28, 0.62))),
        Poly(((0.32, 0.68), (0.68, 0.68), (0.6, 0.76), (0.4, 0.76))),
    ),
    # ignitable: a flame over a base line
    "I": (
        Poly(((0.5, 0.2), (0.62, 0.42), (0.6, 0.58), (0.5, 0.66), (0.4, 0.58), (0.4, 0.44), (0.46, 0.5))),
        Line(((0.33, 0.72), (0.67, 0.72)), 0.05),
    ),
    # reactive: a burst around a core
    "R": (
        Poly(
            (
                (0.5, 0.22),
                (0.55, 0.4),
                (0.72, 0.33),
                (0.6, 0.48),
                (0.76, 0.56),
                (0.58, 0.58),
                (0.6, 0.76),
                (0.5, 0.62),
                (0.4, 0.76),
                (0.42, 0.58),
                (0.24, 0.56),
                (0.4, 0.48),
                (0.28, 0.33),
                (0.45, 0.4),
            )
        ),
    ),
    # infectious: three rings around a filled centre
    "In": (
        Circle(0.5, 0.5, 0.05),
        Circle(0.5, 0.36, 0.09, filled=False),
        Circle(0.38, 0.58, 0.09, filled=False),
        Circle(0.62, 0.58, 0.09, filled=False),
    ),
}
"""Shapes per hazard code."""
