"""Serving the mock on a loopback port: in the foreground (``hazlink mock serve``) or in a thread (tests)."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


def check_loopback(host: str) -> None:
    """Refuse to listen anywhere but loopback: the mock holds test credentials and has no TLS."""
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = host == "localhost"
    if not ok:
        raise ValueError(f"the mock listens on loopback only (127.0.0.0/8, ::1, localhost), not {host}")


def serve(app: ASGIApp, host: str = "127.0.0.1", port: int = 8900) -> None:
    """Serve until interrupted."""
    check_loopback(host)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@contextmanager
def running(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` in a background thread for the duration of the block; yields its base URL."""
    check_loopback(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="hazlink-mock", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mock server did not start")
        time.sleep(0.01)
    sock = server.servers[0].sockets[0]
    bound_host, bound_port = sock.getsockname()[:2]
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
