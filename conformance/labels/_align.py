"""Registering a photographed or scanned label onto the layout's millimetre frame.

A label is located by its QR code: zxing-cpp gives the four corners of the symbol, the layout says
where the symbol sits on the label, and the homography between them maps every millimetre of the
label into the photo. Four corners measured to a pixel and extrapolated across a label four times
the symbol's width can drift by millimetres, so the first estimate is refined: the photo is warped
into the label frame, patches of the reference rendering (text, pictograms, border corners) are
found in it by normalised cross-correlation, and the homography is fitted again to those matches,
discarding the ones that disagree (a tampered field does not pull the fit). Twice, coarse then fine.

Coordinates are continuous: pixel ``i`` covers ``[i, i + 1)``, which is Pillow's convention too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import zxingcpp
from PIL import Image

from ._layout import Layout

Array = npt.NDArray[np.float64]

MIN_TEXT_PX = 16.0
"""The smallest printed text height, in pixels of the photo, at which a label is compared at all."""
MIN_MATCHES = 12
"""Patches that must agree with the refined homography for the alignment to be trusted."""
MAX_RMS_PX = 1.5
"""Largest root-mean-square residual (pixels of the working frame) of a trusted alignment."""
MIN_NCC = 0.55
"""A patch whose best correlation is lower did not find itself in the photo."""
_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


@dataclass(frozen=True)
class QrHit:
    """A QR code found in an image: its text and its corners (top-left, top-right, bottom-right, bottom-left)."""

    text: str
    corners: tuple[tuple[float, float], ...]

    @property
    def center(self) -> tuple[float, float]:
        """The middle of the symbol, in image pixels."""
        return (sum(c[0] for c in self.corners) / 4, sum(c[1] for c in self.corners) / 4)


def find_qr_codes(image: Image.Image) -> list[QrHit]:
    """Every readable QR code of ``image``, in reading order (top to bottom, then left to right)."""
    hits = []
    for r in zxingcpp.read_barcodes(image.convert("L"), formats=_QR):
        if r.valid and r.text:
            p = r.position
            corners = tuple((float(c.x), float(c.y)) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
            hits.append(QrHit(str(r.text), corners))
    return sorted(hits, key=lambda h: (round(h.center[1] / 50), h.center[0]))


def fit_homography(src: Array, dst: Array, weights: Array | None = None) -> Array:
    """The 3×3 homography mapping points ``src`` (N×2) onto ``dst`` (N×2), least squares for N > 4."""
    n = len(src)
    a = np.zeros((2 * n, 8))
    x, y, u, v = src[:, 0], src[:, 1], dst[:, 0], dst[:, 1]
    a[0::2, 0], a[0::2, 1], a[0::2, 2] = x, y, 1
    a[0::2, 6], a[0::2, 7] = -x * u, -y * u
    a[1::2, 3], a[1::2, 4], a[1::2, 5] = x, y, 1
    a[1::2, 6], a[1::2, 7] = -x * v, -y * v
    b = np.empty(2 * n)
    b[0::2], b[1::2] = u, v
    if weights is not None:
        w = np.repeat(np.sqrt(weights), 2)
        a, b = a * w[:, None], b * w
    h = np.linalg.lstsq(a, b, rcond=None)[0]
    return np.append(h, 1.0).reshape(3, 3)


def project(h: Array, points: Array) -> Array:
    """``points`` (N×2) mapped by homography ``h``."""
    p = np.c_[points, np.ones(len(points))] @ h.T
    return np.asarray(p[:, :2] / p[:, 2:3], dtype=np.float64)


def qr_corners_mm(lay: Layout) -> Array:
    """Where the QR symbol's corners (without quiet zone) lie on the label, in mm, in zxing's order."""
    qr = lay.block("qr").qr
    if qr is None:
        raise ValueError("layout without a QR code")
    box, matrix = qr
    n = len(matrix)
    unit = box.w / (n + 4)
    x0, y0 = box.x + 2 * unit, box.y + 2 * unit
    x1, y1 = x0 + n * unit, y0 + n * unit
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)


def from_qr(hit: QrHit, lay: Layout) -> Array:
    """First estimate: the homography from label millimetres to image pixels given by the QR corners."""
    return fit_homography(qr_corners_mm(lay), np.array(hit.corners, dtype=np.float64))


def local_scale(h: Array, p: tuple[float, float]) -> tuple[float, float]:
    """Pixels per mm along x and y at label point ``p``."""
    base = project(h, np.array([p, (p[0] + 1, p[1]), (p[0], p[1] + 1)]))
    return float(np.hypot(*(base[1] - base[0]))), float(np.hypot(*(base[2] - base[0])))


def implausible(h: Array, lay: Layout, size: tuple[int, int]) -> str | None:
    """Why homography ``h`` cannot be a photo of ``lay`` in an image of ``size``, or ``None`` when it can."""
    inner = lay.margin_mm
    far = lay.side - inner
    corners = np.array([(inner, inner), (far, inner), (far, far), (inner, far)])
    denominators = np.c_[corners, np.ones(4)] @ h[2]
    if np.any(denominators <= 0):
        return "the label would lie behind the camera"
    where = project(h, corners)
    scales = [s for c in corners for s in local_scale(h, (float(c[0]), float(c[1])))]
    if max(scales) > 4 * min(scales):
        return f"implausible perspective (scale varies {max(scales) / min(scales):.1f}× across the label)"
    edges = np.roll(where, -1, axis=0) - where
    turns = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    if not (np.all(turns > 0) or np.all(turns < 0)):
        return "the label outline would not be convex"
    text_px = min(scales) * lay.size.text_mm
    if text_px < MIN_TEXT_PX:
        return f"resolution too low: text {text_px:.1f} px high, at least {MIN_TEXT_PX:g} px needed"
    slack = 1.0 * max(scales)
    if np.any(where < -slack) or np.any(where[:, 0] > size[0] + slack) or np.any(where[:, 1] > size[1] + slack):
        return "the label is not entirely in the image"
    return None


def warp(image: Image.Image, h: Array, side_px: int, k: float, pad: int = 0) -> Image.Image:
    """``image`` resampled into the label frame: ``side_px`` + 2 ``pad`` pixels square at ``k`` px/mm.

    Output pixel ``(x, y)`` shows label point ``((x - pad) / k, (y - pad) / k)`` mm.
    """
    frame = np.array([[1 / k, 0, -pad / k], [0, 1 / k, -pad / k], [0, 0, 1]])
    m = h @ frame
    m = m / m[2, 2]
    coeffs = tuple(float(c) for c in m.flatten()[:8])
    size = (side_px + 2 * pad, side_px + 2 * pad)
    return image.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=0)


def brightness(image: Image.Image) -> Array:
    """The HSV value (max of R, G, B) as floats: orange and white paper are alike, ink is dark."""
    arr = np.asarray(image.convert("RGB"), dtype=np.float64)
    return np.asarray(arr.max(axis=2), dtype=np.float64)


def _box_sums(a: Array, p: int) -> Array:
    """Sums of every ``p``×``p`` window of ``a`` (valid positions only)."""
    c = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
    c[1:, 1:] = a.cumsum(0).cumsum(1)
    return np.asarray(c[p:, p:] - c[:-p, p:] - c[p:, :-p] + c[:-p, :-p], dtype=np.float64)


def _ncc(window: Array, template: Array) -> Array:
    """Normalised cross-correlation of ``template`` at every valid offset in ``window``."""
    p = template.shape[0]
    t = template - template.mean()
    spectrum = np.fft.rfft2(window) * np.conj(np.fft.rfft2(t, window.shape))
    corr = np.fft.irfft2(spectrum, window.shape)
    n = window.shape[0] - p + 1
    corr = corr[:n, :n]
    s1, s2 = _box_sums(window, p), _box_sums(window * window, p)
    var = np.maximum(s2 - s1 * s1 / (p * p), 1e-9)
    return np.asarray(corr / np.sqrt(var * float((t * t).sum()) + 1e-9), dtype=np.float64)


def _peak(score: Array) -> tuple[float, float, float] | None:
    """Sub-pixel (dx, dy) of the best score and the score, ``None`` when the best lies on the edge."""
    iy, ix = np.unravel_index(int(np.argmax(score)), score.shape)
    if not (0 < iy < score.shape[0] - 1 and 0 < ix < score.shape[1] - 1):
        return None

    def vertex(lo: float, mid: float, hi: float) -> float:
        d = lo - 2 * mid + hi
        return 0.0 if d >= 0 else float(np.clip(0.5 * (lo - hi) / d, -0.5, 0.5))

    dx = vertex(score[iy, ix - 1], score[iy, ix], score[iy, ix + 1])
    dy = vertex(score[iy - 1, ix], score[iy, ix], score[iy + 1, ix])
    return float(ix) + dx, float(iy) + dy, float(score[iy, ix])


@dataclass(frozen=True)
class Fit:
    """A refined alignment and how well the patches agreed with it."""

    h: Array
    matches: int
    rms_px: float


def _patches(ref: Array, p: int) -> list[tuple[int, int]]:
    """Top-left corners of ``p``-pixel patches of ``ref`` with structure in both directions."""
    rows, cols = ref.shape[0] // p, ref.shape[1] // p
    tiles = ref[: rows * p, : cols * p].reshape(rows, p, cols, p).transpose(0, 2, 1, 3)
    gx = np.abs(np.diff(tiles, axis=3)).sum(axis=(2, 3))
    gy = np.abs(np.diff(tiles, axis=2)).sum(axis=(2, 3))
    good = (tiles.std(axis=(2, 3)) > 25) & (np.minimum(gx, gy) > 0.35 * np.maximum(gx, gy))
    return [(int(c) * p, int(r) * p) for r, c in zip(*np.nonzero(good), strict=True)]


def _match(image: Image.Image, h: Array, ref: Array, k: float, p: int, reach: int) -> tuple[Array, Array, Array]:
    """Patches of ``ref`` (at ``k`` px/mm) found in ``image`` around where ``h`` puts them: mm → image pixels."""
    side = ref.shape[0]
    scan = brightness(warp(image, h, side, k, reach))
    src, dst, weight = [], [], []
    for x, y in _patches(ref, p):
        window = scan[y : y + p + 2 * reach, x : x + p + 2 * reach]
        found = _peak(_ncc(window, ref[y : y + p, x : x + p]))
        if found is None or found[2] < MIN_NCC:
            continue
        dx, dy, score = found[0] - reach, found[1] - reach, found[2]
        centre = (x + p / 2, y + p / 2)
        src.append((centre[0] / k, centre[1] / k))
        dst.append(((centre[0] + dx) / k, (centre[1] + dy) / k))
        weight.append(score)
    if not src:
        empty = np.zeros((0, 2))
        return empty, empty, np.zeros(0)
    return np.array(src), project(h, np.array(dst)), np.array(weight)


def _robust_fit(src: Array, dst: Array, weight: Array, h: Array, k: float) -> Fit:
    """Fit ``src → dst`` again and again, dropping matches far from the fit; residuals in working pixels."""
    keep = np.ones(len(src), dtype=bool)
    fit = h
    rms = float("inf")
    for _ in range(4):
        if keep.sum() < MIN_MATCHES:
            return Fit(h, int(keep.sum()), rms)
        fit = fit_homography(src[keep], dst[keep], weight[keep])
        # residuals measured in the label frame: map the image points back with the fit's inverse
        back = project(np.asarray(np.linalg.inv(fit), dtype=np.float64), dst)
        err = np.hypot(*(back - src).T) * k
        rms = float(np.sqrt(np.mean(err[keep] ** 2)))
        limit = max(1.0, 3 * float(np.median(err[keep])))
        new = err < limit
        if np.array_equal(new, keep):
            break
        keep = new
    return Fit(fit, int(keep.sum()), rms)


def refine(
    image: Image.Image, h: Array, reference: Image.Image, k: float, text_px: float, *, coarse: bool = True
) -> Fit:
    """Homography ``h`` (label mm → image pixels) corrected by patch matching against ``reference``.

    ``reference`` is the record rendered at ``k`` px/mm; ``text_px`` the printed text height at that
    scale, which sets the patch size. Coarse (half resolution, wide reach; skipped when ``coarse`` is
    false, for an ``h`` already refined), then fine.
    """
    ref = brightness(reference)
    p = max(16, round(2 * text_px))
    if coarse:
        half = Image.fromarray(ref.astype(np.uint8)).reduce(2)
        first = _robust_fit(*_match(image, h, brightness(half), k / 2, p, max(8, p // 2)), h, k / 2)
        if first.matches >= MIN_MATCHES:
            h = first.h
    return _robust_fit(*_match(image, h, ref, k, p, max(4, p // 6)), h, k)
