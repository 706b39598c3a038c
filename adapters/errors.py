"""Errors of adapters and of the runners that drive them, grouped by what the caller must do.

::

    SyncError                      root: anything an adapter or runner raises on purpose
    ├── ConfigurationError         fix the configuration, the mapping or the plugin, then rerun
    ├── FatalSyncError             stop this adapter; a person must look (auth refused, 4xx, bad WSDL)
    ├── RetriableSyncError         try again later (timeout, 5xx, 429); carries the response if any
    ├── SkippableSyncError         skip one record, keep going; carries the record's position
    └── DataError                  the input itself is unusable (not UTF-8, unsafe XML, no header)
        └── UnsafeXMLError         the XML declares a DTD or entities and is refused before parsing

A record that cannot be *mapped* or *validated* is not an exception: it is rejected with findings
and the run goes on. Foreign exceptions (httpx, zeep, lxml, openpyxl) are translated once, at the
seam where they occur, ``raise X(...) from exc``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigurationError",
    "DataError",
    "FatalSyncError",
    "RetriableSyncError",
    "SkippableSyncError",
    "SyncError",
    "UnsafeXMLError",
]


class SyncError(Exception):
    """Root of the adapter errors."""


class ConfigurationError(SyncError):
    """The adapter's configuration, mapping or plugin is wrong; nothing can run until it is fixed."""


class FatalSyncError(SyncError):
    """The local system refused in a way retrying cannot fix (credentials, a 4xx, an unexpected reply)."""


class RetriableSyncError(SyncError):
    """A transient failure: try again later. ``response`` is the HTTP response when there was one."""

    def __init__(self, message: str, *, response: Any = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.response = response
        self.retry_after = retry_after


class SkippableSyncError(SyncError):
    """One record cannot be read; the others can. ``position`` says which."""

    def __init__(self, message: str, *, position: Any = None) -> None:
        super().__init__(message)
        self.position = position


class DataError(SyncError):
    """An input cannot be read as records at all; ``source`` names it."""

    def __init__(self, message: str, *, source: str = "", code: str = "input.unreadable") -> None:
        super().__init__(message)
        self.source = source
        self.code = code


class UnsafeXMLError(DataError):
    """XML with a DOCTYPE, entity declarations or external references: refused, never parsed."""

    def __init__(self, message: str, *, source: str = "") -> None:
        super().__init__(message, source=source, code="input.unsafe_xml")
