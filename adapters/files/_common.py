"""Shared by the file readers: decoding text exports, and which stream a file belongs to."""

from __future__ import annotations

import codecs
import fnmatch
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, DataError

__all__ = ["decode", "has_bad_bytes", "stream_for_file"]


def _decode(data: bytes, codec: str) -> tuple[str, str, bool]:
    try:
        return data.decode(codec), codec, True
    except UnicodeDecodeError:
        return data.decode(codec, errors="surrogateescape"), codec, False


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str, bool]:
    """``(text, codec, clean)``: a BOM decides, else UTF-8 when the bytes are UTF-8, else GB18030.

    BOMs recognised: UTF-8, GB18030 and UTF-16. GB18030 is a superset of GBK.

    Undecodable bytes become lone surrogates (``surrogateescape``) and ``clean`` is False, so one bad
    row can be rejected on its own while the rest of the file is read.
    """
    if encoding != "auto":
        return _decode(data, encoding)
    if data.startswith(codecs.BOM_UTF8):
        text, _, clean = _decode(data[3:], "utf-8")
        return text, "utf-8-sig", clean
    if data.startswith(_GB18030_BOM):
        text, _, clean = _decode(data[4:], "gb18030")
        return text, "gb18030", clean
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", True
        except UnicodeDecodeError as exc:
            raise DataError(f"not UTF-16 text (byte {exc.start})", code="input.encoding") from None
    try:
        return data.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        return _decode(data, "gb18030")


_GB18030_BOM = b"\x84\x31\x95\x33"
_BAD = re.compile("[\udc80-\udcff]")


def has_bad_bytes(text: str) -> bool:
    """True when ``text`` holds a byte that could not be decoded (a lone surrogate)."""
    return _BAD.search(text) is not None


def _literal_chars(glob: str) -> int:
    """How specific a glob is: the characters it matches literally (``经营记录*.csv`` beats ``*.csv``)."""
    return sum(1 for ch in glob if ch not in "*?[]")


def stream_for_file(path: Path, source: Mapping[str, Any], streams: list[str], forced: str | None) -> str:
    """The stream ``path`` belongs to: ``forced``, the stream whose ``files`` globs match, or the only one.

    When the globs of several streams match, the stream with the most specific matching glob wins
    (``经营记录*.csv`` over a catch-all ``*.csv``); a tie is a configuration error.
    """
    if forced is not None:
        if forced not in streams:
            raise ConfigurationError(f"no stream {forced!r}; the profile has {', '.join(streams)}")
        return forced
    declared = source.get("streams", {})
    matched: dict[str, int] = {}
    for name in streams:
        globs = declared.get(name, {}).get("files", [])
        globs = [globs] if isinstance(globs, str) else globs
        scores = [_literal_chars(g) for g in globs if fnmatch.fnmatch(path.name.lower(), g.lower())]
        if scores:
            matched[name] = max(scores)
    if matched:
        best = max(matched.values())
        winners = [n for n, score in matched.items() if score == best]
        if len(winners) == 1:
            return winners[0]
        raise ConfigurationError(f"{path}: the file names of streams {', '.join(winners)} all match; use --stream")
    if len(streams) == 1:
        return streams[0]
    pattern_text = "; ".join(f"{n}: {declared.get(n, {}).get('files', '-')}" for n in streams)
    raise ConfigurationError(f"{path}: no stream's file pattern matches ({pattern_text}); use --stream")
