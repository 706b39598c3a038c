"""A synchronous ``httpx.Client`` that calls an ASGI app in-process, with no socket.

httpx's own ``ASGITransport`` is async-only and Starlette's ``TestClient`` is deprecated for plain
httpx; adapters take a synchronous client. This transport runs the app on an event loop in a
helper thread (an anyio blocking portal) and hands each response back whole.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import anyio.from_thread
import httpx

__all__ = ["SyncASGITransport", "asgi_client"]


class SyncASGITransport(httpx.BaseTransport):
    """Serve requests from ``app`` in-process; ``close()`` stops the helper thread."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._portal_cm: AbstractContextManager[Any] = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Forward ``request`` to the app and wait for its whole response."""
        body = request.read()

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            inner = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._inner.handle_async_request(inner)
            content = await response.aread()
            return response.status_code, response.headers.raw, content

        status, headers, content = self._portal.call(call)
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        """Stop the event loop thread."""
        self._portal_cm.__exit__(None, None, None)


def asgi_client(app: Any, base_url: str = "http://local.test") -> httpx.Client:
    """An ``httpx.Client`` bound to ``app`` in-process; close it when done."""
    return httpx.Client(transport=SyncASGITransport(app), base_url=base_url)
