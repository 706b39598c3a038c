"""Comparing an aligned photo of a label with the rendering of its record, per region.

Both images are in the label frame at the same scale. Lighting, white balance and paper colour are
taken out first: the photo's brightness (max of R, G, B, so that orange and white paper look alike)
is divided by a local estimate of the paper's brightness (``paper_normalised``).

Text regions are compared in grey levels, not as binary masks: the reference's ink coverage
(0 paper … 1 ink, anti-aliased) is blurred with the Gaussian that best explains the photo (one
sigma per image, chosen by least squares from ``SIGMAS``), mapped to the photo's grey levels by a
linear fit per region (paper level and ink contrast), and subtracted. The squared residual, in units
of the label's ink contrast, is averaged over every square window half a text height wide; the
region's score is the largest window mean minus the image's noise floor (the median window mean
over the windows that hold ink). A substituted character (6→9, 5→6, 1→7) changes where the ink
is inside a character-sized window and stands out; blur, noise, JPEG and lighting spread evenly.

The QR region keeps the binary comparison (Otsu ink against rendering ink, each dilated by
``radius`` px): its large dark modules make grey residuals noisy, and its content is checked by
decoding it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from ._align import brightness
from ._layout import Box, Layout

Mask = npt.NDArray[np.bool_]
Array = npt.NDArray[np.float64]

SCAN_THRESHOLD = 0.045
"""A region differs when its score (windowed mean squared residual above the noise floor) exceeds this (README)."""
QR_THRESHOLD = 0.06
"""The QR region differs when more than this windowed share of its pixels differ as binary ink."""
SIGMAS = (0.0, 0.5, 1.0, 1.5, 2.2, 3.0)
"""Gaussian blurs (working pixels) tried on the reference to match the photo's sharpness."""


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


def ink_masks(norm: Array, reference: Image.Image, inner: int) -> tuple[Mask, Mask]:
    """Ink of the aligned photo and of the ``reference`` rendering.

    The photo's ink is its ``paper_normalised`` brightness under Otsu's threshold, taken inside the
    border (``inner`` px from the edge).
    """
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


def gaussian_blur(a: Array, sigma: float) -> Array:
    """``a`` convolved with a Gaussian of ``sigma`` pixels (separable, edges repeated)."""
    if sigma <= 0:
        return a
    r = max(1, round(3 * sigma))
    x = np.arange(-r, r + 1)
    kernel = np.exp(-(x * x) / (2 * sigma * sigma))
    kernel /= kernel.sum()
    h, w = a.shape
    p = np.pad(a, r, mode="edge")
    rows = np.zeros((h + 2 * r, w))
    for d, c in zip(x, kernel, strict=True):
        rows += float(c) * p[:, r + d : r + d + w]
    out = np.zeros((h, w))
    for d, c in zip(x, kernel, strict=True):
        out += float(c) * rows[r + d : r + d + h, :]
    return out


def box_means(a: Array, size: int) -> Array:
    """Mean of every ``size``×``size`` window of ``a`` (valid positions only; ``size`` at most the shape)."""
    c = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
    c[1:, 1:] = a.cumsum(0).cumsum(1)
    sums = c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]
    return np.asarray(sums / (size * size), dtype=np.float64)


def _linear_fit(model: Array, photo: Array) -> tuple[float, float]:
    """``a``, ``b`` minimising the squared error of ``photo ≈ a + b · model``."""
    m, p = model.ravel(), photo.ravel()
    var = float(m.var())
    b = float(((m - m.mean()) * (p - p.mean())).mean()) / var if var > 1e-9 else 0.0
    return float(p.mean()) - b * float(m.mean()), b


def blurred_reference(norm: Array, ink: Array, inner: int) -> tuple[Array, float]:
    """The reference ink blurred like the photo, and the photo's ink contrast (paper minus ink level)."""
    core = (slice(inner, -inner, 2), slice(inner, -inner, 2))
    best: tuple[float, Array, float] | None = None
    for sigma in SIGMAS:
        blurred = gaussian_blur(ink, sigma)
        a, b = _linear_fit(blurred[core], norm[core])
        err = float(((norm[core] - a - b * blurred[core]) ** 2).mean())
        if best is None or err < best[0]:
            best = (err, blurred, -b)
    assert best is not None
    return best[1], max(best[2], 0.05)


def window_max(diff: Mask, size: int) -> float:
    """The largest share of set pixels in any ``size``×``size`` window of ``diff`` (whole array if smaller)."""
    return float(box_means(diff.astype(np.float64), max(1, min(size, *diff.shape))).max())


def _pixels(box: Box, k: float) -> tuple[slice, slice]:
    """Rows and columns of ``box`` (mm) in an image at ``k`` px/mm."""
    x0, y0 = max(0, round(box.x * k)), max(0, round(box.y * k))
    return slice(y0, round((box.y + box.h) * k)), slice(x0, round((box.x + box.w) * k))


def region_scores(
    photo: Image.Image, reference: Image.Image, lay: Layout, k: float, *, threshold: float = SCAN_THRESHOLD
) -> list[RegionScore]:
    """Score every field region of ``lay`` of the aligned ``photo`` against the ``reference`` rendering.

    Text and pictogram regions get the grey-level score (compared with ``threshold``), the QR region
    the binary one (compared with ``QR_THRESHOLD``).
    """
    text_px = lay.size.text_mm * k
    norm = paper_normalised(photo, text_px)
    inner = round((lay.margin_mm + lay.border_mm) * k)
    ink = 1.0 - brightness(reference) / 255.0
    model, contrast = blurred_reference(norm, ink, inner)
    window = round(0.5 * text_px)
    means: dict[str, Array] = {}
    floor_parts = []
    for b in lay.blocks:
        rows, cols = _pixels(b.box, k)
        if b.key == "qr" or rows.stop <= rows.start or cols.stop <= cols.start:
            continue
        m, p = model[rows, cols], norm[rows, cols]
        a, slope = _linear_fit(m, p)
        size = max(1, min(window, *p.shape))
        means[b.key] = box_means(((p - a - slope * m) / contrast) ** 2, size)
        floor_parts.append(means[b.key][box_means(m, size) > 0.05])
    inked = np.concatenate(floor_parts) if floor_parts else np.zeros(0)
    floor = float(np.median(inked)) if inked.size else 0.0
    out = []
    for b in lay.blocks:
        if b.key == "qr":
            score, limit = _binary_score(norm, reference, inner, lay, k, b.box), QR_THRESHOLD
        else:
            score = max(0.0, float(means[b.key].max()) - floor) if b.key in means else 0.0
            limit = threshold
        out.append(RegionScore(b.key, round(score, 4), score > limit))
    return out


def _binary_score(norm: Array, reference: Image.Image, inner: int, lay: Layout, k: float, box: Box) -> float:
    """Largest windowed share of pixels of ``box`` where one side has ink and the other none nearby."""
    scan_ink, ref_ink = ink_masks(norm, reference, inner)
    rows, cols = _pixels(box, k)
    scan_ink, ref_ink = scan_ink[rows, cols], ref_ink[rows, cols]
    radius = max(1, round(0.09 * lay.size.text_mm * k))
    diff = (ref_ink & ~dilate(scan_ink, radius)) | (scan_ink & ~dilate(ref_ink, radius))
    return window_max(diff, round(0.5 * lay.size.text_mm * k))
