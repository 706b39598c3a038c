"""Synthetic "print and scan": a label image photographed at an angle, scaled, blurred, noisy, JPEG'd.

Everything is drawn from a seeded ``random.Random``, so a test's scans are the same on every run.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter


@dataclass(frozen=True)
class Distortion:
    """How one synthetic scan differs from the render."""

    angle: float = 0.0  # degrees, counter-clockwise
    scale: float = 1.0  # of the render's pixel size
    skew: float = 0.0  # corner jitter as a share of the label side (perspective)
    blur: float = 0.0  # Gaussian radius, px of the scan
    noise: float = 0.0  # Gaussian sigma, grey levels
    quality: int | None = None  # JPEG quality, None for lossless
    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)  # white balance per channel
    contrast: float = 1.0
    brightness: float = 0.0
    gradient: float = 0.0  # uneven lighting: darkening across the image, 0..1
    margin: float = 0.08  # background around the label, share of the label side
    background: tuple[int, int, int] = (90, 110, 130)


def random_distortion(rng: random.Random, *, quarter: int | None = None) -> Distortion:
    """A plausible phone photo or scan: ±20° (plus a quarter turn), 0.45–1.4×, perspective, JPEG 60."""
    turn = 90 * (quarter if quarter is not None else rng.randrange(4))
    return Distortion(
        angle=turn + rng.uniform(-20, 20),
        scale=rng.uniform(0.4, 1.5),
        skew=rng.uniform(0.0, 0.06),
        blur=rng.uniform(0.3, 1.2),
        noise=rng.uniform(2, 8),
        quality=rng.choice([60, 70, 85]),
        gains=(rng.uniform(0.85, 1.0), rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.15)),
        contrast=rng.uniform(0.7, 1.0),
        brightness=rng.uniform(-20, 25),
        gradient=rng.uniform(0, 0.3),
        background=(rng.randrange(40, 200), rng.randrange(40, 200), rng.randrange(40, 200)),
    )


def _solve(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> tuple[float, ...]:
    """Perspective coefficients mapping ``dst`` points to ``src`` points (what Pillow's transform wants)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -x * u, -y * u])
        rows.append([0, 0, 0, x, y, 1, -x * v, -y * v])
        rhs += [u, v]
    return tuple(float(c) for c in np.linalg.solve(np.array(rows), np.array(rhs)))


def scan(image: Image.Image, d: Distortion, rng: random.Random) -> Image.Image:
    """``image`` (a label render) as a photo or scan taken with distortion ``d``."""
    return scan_with_corners(image, d, rng)[0]


def scan_with_corners(
    image: Image.Image, d: Distortion, rng: random.Random
) -> tuple[Image.Image, list[tuple[float, float]]]:
    """The scan and where the corners of ``image`` (top-left, top-right, bottom-right, bottom-left) went."""
    w, h = image.size
    side = max(w, h) * d.scale
    pad = side * (d.margin + 0.16)  # room for a 20° turn and the perspective jitter
    size = (round(side + 2 * pad), round(side + 2 * pad))
    cx, cy = size[0] / 2, size[1] / 2
    a = math.radians(d.angle)
    corners = []
    for x, y in ((0, 0), (w, 0), (w, h), (0, h)):
        px, py = (x - w / 2) * d.scale, (y - h / 2) * d.scale
        jx, jy = (rng.uniform(-d.skew, d.skew) * side for _ in range(2))
        corners.append((cx + px * math.cos(a) + py * math.sin(a) + jx, cy - px * math.sin(a) + py * math.cos(a) + jy))
    coeffs = _solve([(0, 0), (w, 0), (w, h), (0, h)], corners)
    photo = Image.new("RGB", size, d.background)
    warped = image.convert("RGB").transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", image.size, 255).transform(
        size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    photo.paste(warped, (0, 0), mask)
    if d.blur:
        photo = photo.filter(ImageFilter.GaussianBlur(d.blur))
    bands = []
    for band, gain in zip(photo.split(), d.gains, strict=True):
        lut = [
            min(255, max(0, round(v * gain * d.contrast + d.brightness + 128 * (1 - d.contrast)))) for v in range(256)
        ]
        bands.append(band.point(lut))
    photo = Image.merge("RGB", bands)
    if d.gradient:
        ramp = 255 * (1 - d.gradient * np.linspace(0, 1, 32)[None, :] * np.linspace(0.5, 1, 32)[:, None])
        light = Image.fromarray(ramp.astype(np.uint8), "L").resize(size, Image.Resampling.BILINEAR)
        photo = ImageChops.multiply(photo, Image.merge("RGB", [light] * 3))
    if d.noise:
        arr = np.asarray(photo, dtype=np.int16)
        noise = np.random.default_rng(rng.randrange(2**32)).standard_normal(arr.shape, dtype=np.float32) * d.noise
        photo = Image.fromarray(np.clip(arr + noise.astype(np.int16), 0, 255).astype(np.uint8), "RGB")
    if d.quality is not None:
        buf = io.BytesIO()
        photo.save(buf, "JPEG", quality=d.quality)
        buf.seek(0)
        photo = Image.open(buf)
        photo.load()
    return photo, corners
