"""Coordinates to WGS-84: from GCJ-02 (Amap, Tencent), BD-09 (Baidu) and JT/T 808 micro-degree integers.

GCJ-02 is WGS-84 with a published, non-linear obfuscation offset (a few hundred metres inside China,
none outside); BD-09 adds Baidu's own offset on top of GCJ-02. The forward formulas are public; their
inverses are not closed-form, so they are solved by fixed-point iteration to under a millimetre.
JT/T 808 terminals store latitude and longitude as integers of 10⁻⁶ degree.

The forward conversions are public here too, so that reference systems can produce realistic tracks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import TransformError, transform
from .text import to_decimal

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_EPS = 1e-10  # degrees; about 0.01 mm


def out_of_china(lon: float, lat: float) -> bool:
    """True outside the rough bounding box where GCJ-02 applies its offset."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _dlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _dlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 to GCJ-02 (the public forward formula); unchanged outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    dlat = _dlat(lon - 105.0, lat - 35.0)
    dlon = _dlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 to BD-09 (Baidu's public forward formula)."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward: Callable[[float, float], tuple[float, float]], lon: float, lat: float, x: float, y: float
) -> tuple[float, float]:
    # Fixed point from the guess (x, y): the offset varies slowly, so x ← x − (f(x) − target) converges
    # in a few steps.
    for _ in range(30):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if abs(dx) < _EPS and abs(dy) < _EPS:
            break
    return x, y


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 to WGS-84, by iterating the forward formula (residual under 0.01 mm)."""
    if out_of_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 to GCJ-02, by iterating the forward formula."""
    return _invert(gcj02_to_bd09, lon, lat, lon - 0.0065, lat - 0.006)


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 to WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_FROM: dict[str, Callable[[float, float], tuple[float, float]]] = {
    "wgs84": lambda lon, lat: (lon, lat),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def _degrees(value: Any, scale: float | None, what: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(to_decimal(value))
        except TransformError:
            raise TransformError(
                "coordinate.invalid", f"{what} is not a number: {value!r}", f"{what}不是数值：{value!r}"
            ) from None
    return number * scale if scale is not None else number


@transform("wgs84", inputs=2, outputs=2)
def wgs84(*, crs: str = "gcj02", scale: str | None = None, digits: int = 7) -> Callable[..., tuple[float, float]]:
    """Longitude and latitude (in that order) from ``crs`` (gcj02, bd09 or wgs84) to WGS-84.

    ``scale = "0.000001"`` reads JT/T 808 integers of 10⁻⁶ degree. Returns (lon, lat) rounded to
    ``digits`` decimals (7 is about a centimetre); use it with ``into = ["lon", "lat"]``.
    """
    if crs not in _FROM:
        raise ValueError(f"crs must be one of {', '.join(_FROM)}, not {crs!r}")
    convert = _FROM[crs]
    factor = float(scale) if scale is not None else None

    def apply(lon_value: Any, lat_value: Any) -> tuple[float, float]:
        if lat_value is None or lat_value == "":
            raise TransformError("coordinate.missing", "latitude is missing", "缺少纬度")
        lon = _degrees(lon_value, factor, "longitude")
        lat = _degrees(lat_value, factor, "latitude")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise TransformError(
                "coordinate.range",
                f"({lon}, {lat}) is not a longitude/latitude pair (check the order and the scale)",
                f"（{lon}，{lat}）不是经纬度（请检查顺序和比例）",
            )
        x, y = convert(lon, lat)
        return round(x, digits), round(y, digits)

    return apply
