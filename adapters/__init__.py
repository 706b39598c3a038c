"""Readers for local systems, the national API client and the sync bridge (floor 2).

Adapters import from ``contracts`` and ``mappings`` only, never from ``mocks``. An adapter author
needs only this package's surface and ``mappings``::

    from adapters import BaseAdapter, Bookmark, Position, Setting, SourceRecord

The errors are grouped by what the caller must do (see ``adapters.errors``); ``Translator`` maps and
validates records and never drops one: each becomes ``Accepted`` or ``Rejected``.
"""

from .base import Adapter, BaseAdapter, Bookmark, Position, ReadProblem, Setting, SourceRecord
from .contract_check import profile_problems
from .errors import (
    ConfigurationError,
    DataError,
    FatalSyncError,
    RetriableSyncError,
    SkippableSyncError,
    SyncError,
    UnsafeXMLError,
)
from .registry import GROUP, AdapterRegistry, validate_adapter
from .translate import Accepted, Rejected, Translator

__all__ = [
    "GROUP",
    "Accepted",
    "Adapter",
    "AdapterRegistry",
    "BaseAdapter",
    "Bookmark",
    "ConfigurationError",
    "DataError",
    "FatalSyncError",
    "Position",
    "ReadProblem",
    "Rejected",
    "RetriableSyncError",
    "Setting",
    "SkippableSyncError",
    "SourceRecord",
    "SyncError",
    "Translator",
    "UnsafeXMLError",
    "profile_problems",
    "validate_adapter",
]
