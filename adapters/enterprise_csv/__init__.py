"""``enterprise-csv``: exports dropped in a folder as CSV (GBK/GB18030/UTF-8, with or without BOM) or XLSX.

Three streams, told apart by the file name as the profile's patterns say: ledger exports (any
name), a licensed operator's operation record book (``经营记录*``) and its reports (``经营报表*``).

The adapter reads every export file in name order and resumes with a bookmark per file and line, so
a file that grows (a daily export appended to) is read from where it stopped, and a new file from
its start. Files modified in the last ``settle_seconds`` are left for the next read: they may still
be being written. An unreadable file is yielded as one record with a problem, without a bookmark, so
it is reported on every read until it is fixed or removed.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from ..base import BaseAdapter, Bookmark, Position, ReadProblem, Setting, SourceRecord
from ..errors import ConfigurationError, DataError
from ..files import read_csv, read_xlsx, stream_for_file

__all__ = ["EnterpriseCsvAdapter"]


class EnterpriseCsvAdapter(BaseAdapter):
    """Reads ledger, operation record and report exports from a drop folder; no client (the folder is the interface)."""

    name: ClassVar[str] = "enterprise-csv"
    mapping: ClassVar[str] = "enterprise-csv"
    streams: ClassVar[tuple[str, ...]] = ("ledger", "operation", "report")
    settings: ClassVar[dict[str, Setting]] = {
        "folder": Setting(str, required=True, help="the drop folder"),
        "patterns": Setting(list, ["*.csv", "*.txt", "*.xlsx"], help="file name globs to read"),
        "encoding": Setting(str, "auto", help="auto (BOM, UTF-8, else GB18030) or a codec name"),
        "delimiter": Setting(str, "auto", help="auto or one character"),
        "sheet": Setting(str, "", help="XLSX sheet name (default: the first sheet)"),
        "settle_seconds": Setting(float, 2.0, help="skip files modified more recently than this"),
    }

    def __init__(self, config: Mapping[str, Any] | None = None, *, client: Any = None) -> None:
        super().__init__(config, client=client)
        self.folder = Path(self.config["folder"])
        if not self.folder.is_dir():
            raise ConfigurationError(f"enterprise-csv: drop folder {self.folder} does not exist")

    def files(self) -> list[Path]:
        """Export files ready to read, in name order."""
        now = time.time()
        patterns = [p.lower() for p in self.config["patterns"]]
        found = []
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or not any(fnmatch.fnmatch(path.name.lower(), p) for p in patterns):
                continue
            if now - path.stat().st_mtime < self.config["settle_seconds"]:
                continue
            found.append(path)
        return found

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        """Rows after the bookmarked line of each file, each file in its stream.

        Files go stream by stream (ledger, operation records, reports), each stream in name order,
        so a report read together with the records of its period comes after them.
        """
        profile = self.profile()
        placed: list[tuple[int, str, Path]] = []
        for path in self.files():
            try:
                stream = stream_for_file(path, profile.source, list(self.streams), None)
            except ConfigurationError as exc:
                problem = ReadProblem("input.stream", f"文件不属于任何数据流：{exc}", str(exc))
                yield SourceRecord("ledger", {}, Position(str(path)), None, problem)
                continue
            placed.append((self.streams.index(stream), stream, path))
        for _, stream, path in sorted(placed):
            key = f"{stream}/{path.name}"
            after = int((since.get(key) if since else None) or 0)
            try:
                if path.suffix.lower() in (".xlsx", ".xlsm"):
                    sheet = self.config["sheet"] or None
                    yield from read_xlsx(path, stream, sheet=sheet, after_line=after, cursor_key=key)
                else:
                    yield from read_csv(
                        path,
                        stream,
                        encoding=self.config["encoding"],
                        delimiter=self.config["delimiter"],
                        after_line=after,
                        cursor_key=key,
                    )
            except DataError as exc:
                problem = ReadProblem(exc.code, f"文件无法读取：{exc}", f"The file cannot be read: {exc}")
                yield SourceRecord(stream, {}, Position(str(path)), None, problem)
