"""Comparing an aligned photo of a label with the rendering of its record: ink against ink, per region.

Both images are in the label frame at the same scale. Lighting, white balance and paper colour are
taken out first: the photo's brightness (max of R, G, B, so that orange and white paper look alike)
is smoothed a little and divided by a local estimate of the paper's brightness, and Otsu's threshold on the result
separates ink from paper. The reference's ink is the rendering's dark pixels. Small misregistration,
blur and stroke weight are tolerated by dilating each mask before comparing it with the other: a
pixel differs when one image has ink there and the other has none within ``radius`` pixels, and
differing specks thinner than two pixels (noise along stroke edges) are dropped. A region's score is the largest share of differing pixels in any square window one text height wide,
so an edited digit (a dense, character-sized difference) stands out from scattered scan noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from ._align import brightness
from ._layout import Layout

Mask = npt.NDArray[np.bool_]
Array = npt.NDArray[np.float64]

SCAN_THRESHOLD = 0.06
"""Largest windowed share of differing pixels in a region of an untampered scan (see the README)."""


@dataclass(frozen=True)
class RegionScore:
    """One field region: the windowed share of differing ink, and whether it exceeds the threshold."""

    key: str
    score: float
    differs: bool


def _otsu(values: Array) -> float:
    hist, edges = np.histogram(values, bins=128, range=(0.0, 1.25))
    p = hist / max(1, hist.sum())
    omega = np.cumsum(p)
    mu = np.cumsum(p * (edges[:-1] + edges[1:]) / 2)
    between = (mu[-1] * omega - mu) ** 2 / np.maximum(omega * (1 - omega), 1e-12)
    return float(edges[int(np.argmax(between)) + 1])


def paper_normalised(image: Image.Image, text_px: float) -> Array:
    """Brightness divided by the local paper brightness (about 1 on paper, near 0 on ink)."""
    v = brightness(image)
    step = max(2, round(text_px / 2))
    small = Image.fromarray(np.clip(v, 0, 255).astype(np.uint8)).reduce(step)
    # the paper is the bright side of any neighbourhood a few characters wide
    size = 2 * max(2, round(1.5 * text_px / step)) + 1
    paper = small.filter(ImageFilter.MaxFilter(size)).filter(ImageFilter.BoxBlur(size // 2))
    bg = np.asarray(paper.resize(image.size, Image.Resampling.BILINEAR), dtype=np.float64)
    return np.asarray(np.clip(v / np.maximum(bg, 16.0), 0.0, 1.25), dtype=np.float64)


def ink_masks(photo: Image.Image, reference: Image.Image, lay: Layout, k: float) -> tuple[Mask, Mask]:
    """Ink of the aligned ``photo`` and of the ``reference`` rendering, both at ``k`` px/mm."""
    text_px = lay.size.text_mm * k
    norm = paper_normalised(photo, text_px)
    inner = round((lay.margin_mm + lay.border_mm) * k)
    threshold = _otsu(norm[inner:-inner, inner:-inner].ravel())
    return norm < threshold, brightness(reference) < 128


def dilate(mask: Mask, radius: int) -> Mask:
    """``mask`` grown by a disc of ``radius`` pixels."""
    h, w = mask.shape
    padded = np.pad(mask, radius)
    out = np.zeros_like(mask)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx * dx + dy * dy <= radius * radius + radius:
                out |= padded[radius + dy : radius + dy + h, radius + dx : radius + dx + w]
    return out


def opened(mask: Mask) -> Mask:
    """``mask`` without the specks thinner than two pixels (a 2×2 erosion, then a 2×2 dilation)."""
    core = mask[:-1, :-1] & mask[1:, :-1] & mask[:-1, 1:] & mask[1:, 1:]
    out = np.zeros_like(mask)
    out[:-1, :-1] |= core
    out[1:, :-1] |= core
    out[:-1, 1:] |= core
    out[1:, 1:] |= core
    return out


def window_max(diff: Mask, size: int) -> float:
    """The largest share of set pixels in any ``size``×``size`` window of ``diff`` (whole array if smaller)."""
    h, w = diff.shape
    size = max(1, min(size, h, w))
    c = np.zeros((h + 1, w + 1))
    c[1:, 1:] = diff.astype(np.float64).cumsum(0).cumsum(1)
    sums = c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]
    return float(sums.max()) / (size * size)


def region_scores(
    photo: Image.Image, reference: Image.Image, lay: Layout, k: float, *, threshold: float = SCAN_THRESHOLD
) -> list[RegionScore]:
    """Score every field region of ``lay`` of the aligned ``photo`` against the ``reference`` rendering."""
    scan_ink, ref_ink = ink_masks(photo, reference, lay, k)
    radius = max(1, round(0.09 * lay.size.text_mm * k))
    diff = (ref_ink & ~dilate(scan_ink, radius)) | (scan_ink & ~dilate(ref_ink, radius))
    window = round(0.5 * lay.size.text_mm * k)
    out = []
    for b in lay.blocks:
        x0, y0 = max(0, round(b.box.x * k)), max(0, round(b.box.y * k))
        x1, y1 = round((b.box.x + b.box.w) * k), round((b.box.y + b.box.h) * k)
        score = window_max(diff[y0:y1, x0:x1], window)
        out.append(RegionScore(b.key, round(score, 4), score > threshold))
    return out
