"""CSV ledger exports: GBK/GB18030 or UTF-8 with or without BOM, comma or tab, Chinese headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from ..base import Position, ReadProblem, SourceRecord
from ..errors import DataError
from ._common import decode, has_bad_bytes

__all__ = ["read_csv", "sniff_delimiter"]

_DELIMITERS = (",", "\t", ";", "|")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line most often (comma when none does)."""
    best = max(_DELIMITERS, key=header_line.count)
    return best if header_line.count(best) else ","


def _header(cells: list[str], source: str) -> list[str]:
    names = [" ".join(c.split()) for c in cells]
    while names and not names[-1]:
        names.pop()
    seen: set[str] = set()
    for n in names:
        if not n:
            raise DataError(f"{source}: the header has an empty column name", source=source, code="input.header")
        if n in seen:
            raise DataError(f"{source}: column {n!r} appears twice in the header", source=source, code="input.header")
        seen.add(n)
    return names


def _rows(text: str, sep: str) -> Iterator[tuple[int, int, list[str]]]:
    r"""``(first line, last line, cells)`` of each row of ``text``, exactly as ``csv.reader`` reads them.

    A line without a quote character is one row with no escaping, so splitting it on ``sep`` gives
    the cells ``csv.reader`` gives, at a fraction of the cost. A line with one (``"T,In"``) is handed
    to ``csv.reader``, which reads on into the next lines when a quoted cell holds a line break; its
    state starts afresh at every row, so a reader per such row reads what one reader would. Lines end
    at ``\r\n``, ``\n`` or ``\r`` as in ``csv`` (``io.StringIO`` with ``newline=""``; never
    ``str.splitlines``, which also splits on form feeds and U+2028).
    """
    lines = io.StringIO(text, newline="")
    if "\0" in text:  # csv's own handling of NUL, whatever it is, stays csv's
        reader = csv.reader(lines, delimiter=sep)
        last = 0
        for row in reader:
            start, last = last + 1, reader.line_num
            yield start, last, row
        return
    limit = csv.field_size_limit()
    n = 0
    for line in lines:  # the quoted rows' readers take their further lines from this same iterator
        if '"' in line:
            reader = csv.reader(chain((line,), lines), delimiter=sep)
            row = next(reader)
            yield n + 1, n + reader.line_num, row
            n += reader.line_num
            continue
        n += 1
        body = line.rstrip("\r\n")
        cells = body.split(sep) if body else []  # csv gives no cell at all for an empty line
        if len(line) > limit and max(map(len, cells)) > limit:
            raise csv.Error(f"field larger than field limit ({limit})")  # what csv.reader raises
        yield n, n, cells


def read_csv(
    path: Path,
    stream: str,
    *,
    encoding: str = "auto",
    delimiter: str = "auto",
    after_line: int = 0,
    cursor_key: str | None = None,
) -> Iterator[SourceRecord]:
    """Yield the rows of ``path`` as records keyed by the header, each with its file and line.

    Rows starting at or before ``after_line`` are skipped (the bookmark). A row with more cells than
    the header, or with bytes that are neither UTF-8 nor GB18030, is yielded with a ``problem``.
    """
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{source}: cannot be read ({exc.strerror})", source=source) from None
    text, _, clean = decode(data, encoding)
    first_line = text.split("\n", 1)[0]
    sep = sniff_delimiter(first_line) if delimiter == "auto" else delimiter
    header: list[str] | None = None
    width = 0
    for start, last, row in _rows(text, sep):
        # A blank row (no cells, or only blank ones) is skipped; the first cell usually settles it.
        if not row or (not row[0].strip() and not "".join(row).strip()):
            continue
        if header is None:
            header = _header(row, source)
            width = len(header)
            continue
        if start <= after_line:
            continue
        problem = None
        if len(row) > width and any(c.strip() for c in row[width:]):
            problem = ReadProblem(
                "input.csv_extra_cells",
                f"该行有 {len(row)} 个单元格，表头只有 {width} 列",
                f"The row has {len(row)} cells but the header only {width} columns",
            )
        elif not clean and has_bad_bytes(sep.join(row)):
            problem = ReadProblem(
                "input.encoding",
                "该行含有既非 UTF-8 也非 GB18030 的字节",
                "The row holds bytes that are neither UTF-8 nor GB18030",
            )
        record = dict(zip(header, row, strict=False))
        if problem is not None:
            record = {k: v.encode("utf-8", "backslashreplace").decode() for k, v in record.items()}
        cursor = (cursor_key, last) if cursor_key is not None else None
        yield SourceRecord(stream, record, Position(source, start), cursor, problem)
    if header is None:
        raise DataError(f"{source}: no header row, no records", source=source, code="input.empty")
