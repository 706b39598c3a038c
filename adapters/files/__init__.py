"""Read exported files of a local system as records, as the profile's ``[source]`` table describes.

This is the route for a vendor who writes only a mapping file: JSON pages or NDJSON, CSV or XLSX
(in any of the encodings Chinese exports come in), XML or saved SOAP responses. Every record
carries its file and line (or page and index, or SOAP call and position).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mappings import Profile

from ..base import SourceRecord
from ..errors import ConfigurationError
from ._common import decode, stream_for_file
from ._csv import read_csv, sniff_delimiter
from ._json import read_json, records_of_page
from ._xlsx import read_xlsx
from ._xml import read_xml

__all__ = [
    "decode",
    "read_csv",
    "read_file",
    "read_json",
    "read_xlsx",
    "read_xml",
    "records_of_page",
    "sniff_delimiter",
    "stream_for_file",
]


def read_file(profile: Profile, path: Path, *, stream: str | None = None) -> Iterator[SourceRecord]:
    """Records of one exported file of ``profile``'s system; raises ``DataError`` for an unreadable file."""
    source = profile.source
    fmt = source.get("format")
    streams = list(profile.streams)
    if fmt is None:
        raise ConfigurationError(f"profile {profile.name} has no [source] table: it cannot read files")
    if fmt == "xml":
        declared = source.get("streams", {})
        tags = {spec["record"]: name for name, spec in declared.items() if name in streams}
        if stream is not None:
            tags = {t: s for t, s in tags.items() if s == stream}
            if not tags:
                raise ConfigurationError(f"no xml stream {stream!r}; the profile has {', '.join(streams)}")
        return read_xml(path, tags, lists=frozenset(source.get("lists", ())))
    chosen = stream_for_file(path, source, streams, stream)
    if fmt == "json":
        return read_json(path, chosen, records=source.get("records"))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, chosen, sheet=source.get("sheet"))
    return read_csv(path, chosen, encoding=source.get("encoding", "auto"), delimiter=source.get("delimiter", "auto"))
