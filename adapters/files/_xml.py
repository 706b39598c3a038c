"""XML exports and saved SOAP responses, streamed with lxml (safe settings), one record element at a time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..base import Position, SourceRecord
from ..errors import DataError
from ..xmlsafe import element_to_dict, iter_elements, local_name

__all__ = ["read_xml"]


def _call_of(element: Any) -> str | None:
    """The SOAP operation a record sits in: the child of ``Body`` above it (``queryLdxxResponse``)."""
    node = element.getparent()
    while node is not None:
        parent = node.getparent()
        if parent is not None and isinstance(parent.tag, str) and local_name(parent.tag) == "Body":
            return local_name(node.tag)
        node = parent
    return None


def read_xml(
    path: Path, record_streams: Mapping[str, str], *, lists: frozenset[str] = frozenset()
) -> Iterator[SourceRecord]:
    """Yield every element named in ``record_streams`` (element name → stream) as a record dict.

    Positions carry the file, the SOAP call when the file is a SOAP response, the 1-based index of
    the record within that call, and its line.
    """
    source = str(path)
    try:
        stream_file = path.open("rb")
    except OSError as exc:
        raise DataError(f"{source}: cannot be read ({exc.strerror})", source=source) from None
    counts: dict[tuple[str | None, str], int] = {}
    with stream_file:
        for tag, element in iter_elements(stream_file, list(record_streams), source):
            call = _call_of(element)
            n = counts[(call, tag)] = counts.get((call, tag), 0) + 1
            position = Position(source, line=element.sourceline, index=n, call=call)
            yield SourceRecord(record_streams[tag], element_to_dict(element, lists), position)
