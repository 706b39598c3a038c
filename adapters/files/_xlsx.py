"""XLSX ledger exports, read with openpyxl in read-only mode, after a safety check of the package."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..base import Position, SourceRecord
from ..errors import DataError
from ..xmlsafe import check_prolog

__all__ = ["read_xlsx"]

_MAX_UNPACKED = 1 << 30  # 1 GiB: a ledger export is far below; a zip bomb is far above
_MAX_RATIO = 200


def _check_package(path: Path, source: str) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            total = 0
            for info in z.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > _MAX_RATIO and info.file_size > 1 << 24:
                    raise DataError(f"{source}: {info.filename} unpacks {info.file_size} bytes; refused", source=source)
                if info.filename.endswith((".xml", ".rels")):
                    with z.open(info) as member:
                        check_prolog(member.read(4096), f"{source}!{info.filename}")
            if total > _MAX_UNPACKED:
                raise DataError(f"{source}: unpacks to {total} bytes; refused", source=source)
    except zipfile.BadZipFile as exc:
        raise DataError(f"{source}: not an XLSX file ({exc})", source=source, code="input.xlsx_invalid") from None


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def read_xlsx(
    path: Path, stream: str, *, sheet: str | None = None, after_line: int = 0, cursor_key: str | None = None
) -> Iterator[SourceRecord]:
    """Yield the rows of a sheet (the first unless ``sheet`` names one) keyed by its header row.

    Dates stay ``datetime`` (the ``datetime`` transform takes them), numbers stay numbers.
    """
    from openpyxl import load_workbook

    source = str(path)
    _check_package(path, source)
    with warnings.catch_warnings():
        # Exports from other tools often lack openpyxl's default style; that is no reason to fail.
        warnings.filterwarnings("ignore", message="Workbook contains no default style", category=UserWarning)
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise DataError(
                f"{source}: not a readable XLSX file ({exc})", source=source, code="input.xlsx_invalid"
            ) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(f"{source}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})", source=source)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        header: list[str] | None = None
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if not row or all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
                continue
            if header is None:
                header = [" ".join(str(c).split()) if c is not None else "" for c in row]
                while header and not header[-1]:
                    header.pop()
                continue
            if number <= after_line:
                continue
            record = {h: _cell(v) for h, v in zip(header, row, strict=False) if h and v is not None}
            cursor = (cursor_key, number) if cursor_key is not None else None
            yield SourceRecord(stream, record, Position(source, line=number, sheet=ws.title), cursor)
        if header is None:
            raise DataError(f"{source}: no header row, no records", source=source, code="input.empty")
    finally:
        book.close()
