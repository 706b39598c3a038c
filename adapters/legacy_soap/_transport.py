"""A zeep ``Transport`` that sends through an injected ``httpx.Client``.

zeep speaks ``requests``; hazlink injects ``httpx`` clients everywhere, so that a test can hand in an
in-process transport and every adapter is configured the same way. Only ``post`` (SOAP calls) and
remote loads (a WSDL given by URL) go through httpx; a WSDL given as a file path is read from disk.
"""

from __future__ import annotations

from typing import Any

import httpx
import requests
from requests.structures import CaseInsensitiveDict
from zeep import Transport

from ..errors import RetriableSyncError

__all__ = ["HttpxTransport"]


def _to_requests(response: httpx.Response) -> requests.Response:
    out = requests.Response()
    out.status_code = response.status_code
    out.headers = CaseInsensitiveDict(response.headers)
    out._content = response.content
    out.encoding = response.encoding
    out.url = str(response.url)
    return out


class HttpxTransport(Transport):
    """zeep transport over an ``httpx.Client``; network failures become ``RetriableSyncError``."""

    def __init__(self, client: httpx.Client) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.client = client

    def _send(self, method: str, address: str, **kwargs: Any) -> requests.Response:
        try:
            return _to_requests(self.client.request(method, address, **kwargs))
        except httpx.TimeoutException as exc:
            raise RetriableSyncError(f"{method} {address}: timed out") from exc
        except httpx.TransportError as exc:
            raise RetriableSyncError(f"{method} {address}: {type(exc).__name__}: {exc}") from exc

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        """Send a SOAP request."""
        return self._send("POST", address, content=message, headers=headers)

    def get(self, address: str, params: dict[str, Any], headers: dict[str, str]) -> requests.Response:
        """Send a GET (HTTP bindings; not used by SOAP calls)."""
        return self._send("GET", address, params=params, headers=headers)

    def _load_remote_data(self, url: str) -> bytes:
        response = self._send("GET", url)
        if response.status_code >= 400:
            raise RetriableSyncError(f"GET {url}: HTTP {response.status_code}")
        content: bytes = response.content
        return content
