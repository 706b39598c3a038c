"""JSON exports: saved API pages (``{success, obj: [...], pages}``), arrays of records, NDJSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..base import Position, ReadProblem, SourceRecord
from ..errors import DataError
from ._common import decode

__all__ = ["read_json", "records_of_page"]


def _at(doc: Any, path: str) -> Any:
    for part in path.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def records_of_page(doc: Any, records: str | None, source: str) -> tuple[list[Any], int | None]:
    """The record list of one document and its page number, if it says one."""
    if isinstance(doc, list):
        return doc, None
    if not isinstance(doc, dict):
        raise DataError(f"{source}: expected a JSON object or array, found {type(doc).__name__}", source=source)
    if doc.get("success") is False:
        msg = doc.get("msg") or doc.get("message") or "no message"
        raise DataError(f"{source}: the saved page reports a failure: {msg}", source=source, code="input.failed_page")
    if records:
        found = _at(doc, records)
        if found is None:
            raise DataError(f"{source}: no record list at {records!r}", source=source, code="input.no_records")
        if not isinstance(found, list):
            raise DataError(f"{source}: {records!r} is not a list", source=source, code="input.no_records")
        page = doc.get("pageNum")
        return found, page if isinstance(page, int) else None
    return [doc], None


def _wrap(stream: str, value: Any, position: Position) -> SourceRecord:
    if isinstance(value, dict):
        return SourceRecord(stream, value, position)
    problem = ReadProblem(
        "input.not_an_object", f"记录应为 JSON 对象，实为 {type(value).__name__}", f"Not a JSON object: {value!r:.80}"
    )
    return SourceRecord(stream, {"value": value}, position, None, problem)


def read_json(path: Path, stream: str, *, records: str | None = None) -> Iterator[SourceRecord]:
    """Yield the records of a JSON document, array or NDJSON file, with file and index (or line)."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{source}: cannot be read ({exc.strerror})", source=source) from None
    text, _, _ = decode(data)
    if not text.strip():
        raise DataError(f"{source}: empty, no records", source=source, code="input.empty")
    ndjson = path.suffix.lower() in (".ndjson", ".jsonl")
    if not ndjson:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if not (exc.msg == "Extra data" and text.lstrip().startswith("{")):
                raise DataError(
                    f"{source}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
                    source=source,
                    code="input.json_invalid",
                ) from None
            ndjson = True
        else:
            items, page = records_of_page(doc, records, source)
            for index, item in enumerate(items, start=1):
                yield _wrap(stream, item, Position(source, page=page, index=index))
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        position = Position(source, line=number)
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problem = ReadProblem("input.json_invalid", f"不是合法的 JSON：{exc.msg}", f"Not valid JSON: {exc.msg}")
            yield SourceRecord(stream, {"line": line[:200]}, position, None, problem)
            continue
        yield _wrap(stream, item, position)
