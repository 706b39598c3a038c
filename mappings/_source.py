"""The ``[source]`` table: how hazlink reads exported files of this system with no Python at all.

::

    [source]
    format = "json"          # json (documents, pages or NDJSON), csv (also .xlsx), xml (also SOAP responses)
    records = "obj"          # json: path of the record array inside each document (a page)
    encoding = "auto"        # csv: auto (BOM, UTF-8, else GB18030), or a codec name
    delimiter = "auto"       # csv: auto, or one character
    sheet = "台账"           # xlsx: the sheet to read (default: the first)
    lists = ["fwxx"]         # xml: elements that are always lists, even with one occurrence

    [source.streams.manifest]
    files = ["ldxx*.json"]   # which input files belong to the stream (glob on the file name)
    record = "ldxx"          # xml: the element name of one record

The engine only checks this table; the readers in ``adapters`` act on it.
"""

from __future__ import annotations

import codecs
from typing import Any

from ._errors import Problem, nearest

__all__ = ["FORMATS", "SOURCE_KEYS", "check_source"]

FORMATS = ("json", "csv", "xml")
SOURCE_KEYS = ("format", "records", "encoding", "delimiter", "sheet", "lists", "streams", "description")
STREAM_KEYS = ("files", "record")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def check_source(doc: Any, streams: set[str], file: str, problems: list[Problem]) -> dict[str, Any]:
    """Check the ``[source]`` table against the streams the resources use; return it (empty when absent)."""
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        problems.append(Problem(file, "source", "expected a table"))
        return {}
    for k in doc:
        if k not in SOURCE_KEYS:
            problems.append(Problem(file, f"source.{k}", "unknown key", nearest(k, SOURCE_KEYS)))
    fmt = doc.get("format")
    if fmt not in FORMATS:
        problems.append(
            Problem(file, "source.format", f"expected one of {', '.join(FORMATS)}", nearest(str(fmt), FORMATS))
        )
    for k in ("records", "sheet", "description"):
        if k in doc and not isinstance(doc[k], str):
            problems.append(Problem(file, f"source.{k}", "expected text"))
    encoding = doc.get("encoding", "auto")
    if encoding != "auto":
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            problems.append(
                Problem(file, "source.encoding", f"unknown encoding {encoding!r} (auto, utf-8, gb18030...)")
            )
    delimiter = doc.get("delimiter", "auto")
    if delimiter != "auto" and (not isinstance(delimiter, str) or len(delimiter) != 1):
        problems.append(Problem(file, "source.delimiter", "expected auto or a single character"))
    if "lists" in doc and not _strings(doc["lists"]):
        problems.append(Problem(file, "source.lists", "expected a list of element names"))
    declared = doc.get("streams", {})
    if not isinstance(declared, dict):
        problems.append(Problem(file, "source.streams", "expected a table of streams"))
        return doc
    for name, spec in declared.items():
        key = f"source.streams.{name}"
        if name not in streams:
            problems.append(Problem(file, key, "no resource reads this stream", nearest(name, streams)))
        if not isinstance(spec, dict):
            problems.append(Problem(file, key, "expected a table with files and/or record"))
            continue
        for k in spec:
            if k not in STREAM_KEYS:
                problems.append(Problem(file, f"{key}.{k}", "unknown key", nearest(k, STREAM_KEYS)))
        files = spec.get("files")
        if files is not None and not (isinstance(files, str) or _strings(files)):
            problems.append(Problem(file, f"{key}.files", "expected a glob or a list of globs"))
        if fmt == "xml" and not isinstance(spec.get("record"), str):
            problems.append(Problem(file, f"{key}.record", "an xml stream names its record element"))
    if len(streams) > 1:
        for name in sorted(streams - set(declared)):
            problems.append(Problem(file, f"source.streams.{name}", "stream has no [source.streams] entry"))
    return doc
