"""Finding a real CJK font on this machine: fontconfig first, then the paths Debian packages use.

hazlink ships no font: the label text is drawn with a system CJK font (Noto Sans CJK SC from
``fonts-noto-cjk``, or WenQuanYi Micro Hei from ``fonts-wqy-microhei``). When none is found the error
names the package to install, rather than drawing missing-glyph boxes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

APT_PACKAGES = ("fonts-noto-cjk", "fonts-wqy-microhei")
FONT_ENV = "HAZLINK_LABEL_FONT"
_PATTERNS = ("Noto Sans CJK SC:lang=zh-cn", "WenQuanYi Micro Hei:lang=zh-cn", ":lang=zh-cn")
# (path, face index): the SC face of the Noto collection is index 2.
_KNOWN = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
)
_PROBE = "危险废物标签"


class FontNotFoundError(RuntimeError):
    """No usable CJK font: install one of ``APT_PACKAGES`` or set ``HAZLINK_LABEL_FONT``."""


@dataclass(frozen=True)
class FontFile:
    """A font file and the face to use in it (collections hold several)."""

    path: Path
    index: int = 0

    def at(self, size_px: float) -> ImageFont.FreeTypeFont:
        """The face at ``size_px`` pixels (em size)."""
        return _load(str(self.path), self.index, max(1, round(size_px)))

    def family(self) -> str:
        """The family name the font declares (used in SVG ``font-family``)."""
        name = self.at(32).getname()[0]
        return name or "sans-serif"


@lru_cache(maxsize=64)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def _covers(font: FontFile) -> bool:
    try:
        face = font.at(32)
    except OSError:
        return False
    return all(face.getmask(ch).getbbox() is not None for ch in _PROBE)


def _fc_match() -> list[FontFile]:
    exe = shutil.which("fc-match")
    if exe is None:
        return []
    found = []
    for pattern in _PATTERNS:
        try:
            out = subprocess.run(
                [exe, "-f", "%{file}|%{index}", pattern], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        path, _, index = out.strip().partition("|")
        if path:
            found.append(FontFile(Path(path), int(index or 0)))
    return found


@lru_cache(maxsize=1)
def find_font() -> FontFile:
    """The CJK font to draw labels with: ``$HAZLINK_LABEL_FONT`` (``PATH[#INDEX]``), fontconfig, known paths.

    Raises:
        FontNotFoundError: when no candidate has glyphs for Chinese text.

    """
    candidates: list[FontFile] = []
    env = os.environ.get(FONT_ENV)
    if env:
        path, _, index = env.partition("#")
        candidates.append(FontFile(Path(path), int(index or 0)))
    candidates += _fc_match()
    candidates += [FontFile(Path(p), i) for p, i in _KNOWN]
    for font in candidates:
        if font.path.is_file() and _covers(font):
            return font
    raise FontNotFoundError(
        "no CJK font found for label text; install one with `apt-get install "
        + " or ".join(APT_PACKAGES)
        + f"` or point {FONT_ENV} at a .ttf/.otf/.ttc file"
    )


@lru_cache(maxsize=8)
def _cmap(path: Path, index: int) -> frozenset[int]:
    # Pillow draws the .notdef box for a missing character, so its bitmap cannot tell; the cmap can.
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

    if path.suffix.lower() in (".ttc", ".otc"):
        with TTCollection(str(path), lazy=True) as collection:
            return frozenset(collection.fonts[index].getBestCmap())
    with TTFont(str(path), lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def missing_glyphs(font: FontFile, text: str) -> list[str]:
    """Characters of ``text`` (other than spaces) that ``font``'s character map does not cover."""
    cmap = _cmap(font.path, font.index)
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})
