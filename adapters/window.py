"""Pulling a modified-time window page by page, without losing a record that changes during the pull.

Provincial platforms page a window ``[KS, JS]`` of modification times by page number. Paging by
number alone loses records: when a record on page 1 is modified while page 2 is read, it leaves the
window, everything shifts up by one, and a record is never seen. So the window start moves instead
(keyset paging): after each full page, ``KS`` becomes the last modification time read and the page
number goes back to 1; only when a whole page shares one time does the page number advance.

The bookmark of a stream is ``{"t": last time, "key": natural key of the last record}``. The
platform must order a window by modification time and then by the record's key (the reference
platforms do, and say so); records up to and including the bookmark are skipped, so a pull that
starts again at ``t`` delivers each record once. ``JS`` is "now" minus a settle time, so that a
record written in the same second as the pull is read next time rather than half-seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mappings import Stream

from .base import Bookmark, Position, ReadProblem, SourceRecord

__all__ = ["Page", "WindowPull", "window_end"]


@dataclass(frozen=True)
class Page:
    """One page of a window: its records, how many pages the server says there are, and its position label."""

    records: Sequence[Mapping[str, Any]]
    pages: int | None
    source: str
    call: str | None = None


Fetch = Callable[[str, str, int], Page]


def window_end(now: datetime, settle_seconds: float, fmt: str) -> str:
    """The window end: ``now`` minus the settle time, formatted as the local system writes times."""
    return (now - timedelta(seconds=settle_seconds)).strftime(fmt)


@dataclass
class WindowPull:
    """Keyset paging over one stream; ``fetch(ks, js, page_no)`` asks the local system for one page."""

    stream: Stream
    fetch: Fetch
    page_size: int
    start: str
    time_key: Callable[[Any], str] = str

    def _key(self, record: Mapping[str, Any]) -> str:
        resource = self.stream.resource_for(record) or self.stream.resources[0]
        parts = resource.key_of(record)
        return "/".join(parts) if parts else ""

    def read(self, since: Bookmark | None, window_end: str) -> Iterator[SourceRecord]:
        """Yield the records modified after the bookmark and up to ``window_end``, in time order."""
        state = (since.get(self.stream.name) if since else None) or {"t": self.start, "key": ""}
        last = (str(state["t"]), str(state.get("key", "")))
        ks, page_no = last[0], 1
        while True:
            page = self.fetch(ks, window_end, page_no)
            for index, record in enumerate(page.records, start=1):
                position = Position(page.source, page=page_no, index=index, call=page.call)
                raw_t = self.stream.cursor_of(record)
                if raw_t is None or raw_t == "":
                    problem = ReadProblem(
                        "input.no_cursor",
                        f"记录缺少修改时间字段 {self.stream.cursor}",
                        f"The record has no modification time {self.stream.cursor}",
                    )
                    yield SourceRecord(self.stream.name, record, position, None, problem)
                    continue
                here = (self.time_key(raw_t), self._key(record))
                if here <= last or here[0] > window_end:
                    continue
                last = here
                yield SourceRecord(
                    self.stream.name, record, position, (self.stream.name, {"t": here[0], "key": here[1]})
                )
            full = len(page.records) >= self.page_size and (page.pages is None or page_no < page.pages)
            if not page.records or not full:
                return
            tail = self.stream.cursor_of(page.records[-1])
            tail_t = self.time_key(tail) if tail not in (None, "") else ks
            if tail_t == ks:
                page_no += 1  # a whole page shares one time: only the page number can move on
            else:
                ks, page_no = tail_t, 1
