"""``prov-rest``: a provincial platform's REST/JSON pull API with pinyin-initial keys.

``GET {base}/{interfaceId}/V1?token=&pageNum=&pageSize=&MODIFYRQ_KS=&MODIFYRQ_JS=`` answers
``{"success": true, "obj": [...], "pages": n, "total": m}``; ``ldxx`` serves manifests, ``gjxx``
GPS fixes. Times are local (``yyyy-MM-dd HH:mm:ss``) without an offset. The mapping is the shipped
profile ``prov-rest``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx

from mappings.transforms.times import zone

from ..base import BaseAdapter, Bookmark, Setting, SourceRecord
from ..errors import ConfigurationError, FatalSyncError, RetriableSyncError
from ..window import Page, WindowPull, window_end

__all__ = ["ProvRestAdapter"]

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class ProvRestAdapter(BaseAdapter):
    """Reads manifests and GPS fixes from a provincial REST platform through an injected ``httpx.Client``."""

    name: ClassVar[str] = "prov-rest"
    mapping: ClassVar[str] = "prov-rest"
    streams: ClassVar[tuple[str, ...]] = ("manifest", "track")
    settings: ClassVar[dict[str, Setting]] = {
        "token": Setting(str, required=True, secret=True, help="access token the platform issued"),
        "page_size": Setting(int, 500, help="records per page (the platform allows up to 500)"),
        "start": Setting(str, "2000-01-01 00:00:00", help="window start when there is no bookmark"),
        "settle_seconds": Setting(float, 2.0, help="the window ends this long before now"),
        "interfaces": Setting(dict, {"manifest": "ldxx", "track": "gjxx"}, help="interface id per stream"),
    }

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(config, client=client)
        if not isinstance(client, httpx.Client):
            raise ConfigurationError("prov-rest needs an httpx.Client (with base_url) passed as client=")
        self.http: httpx.Client = client
        self.clock = clock or (lambda: datetime.now(zone("Asia/Shanghai")))

    def check_response(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON body of a good response; otherwise the error for what the caller must do."""
        if response.status_code == 429 or response.status_code >= 500:
            after = response.headers.get("Retry-After")
            retry_after = float(after) if after and after.replace(".", "", 1).isdigit() else None
            raise RetriableSyncError(
                f"{response.request.url.path}: HTTP {response.status_code}", response=response, retry_after=retry_after
            )
        if response.status_code >= 400:
            raise FatalSyncError(f"{response.request.url.path}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError as exc:
            raise FatalSyncError(f"{response.request.url.path}: the reply is not JSON") from exc
        if not isinstance(body, dict) or body.get("success") is not True or not isinstance(body.get("obj"), list):
            msg = body.get("msg") if isinstance(body, dict) else None
            raise FatalSyncError(f"{response.request.url.path}: the platform refused: {msg or str(body)[:200]}")
        return body

    def _fetch(self, interface: str) -> Callable[[str, str, int], Page]:
        path = f"/{interface}/V1"

        def fetch(ks: str, js: str, page_no: int) -> Page:
            params: dict[str, Any] = {
                "token": self.config["token"],
                "pageNum": page_no,
                "pageSize": self.config["page_size"],
                "MODIFYRQ_KS": ks,
                "MODIFYRQ_JS": js,
            }
            try:
                response = self.http.get(path, params=params)
            except httpx.TimeoutException as exc:
                raise RetriableSyncError(f"GET {path}: timed out") from exc
            except httpx.TransportError as exc:
                raise RetriableSyncError(f"GET {path}: {type(exc).__name__}: {exc}") from exc
            body = self.check_response(response)
            pages = body.get("pages")
            source = f"GET {path}?MODIFYRQ_KS={ks}&MODIFYRQ_JS={js}"
            return Page(body["obj"], pages if isinstance(pages, int) else None, source)

        return fetch

    def read(self, since: Bookmark | None) -> Iterator[SourceRecord]:
        """Manifests then GPS fixes modified since the bookmark, each stream in modification-time order."""
        end = window_end(self.clock(), self.config["settle_seconds"], TIME_FORMAT)
        profile = self.profile()
        for stream in self.streams:
            interface = self.config["interfaces"].get(stream)
            if interface is None:
                continue
            pull = WindowPull(
                profile.streams[stream], self._fetch(interface), self.config["page_size"], self.config["start"]
            )
            yield from pull.read(since, end)
