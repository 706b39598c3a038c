"""The loopback fault proxy: Toxiproxy's eight toxics, each checked against a real loopback server.

Async tests drive a tiny asyncio echo server through a ``FaultProxy`` on the same loop; sync tests drive
a Starlette app served by uvicorn (``mocks.national.server.running``) through ``running_proxy`` with an
httpx client. Time bounds are generous: at least the configured delay, never less than 5x above it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from mocks.faultproxy import FaultProxy, Toxic, running_proxy
from mocks.national.server import running

T = TypeVar("T")
LOOP = "127.0.0.1"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


# --- an asyncio echo server ----------------------------------------------------------------------------


@dataclass
class Echo:
    """What the echo server saw: the size of every read, and how many connections it served."""

    port: int = 0
    reads: list[int] = field(default_factory=list)
    connections: int = 0


@contextlib.asynccontextmanager
async def echo_server(*, greeting: bytes | None = None) -> AsyncIterator[Echo]:
    """Echo everything back until EOF; with ``greeting``, send it and close instead."""
    echo = Echo()
    handlers: set[asyncio.Task[Any]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.add(asyncio.current_task())  # type: ignore[arg-type]
        echo.connections += 1
        try:
            if greeting is not None:
                writer.write(greeting)
                await writer.drain()
                return
            while data := await reader.read(65536):
                echo.reads.append(len(data))
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, LOOP, 0)
    echo.port = server.sockets[0].getsockname()[1]
    try:
        yield echo
    finally:
        server.close()
        await server.wait_closed()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)


@contextlib.asynccontextmanager
async def connect(port: int) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection(LOOP, port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def round_trip(port: int, data: bytes) -> bytes:
    """Send ``data`` and half-close while reading everything that comes back, until EOF."""
    async with connect(port) as (reader, writer):

        async def send() -> None:
            writer.write(data)
            await writer.drain()
            writer.write_eof()

        _, got = await asyncio.gather(send(), reader.read())
        return got


# --- an HTTP server ------------------------------------------------------------------------------------


async def hello(request: Request) -> Response:
    request.app.state.hits.append(request.url.path)
    return PlainTextResponse("hello")


async def echo_body(request: Request) -> Response:
    request.app.state.hits.append(request.url.path)
    return Response(await request.body(), media_type="application/octet-stream")


async def some_bytes(request: Request) -> Response:
    request.app.state.hits.append(request.url.path)
    return Response(payload(int(request.path_params["n"]), seed=1), media_type="application/octet-stream")


@dataclass
class Http:
    port: int
    hits: list[str]


@pytest.fixture(scope="module")
def _http_app() -> Iterator[tuple[int, Starlette]]:
    app = Starlette(
        routes=[
            Route("/hello", hello),
            Route("/echo", echo_body, methods=["POST"]),
            Route("/bytes/{n:int}", some_bytes),
        ]
    )
    app.state.hits = []
    with running(app) as url:
        yield int(url.rsplit(":", 1)[1]), app


@pytest.fixture
def http(_http_app: tuple[int, Starlette]) -> Http:
    port, app = _http_app
    app.state.hits.clear()
    return Http(port, app.state.hits)


@contextlib.contextmanager
def client(base_url: str, timeout: float = 5.0) -> Iterator[httpx.Client]:
    # trust_env=False: no proxy from the environment may step in between
    with httpx.Client(base_url=base_url, timeout=timeout, trust_env=False) as c:
        yield c


# --- clean pass-through --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 1000, 65_537, 1_000_000])
def test_clean_pass_through_is_byte_identical_both_ways(size: int) -> None:
    async def go() -> None:
        data = payload(size, seed=size)
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            assert await round_trip(proxy.port, data) == data
            stats = proxy.stats
            assert (stats.bytes_upstream, stats.bytes_downstream, stats.accepted) == (size, size, 1)

    run(go())


def test_clean_http_pass_through_is_byte_identical(http: Http) -> None:
    body = payload(1_000_000, seed=3)
    with running_proxy(http.port) as proxy, client(proxy.url()) as c:
        assert c.post("/echo", content=body).content == body
        assert c.get("/bytes/1000000").content == payload(1_000_000, seed=1)
    assert http.hits == ["/echo", "/bytes/1000000"]


# --- latency -------------------------------------------------------------------------------------------


def test_latency_adds_at_least_the_configured_delay_each_way() -> None:
    async def go() -> None:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            async with connect(proxy.port) as (reader, writer):
                start = time.monotonic()
                writer.write(b"ping")
                assert await reader.readexactly(4) == b"ping"
                baseline = time.monotonic() - start
            proxy.add(Toxic.latency(100, stream="upstream"))
            proxy.add(Toxic.latency(150, 50, stream="downstream"))
            async with connect(proxy.port) as (reader, writer):
                start = time.monotonic()
                writer.write(b"ping")
                assert await reader.readexactly(4) == b"ping"
                elapsed = time.monotonic() - start
        assert baseline < 0.1
        assert 0.2 <= elapsed < 5 * 0.3  # 100 + (150 - 50) at least

    run(go())


def test_latency_delays_chunks_side_by_side_not_one_after_another() -> None:
    async def go() -> None:
        data = payload(1_000_000)
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.latency(100))
            start = time.monotonic()
            assert await round_trip(proxy.port, data) == data
            elapsed = time.monotonic() - start
        # 31 chunks of 32 KiB delayed one after another would take 3.1 s
        assert 0.1 <= elapsed < 2.0

    run(go())


# --- bandwidth -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", ["upstream", "downstream"])
def test_bandwidth_makes_64_kb_take_at_least_the_expected_time(stream: Any) -> None:
    async def go() -> float:
        data = payload(65_536)
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.bandwidth(128, stream=stream))
            start = time.monotonic()
            assert await round_trip(proxy.port, data) == data
            return time.monotonic() - start

    expected = 65_536 / 128_000  # 1 KB = 1000 bytes, as in Toxiproxy
    assert expected <= run(go()) < 5 * expected


# --- slicer --------------------------------------------------------------------------------------------


def test_slicer_with_1_byte_slices_delivers_byte_identical_data() -> None:
    async def go() -> None:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.slicer(1, stream="upstream"))
            proxy.add(Toxic.slicer(1, stream="downstream"))
            data = payload(20_000)
            assert await round_trip(proxy.port, data) == data
            proxy.clear()
            proxy.add(Toxic.slicer(10, 9, stream="upstream"))
            assert await round_trip(proxy.port, data) == data

    run(go())


def test_slicer_delay_makes_the_server_see_small_pieces() -> None:
    async def go() -> list[int]:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.slicer(1, delay_us=2000, stream="upstream"))
            data = payload(40)
            assert await round_trip(proxy.port, data) == data
            return echo.reads

    reads = run(go())
    assert sum(reads) == 40 and len(reads) >= 10, reads


def test_slicer_with_1_byte_slices_keeps_http_parseable(http: Http) -> None:
    body = payload(3000, seed=5)
    with running_proxy(http.port) as proxy, client(proxy.url()) as c:
        proxy.add(Toxic.slicer(1, stream="upstream"))
        proxy.add(Toxic.slicer(1, stream="downstream"))
        resp = c.post("/echo", content=body, headers={"X-Padding": "x" * 200})
        assert resp.status_code == 200 and resp.content == body
        resp = c.get("/hello")
        assert resp.status_code == 200 and resp.text == "hello"


# --- limit_data ----------------------------------------------------------------------------------------


def test_limit_data_truncates_then_closes() -> None:
    async def go() -> None:
        data = payload(5000)
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.limit_data(1000))
            assert await round_trip(proxy.port, data) == data[:1000]
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.limit_data(1234, stream="upstream"))
            # the whole connection closes: whatever the server echoed and is still on its way back is lost
            assert data[:1234].startswith(await round_trip(proxy.port, data))
            for _ in range(100):
                if sum(echo.reads) >= 1234:
                    break
                await asyncio.sleep(0.01)
            assert sum(echo.reads) == 1234

    run(go())


def test_limit_data_gives_httpx_an_incomplete_body(http: Http) -> None:
    with running_proxy(http.port) as proxy, client(proxy.url()) as c:
        proxy.add(Toxic.limit_data(500))
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            c.get("/bytes/5000")
        assert http.hits == ["/bytes/5000"]  # the server answered; the client never got it all
        proxy.remove("limit_data_downstream")
        assert c.get("/bytes/5000").content == payload(5000, seed=1)


# --- reset_peer ----------------------------------------------------------------------------------------


def test_reset_peer_resets_the_connection() -> None:
    async def go() -> None:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.reset_peer(200))
            async with connect(proxy.port) as (reader, writer):
                start = time.monotonic()
                writer.write(b"ping")
                with pytest.raises(ConnectionResetError):
                    await reader.read(10)
                assert 0.2 <= time.monotonic() - start < 1.0
            assert echo.reads == [4]  # the request got through; the answer did not
            assert proxy.stats.reset == 1

    run(go())


def test_reset_peer_after_the_server_answered_is_a_read_error_in_httpx(http: Http) -> None:
    # scenario 3: the server committed, the client sees the connection reset by peer
    with running_proxy(http.port) as proxy, client(proxy.url()) as c:
        proxy.add(Toxic.reset_peer())
        with pytest.raises(httpx.ReadError) as caught:
            c.post("/echo", content=b"commit me")
        assert "reset" in str(caught.value).lower()
        assert http.hits == ["/echo"]
        proxy.clear()
        assert c.get("/hello").text == "hello"


# --- timeout -------------------------------------------------------------------------------------------


def test_timeout_longer_than_the_client_timeout_is_a_read_timeout(http: Http) -> None:
    with running_proxy(http.port) as proxy, client(proxy.url(), timeout=0.3) as c:
        proxy.add(Toxic.timeout(5000))
        start = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            c.get("/hello")
        assert 0.3 <= time.monotonic() - start < 1.5
        assert http.hits == ["/hello"]  # the answer was dropped on its way back
        proxy.remove("timeout_downstream")
        assert c.get("/hello").text == "hello"


def test_timeout_drops_data_and_closes_after_timeout_ms() -> None:
    async def go() -> None:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.timeout(300, stream="upstream"))
            async with connect(proxy.port) as (reader, writer):
                start = time.monotonic()
                writer.write(b"lost")
                assert await reader.read() == b""  # EOF, nothing echoed
                assert 0.3 <= time.monotonic() - start < 1.5
            assert echo.reads == []

    run(go())


def test_timeout_0_hangs_until_removed() -> None:
    async def go() -> None:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            proxy.add(Toxic.timeout(0, name="hang"))
            async with connect(proxy.port) as (reader, writer):
                writer.write(b"one")
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(reader.read(10), 0.3)
                proxy.remove("hang")
                writer.write(b"two")
                assert await reader.readexactly(3) == b"two"  # "one" was dropped

    run(go())


# --- down ----------------------------------------------------------------------------------------------


def test_down_refuses_connections_and_enabling_again_works(http: Http) -> None:
    with running_proxy(http.port) as proxy:
        url, port = proxy.url(), proxy.port
        with client(url) as c:
            assert c.get("/hello").status_code == 200
            proxy.set_enabled(False)
            with pytest.raises(httpx.ConnectError):
                c.get("/hello")
            proxy.set_enabled(True)
            assert proxy.port == port
            assert c.get("/hello").status_code == 200
            proxy.add(Toxic.down())
            with pytest.raises(httpx.ConnectError):
                c.get("/hello")
            with pytest.raises(ConnectionRefusedError), socket.create_connection((LOOP, port), timeout=2):
                pass
            proxy.remove("down")
            assert c.get("/hello").status_code == 200


def test_down_drops_open_connections() -> None:
    async def go() -> None:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port) as proxy:
            async with connect(proxy.port) as (reader, writer):
                writer.write(b"ping")
                assert await reader.readexactly(4) == b"ping"
                proxy.set_enabled(False)
                with pytest.raises(ConnectionResetError):
                    await reader.read(10)
            with pytest.raises(ConnectionRefusedError):
                await asyncio.open_connection(LOOP, proxy.port)
            assert proxy.stats.reset == 1

    run(go())


# --- slow_close ----------------------------------------------------------------------------------------


def test_slow_close_delays_the_close() -> None:
    async def close_delay(proxy: FaultProxy) -> float:
        # timed from before connecting: the greeter closes at once, the proxy passes the close on later
        start = time.monotonic()
        async with connect(proxy.port) as (reader, _):
            assert await reader.readexactly(3) == b"bye"
            assert await reader.read() == b""
            return time.monotonic() - start

    async def go() -> tuple[float, float]:
        async with echo_server(greeting=b"bye") as greeter, FaultProxy(LOOP, greeter.port) as proxy:
            baseline = await close_delay(proxy)
            proxy.add(Toxic.slow_close(300))
            return baseline, await close_delay(proxy)

    baseline, delayed = run(go())
    # relative to the same connection without the toxic, so that a slow, loaded machine does not fail it
    assert 0.3 <= delayed < baseline + 1.5
    assert delayed - baseline >= 0.2


# --- toxicity ------------------------------------------------------------------------------------------


async def cut_connections(seed: int, toxicity: float, count: int = 24) -> list[bool]:
    """Which of ``count`` connections, one after another, a ``limit_data`` of 0 bytes cut."""
    async with echo_server() as echo, FaultProxy(LOOP, echo.port, seed=seed) as proxy:
        proxy.add(Toxic.limit_data(0, toxicity=toxicity))
        cut = []
        for _ in range(count):
            async with connect(proxy.port) as (reader, writer):
                writer.write(b"x")
                got = await reader.read(1)
                assert got in (b"", b"x")
                cut.append(got == b"")
        return cut


def test_toxicity_0_never_applies() -> None:
    assert run(cut_connections(seed=1, toxicity=0.0)) == [False] * 24


def test_a_seeded_half_toxicity_applies_to_the_same_connections_on_two_runs() -> None:
    first = run(cut_connections(seed=7, toxicity=0.5))
    assert run(cut_connections(seed=7, toxicity=0.5)) == first
    assert any(first) and not all(first)
    assert run(cut_connections(seed=8, toxicity=0.5)) != first


def test_a_seeded_half_down_refuses_the_same_connections_on_two_runs() -> None:
    async def refused(seed: int) -> tuple[list[bool], int]:
        async with echo_server() as echo, FaultProxy(LOOP, echo.port, seed=seed) as proxy:
            proxy.add(Toxic.down(toxicity=0.5))
            out = []
            for _ in range(16):
                # reset at once: seen while connecting, at the first read, or as EOF
                try:
                    async with connect(proxy.port) as (reader, writer):
                        writer.write(b"x")
                        out.append(await reader.read(1) != b"x")
                except ConnectionResetError:
                    out.append(True)
            return out, proxy.stats.refused

    first, count = run(refused(3))
    assert run(refused(3)) == (first, count)
    assert count == sum(first) and 0 < count < 16


# --- the API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "0.0.0.0", "192.168.1.20", "8.8.8.8", "::", "::ffff:127.0.0.1", "example.com"]
)
def test_only_loopback_addresses(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(host, 8900)
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(LOOP, 8900, listen_host=host)
    with pytest.raises(ValueError, match="loopback"), running_proxy(8900, upstream_host=host):
        pass


def test_loopback_addresses_are_accepted() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "localhost"):
        FaultProxy(host, 8900, listen_host=host)


@pytest.mark.parametrize(
    ("kind", "attributes", "toxicity"),
    [
        ("poison", {}, 1.0),
        ("latency", {"latency": 100}, 1.0),
        ("latency", {"latency_ms": -1}, 1.0),
        ("latency", {"latency_ms": float("nan")}, 1.0),
        ("limit_data", {"bytes": 1.5}, 1.0),
        ("slicer", {"average_size": 0}, 1.0),
        ("down", {"timeout_ms": 1}, 1.0),
        ("bandwidth", {"rate_kbps": 1}, 1.5),
        ("bandwidth", {"rate_kbps": True}, 1.0),
    ],
)
def test_a_bad_toxic_is_refused(kind: Any, attributes: dict[str, Any], toxicity: float) -> None:
    with pytest.raises(ValueError):
        Toxic("t", kind, "downstream", toxicity, attributes)


def test_toxics_are_named_completed_with_defaults_and_managed_by_name() -> None:
    toxic = Toxic.slicer(5, stream="upstream")
    assert (toxic.name, toxic.kind, toxic.stream, toxic.toxicity) == ("slicer_upstream", "slicer", "upstream", 1.0)
    assert dict(toxic.attributes) == {"average_size": 5, "size_variation": 0, "delay_us": 0}
    assert Toxic("lag", "latency", attributes={"latency_ms": 5}).attributes["jitter_ms"] == 0
    proxy = FaultProxy(LOOP, 8900)
    assert proxy.add(toxic) == "slicer_upstream"
    with pytest.raises(ValueError, match="already"):
        proxy.add(Toxic.slicer(9, stream="upstream"))
    with pytest.raises(KeyError):
        proxy.remove("nothing")
    proxy.add(Toxic.latency(10, name="lag"))
    assert [t.name for t in proxy.toxics] == ["slicer_upstream", "lag"]
    proxy.clear()
    assert proxy.toxics == ()


def test_the_threaded_proxy_passes_errors_back_to_the_caller(http: Http) -> None:
    with running_proxy(http.port, seed=4) as proxy:
        proxy.add(Toxic.latency(1))
        with pytest.raises(ValueError, match="already"):
            proxy.add(Toxic.latency(2))
        with pytest.raises(KeyError):
            proxy.remove("nothing")


# --- stopping ------------------------------------------------------------------------------------------


def test_stop_leaves_no_task_running() -> None:
    def ours() -> set[asyncio.Task[Any]]:
        return {t for t in asyncio.all_tasks() if t.get_coro().__qualname__.startswith("FaultProxy")}  # type: ignore[union-attr]

    async def go() -> None:
        async with echo_server() as echo:
            proxy = FaultProxy(LOOP, echo.port)
            await proxy.start()
            proxy.add(Toxic.timeout(10_000, stream="upstream", name="timer"))
            proxy.add(Toxic.latency(10_000))
            async with connect(proxy.port) as (r1, w1), connect(proxy.port) as (r2, w2):
                w1.write(b"held")
                w2.write(b"held")
                await asyncio.sleep(0.1)
                assert proxy.stats.active == 2 and ours()
                await proxy.stop()
                assert ours() == set()
                for reader in (r1, r2):
                    with contextlib.suppress(ConnectionResetError):
                        assert await asyncio.wait_for(reader.read(), 1) == b""
            with pytest.raises(ConnectionRefusedError):
                await asyncio.open_connection(LOOP, proxy.port)
        assert asyncio.all_tasks() == {asyncio.current_task()}

    run(go())


def test_running_proxy_leaves_no_thread_behind(http: Http) -> None:
    before = set(threading.enumerate())
    with running_proxy(http.port) as proxy:
        proxy.add(Toxic.timeout(0))
        open_socket = socket.create_connection((LOOP, proxy.port), timeout=2)
        open_socket.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        assert any(t.name == "hazlink-faultproxy" for t in threading.enumerate())
    try:
        assert set(threading.enumerate()) == before
        open_socket.settimeout(2)
        with contextlib.suppress(ConnectionResetError):
            assert open_socket.recv(10) == b""
    finally:
        open_socket.close()
