"""ACME's JT/T 808 vehicle platform as a hazlink adapter: GPS fixes of dangerous-goods trucks.

The adapter only reads: it asks for fixes after the bookmarked id, page by page, and yields them
untranslated with their position and bookmark entry. The mapping file beside it does the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import httpx

from adapters import (
    BaseAdapter,
    Bookmark,
    ConfigurationError,
    FatalSyncError,
    Position,
    RetriableSyncError,
    Setting,
    SourceRecord,
)

__all__ = ["AcmeGpsAdapter"]


class AcmeGpsAdapter(BaseAdapter):
    """GPS fixes from ACME's platform, in id order, through an injected ``httpx.Client``."""

    name: ClassVar[str] = "acme-gps"
    mapping: ClassVar[str] = str(Path(__file__).parent / "mapping")
    streams: ClassVar[tuple[str, ...]] = ("track",)
    settings: ClassVar[dict[str, Setting]] = {
        "token": Setting(str, required=True, secret=True, help="API token from ACME"),
        "limit": Setting(int, 1000, help="fixes per page"),
    }

    def __init__(self, config: Mapping[str, Any] | None = None, *, client: httpx.Client | None = None) -> None:
        super().__init__(config, client=client)
        if not isinstance(client, httpx.Client):
            raise ConfigurationError("acme-gps needs an httpx.Client passed as client=")
        self.http = client

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        """Fixes with an id above the bookmark, in id order."""
        after = int((since.get("track") if since else None) or 0)
        page = 0
        while True:
            page += 1
            params = {"after": after, "limit": self.config["limit"]}
            try:
                response = self.http.get("/api/v1/positions", params=params, headers={"X-Token": self.config["token"]})
            except httpx.TransportError as exc:
                raise RetriableSyncError(f"ACME platform unreachable: {exc}") from exc
            if response.status_code >= 500:
                raise RetriableSyncError(f"ACME platform: HTTP {response.status_code}", response=response)
            body = response.json() if response.status_code == 200 else {}
            if body.get("code") != 0:
                raise FatalSyncError(f"ACME platform refused: HTTP {response.status_code} {body.get('msg', '')}")
            fixes = body.get("data") or []
            for index, fix in enumerate(fixes, start=1):
                after = max(after, int(fix["id"]))
                yield SourceRecord(
                    "track", fix, Position("GET /api/v1/positions", page=page, index=index), ("track", after)
                )
            if len(fixes) < self.config["limit"]:
                return
