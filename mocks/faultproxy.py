"""A TCP fault proxy on loopback that speaks Toxiproxy's vocabulary (reliability.md §2).

``FaultProxy`` sits between a client and a server, both on loopback, and applies Toxiproxy's eight
toxics by name, each to one direction (``upstream`` = client → server, ``downstream`` = server → client):

- ``latency`` (``latency_ms``, ``jitter_ms``): each chunk leaves latency ± jitter after it arrived
  (chunks are delayed side by side, not one after the other, as in Toxiproxy);
- ``down``: new connections are refused and open ones reset; at toxicity 1.0 (and after
  ``set_enabled(False)``) the listening socket is closed, so clients get ``ECONNREFUSED``; below 1.0 the
  chosen connections are accepted and reset at once. It ignores ``stream``;
- ``bandwidth`` (``rate_kbps``): at most that many KB/s, 1 KB = 1000 bytes as in Toxiproxy (0 = no limit);
- ``slow_close`` (``delay_ms``): a close (FIN) from one side is passed on that much later;
- ``timeout`` (``timeout_ms``): data is dropped; the connection is closed ``timeout_ms`` after the toxic
  took hold of it (0 = never: it hangs until the toxic is removed). A close still passes. (Toxiproxy
  restarts the timer on every chunk it drops; here it runs from the start);
- ``reset_peer`` (``timeout_ms``): on the first data, wait ``timeout_ms``, then reset both ends (TCP RST:
  ``SO_LINGER`` (1, 0) and close); that data is not forwarded;
- ``slicer`` (``average_size``, ``size_variation``, ``delay_us``): data cut into slices of average ± variation
  bytes (at least 1), ``delay_us`` apart;
- ``limit_data`` (``bytes``): the connection is closed once that many bytes went that way (counted from
  the start of the connection).

Toxics of one kind on one stream combine: delays add up, the smallest rate or limit wins, the first
slicer or reset_peer wins. A toxic applies to a connection with probability ``toxicity``, drawn once per
(connection, toxic name) from ``random.Random`` seeded with (seed, connection number, name), and jitter
and slice sizes come from one generator per (seed, connection, stream): connection *n* of two runs with
the same seed gets the same faults whatever the timing. Connections are numbered from 0 as accepted.

Everything is bounded: 32 KiB reads, 8 chunks in flight per direction, 256 connections (more are
refused), and ``stop()`` cancels every task. Only loopback addresses are accepted, as targets or to listen
on. The listener uses ``loop.add_reader``, so it needs a selector event loop (the default on Linux and
macOS). ``running_proxy`` runs one in a background thread for synchronous tests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import functools
import ipaddress
import logging
import math
import random
import socket
import struct
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Any, Literal, TypeVar, get_args

__all__ = ["FaultProxy", "Kind", "ProxyStats", "Stream", "Toxic", "running_proxy"]

Stream = Literal["upstream", "downstream"]
Kind = Literal["latency", "down", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data"]
STREAMS: tuple[Stream, ...] = get_args(Stream)

_ATTRIBUTES: dict[str, dict[str, float]] = {
    "latency": {"latency_ms": 0, "jitter_ms": 0},
    "down": {},
    "bandwidth": {"rate_kbps": 0},
    "slow_close": {"delay_ms": 0},
    "timeout": {"timeout_ms": 0},
    "reset_peer": {"timeout_ms": 0},
    "slicer": {"average_size": 1, "size_variation": 0, "delay_us": 0},
    "limit_data": {"bytes": 0},
}
"""Attributes of each kind with their defaults."""
_INTEGER = frozenset({"average_size", "size_variation", "delay_us", "bytes"})

READ_SIZE = 32 * 1024
QUEUE_CHUNKS = 8
MAX_CONNECTIONS = 256
CONNECT_TIMEOUT_S = 5.0
CLOSE_TIMEOUT_S = 1.0
CALL_TIMEOUT_S = 10.0

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
_Outcome = Literal["close", "reset", "abort"]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Toxic:
    """One toxic: its ``kind``, the direction it acts on, how often, and its attributes.

    ``attributes`` is checked against the kind (unknown keys, negative or non-finite values and
    fractional byte counts raise ``ValueError``) and completed with the kind's defaults. The class
    methods named after the kinds (``Toxic.latency(200, 50)``) build one with typed arguments and the
    name ``<kind>_<stream>``, as Toxiproxy does.
    """

    name: str
    kind: Kind
    stream: Stream = "downstream"
    toxicity: float = 1.0
    attributes: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("a toxic needs a non-empty name")
        if self.kind not in _ATTRIBUTES:
            raise ValueError(f"unknown toxic kind {self.kind!r}; one of {', '.join(_ATTRIBUTES)}")
        if self.stream not in STREAMS:
            raise ValueError(f"stream must be 'upstream' or 'downstream', not {self.stream!r}")
        if not _is_number(self.toxicity) or not 0.0 <= self.toxicity <= 1.0:
            raise ValueError(f"toxicity must be between 0.0 and 1.0, not {self.toxicity!r}")
        allowed = _ATTRIBUTES[self.kind]
        unknown = sorted(set(self.attributes) - set(allowed))
        if unknown:
            raise ValueError(f"{self.kind} takes {', '.join(allowed) or 'no attributes'}; not {', '.join(unknown)}")
        merged = {**allowed, **self.attributes}
        for key, value in merged.items():
            if not _is_number(value) or value < 0:
                raise ValueError(f"{self.kind}.{key} must be a finite number >= 0, not {value!r}")
            if key in _INTEGER and not isinstance(value, int):
                raise ValueError(f"{self.kind}.{key} must be an integer, not {value!r}")
        if self.kind == "slicer" and merged["average_size"] < 1:
            raise ValueError("slicer.average_size must be at least 1")
        object.__setattr__(self, "attributes", MappingProxyType(merged))

    @classmethod
    def _make(cls, kind: Kind, stream: Stream, toxicity: float, name: str | None, **attributes: float) -> Toxic:
        return cls(name or f"{kind}_{stream}", kind, stream, toxicity, attributes)

    @classmethod
    def latency(
        cls,
        latency_ms: float,
        jitter_ms: float = 0,
        *,
        stream: Stream = "downstream",
        toxicity: float = 1.0,
        name: str | None = None,
    ) -> Toxic:
        """Delay each chunk by ``latency_ms`` ± ``jitter_ms``."""
        return cls._make("latency", stream, toxicity, name, latency_ms=latency_ms, jitter_ms=jitter_ms)

    @classmethod
    def down(cls, *, toxicity: float = 1.0, name: str | None = None) -> Toxic:
        """Refuse new connections and reset open ones."""
        return cls._make("down", "downstream", toxicity, name or "down")

    @classmethod
    def bandwidth(
        cls, rate_kbps: float, *, stream: Stream = "downstream", toxicity: float = 1.0, name: str | None = None
    ) -> Toxic:
        """Forward at most ``rate_kbps`` KB/s (1 KB = 1000 bytes)."""
        return cls._make("bandwidth", stream, toxicity, name, rate_kbps=rate_kbps)

    @classmethod
    def slow_close(
        cls, delay_ms: float, *, stream: Stream = "downstream", toxicity: float = 1.0, name: str | None = None
    ) -> Toxic:
        """Pass a close on ``delay_ms`` late."""
        return cls._make("slow_close", stream, toxicity, name, delay_ms=delay_ms)

    @classmethod
    def timeout(
        cls, timeout_ms: float = 0, *, stream: Stream = "downstream", toxicity: float = 1.0, name: str | None = None
    ) -> Toxic:
        """Drop data; close after ``timeout_ms`` (0 = hang until removed)."""
        return cls._make("timeout", stream, toxicity, name, timeout_ms=timeout_ms)

    @classmethod
    def reset_peer(
        cls, timeout_ms: float = 0, *, stream: Stream = "downstream", toxicity: float = 1.0, name: str | None = None
    ) -> Toxic:
        """Reset the connection ``timeout_ms`` after the first data."""
        return cls._make("reset_peer", stream, toxicity, name, timeout_ms=timeout_ms)

    @classmethod
    def slicer(
        cls,
        average_size: int,
        size_variation: int = 0,
        delay_us: int = 0,
        *,
        stream: Stream = "downstream",
        toxicity: float = 1.0,
        name: str | None = None,
    ) -> Toxic:
        """Cut data into slices of ``average_size`` ± ``size_variation`` bytes, ``delay_us`` apart."""
        return cls._make(
            "slicer",
            stream,
            toxicity,
            name,
            average_size=average_size,
            size_variation=size_variation,
            delay_us=delay_us,
        )

    @classmethod
    def limit_data(
        cls, nbytes: int, *, stream: Stream = "downstream", toxicity: float = 1.0, name: str | None = None
    ) -> Toxic:
        """Close the connection once ``nbytes`` bytes went this way."""
        return cls._make("limit_data", stream, toxicity, name, bytes=nbytes)


@dataclass
class ProxyStats:
    """Counters since the proxy was built (``FaultProxy.stats`` hands out a copy).

    ``refused`` counts connections accepted and reset at once (a ``down`` toxic below toxicity 1.0, or
    too many connections); attempts made while the listener is closed never reach the proxy. ``reset``
    counts connections the proxy ended with a TCP RST (``reset_peer``, ``down``, ``set_enabled(False)``,
    or a server that could not be reached).
    """

    bytes_upstream: int = 0
    bytes_downstream: int = 0
    accepted: int = 0
    refused: int = 0
    reset: int = 0
    active: int = 0


def _draw(seed: int, number: int, name: str) -> float:
    # a string seed is hashed with SHA-512: the same in every process, whatever PYTHONHASHSEED says
    return random.Random(f"{seed}/{number}/{name}").random()


class _Link:
    """One client connection and its connection to the server."""

    def __init__(self, number: int, seed: int, stats: ProxyStats) -> None:
        self.number = number
        self.stats = stats
        self.seed = seed
        self.writers: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.timers: dict[str, asyncio.Task[None]] = {}
        self.draws: dict[str, float] = {}
        self.forwarded: dict[Stream, int] = dict.fromkeys(STREAMS, 0)
        self.rng = {s: random.Random(f"{seed}/{number}/{s}") for s in STREAMS}
        self.closed: set[Stream] = set()
        self.ended = asyncio.Event()
        self.outcome: _Outcome = "close"

    def applies(self, toxic: Toxic) -> bool:
        if toxic.name not in self.draws:
            self.draws[toxic.name] = _draw(self.seed, self.number, toxic.name)
        return self.draws[toxic.name] < toxic.toxicity

    def end(self, outcome: _Outcome) -> None:
        if not self.ended.is_set():
            self.outcome = outcome
            self.ended.set()
            if outcome == "reset":
                self.stats.reset += 1
            if outcome != "close":  # at once: a caller of set_enabled(False) must find them reset
                _shut(self.writers, outcome)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


def _loopback(host: str) -> str:
    """``host`` if it is a loopback address (``localhost`` becomes 127.0.0.1, never resolved)."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"the fault proxy works on loopback only (127.0.0.0/8, ::1), not {host!r}")
    return host


def _check_port(port: int, *, zero: bool) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not (0 if zero else 1) <= port <= 65535:
        raise ValueError(f"not a usable port: {port!r}")
    return port


def _reset_socket(sock: Any) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _shut(writers: list[asyncio.StreamWriter], outcome: _Outcome) -> None:
    """Start closing: gracefully (buffered data, then FIN), by reset (RST), or by dropping the buffers."""
    for writer in writers:
        if outcome == "close":
            writer.close()
        else:
            if outcome == "reset":
                _reset_socket(writer.get_extra_info("socket"))
            writer.transport.abort()


def _close_socket(sock: socket.socket, _: object) -> None:
    sock.close()


async def _sleep_ms(ms: float) -> None:
    if ms > 0:
        await asyncio.sleep(ms / 1000)


class FaultProxy:
    """A TCP proxy from a loopback port to a loopback server, applying toxics (see the module docstring).

    ``add``, ``remove``, ``clear``, ``set_enabled`` and ``stats`` may be called from any thread: from
    outside the proxy's event loop they run on it and wait for it.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
        seed: int = 0,
    ) -> None:
        self._upstream = (_loopback(upstream_host), _check_port(upstream_port, zero=False))
        self._host = _loopback(listen_host)
        self._port = _check_port(listen_port, zero=True)
        self._seed = seed
        self._toxics: dict[str, Toxic] = {}
        self._enabled = True
        self._stats = ProxyStats()
        self._links: dict[int, _Link] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._next = 0

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen (on ``listen_port``, or a free port when 0) and start forwarding."""
        if self._loop is not None:
            raise RuntimeError("the fault proxy is already running")
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        try:
            self._sync_listener()
        except BaseException:
            self._loop = self._thread = None
            raise

    async def stop(self) -> None:
        """Close the listener, end every connection and wait for every task; toxics are kept."""
        if self._loop is None:
            return
        loop, self._loop = self._loop, None
        try:
            self._close_listener(loop)
            for link in self._links.values():
                link.end("abort")
            while self._tasks:
                tasks = list(self._tasks)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._thread = None

    async def __aenter__(self) -> FaultProxy:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port the proxy listens on (known once started)."""
        if not self._port:
            raise RuntimeError("the fault proxy has no port before it is started")
        return self._port

    def url(self, scheme: str = "http") -> str:
        """``scheme://host:port`` of the proxy."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{scheme}://{host}:{self.port}"

    @property
    def toxics(self) -> tuple[Toxic, ...]:
        """The toxics in place, in the order they were added."""
        return self._call(lambda: tuple(self._toxics.values()))

    @property
    def stats(self) -> ProxyStats:
        """A copy of the counters."""
        return self._call(lambda: dataclasses.replace(self._stats, active=len(self._links)))

    # --- toxics ----------------------------------------------------------------------------------------

    def add(self, toxic: Toxic) -> str:
        """Put ``toxic`` in place, on open connections too; returns its name (``ValueError`` if taken)."""
        if not isinstance(toxic, Toxic):
            raise TypeError(f"expected a Toxic, not {type(toxic).__name__}")
        return self._call(lambda: self._add(toxic))

    def remove(self, name: str) -> None:
        """Take the toxic ``name`` away (``KeyError`` if there is none)."""
        self._call(lambda: self._remove(name))

    def clear(self) -> None:
        """Take every toxic away."""
        self._call(self._clear)

    def set_enabled(self, enabled: bool) -> None:
        """``False`` is the ``down`` state: the listener closes and open connections are reset.

        Called from another thread, it returns once the resets are sent; on the proxy's own loop they go
        out at the loop's next turn.
        """
        self._call(lambda: self._set_enabled(enabled))

    def _add(self, toxic: Toxic) -> str:
        if toxic.name in self._toxics:
            raise ValueError(f"a toxic named {toxic.name!r} is in place already; remove it first")
        self._toxics[toxic.name] = toxic
        for link in list(self._links.values()):
            self._arm(link, toxic)
        self._sync_listener()
        return toxic.name

    def _remove(self, name: str) -> None:
        del self._toxics[name]
        for link in self._links.values():
            timer = link.timers.pop(name, None)
            if timer is not None:
                timer.cancel()
        self._sync_listener()

    def _clear(self) -> None:
        for name in list(self._toxics):
            self._remove(name)

    def _set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        if not enabled:
            for link in self._links.values():
                link.end("reset")
        self._sync_listener()

    def _call(self, fn: Callable[[], _T]) -> _T:
        """Run ``fn`` on the proxy's loop and wait for it, unless already there (or not running)."""
        loop = self._loop
        if loop is None or self._thread == threading.get_ident():
            return fn()
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn()
            except BaseException as exc:
                loop.call_soon(future.set_exception, exc)
            else:
                # answered on the next turn, after the socket closes that fn scheduled (call_soon is FIFO)
                loop.call_soon(future.set_result, result)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=CALL_TIMEOUT_S)

    # --- listening -------------------------------------------------------------------------------------

    def _sync_listener(self) -> None:
        """Open or close the listening socket so that it matches the state (synchronously, on the loop)."""
        loop = self._loop
        if loop is None:
            return
        down = not self._enabled or any(t.kind == "down" and t.toxicity >= 1.0 for t in self._toxics.values())
        if down:
            self._close_listener(loop)
        elif self._listener is None:
            family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self._host, self._port))
                sock.listen(128)
                sock.setblocking(False)
                loop.add_reader(sock.fileno(), self._accept, sock)
            except BaseException:
                sock.close()
                raise
            self._port = sock.getsockname()[1]  # a re-enabled proxy listens on the same port
            self._listener = sock

    def _close_listener(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._listener is not None:
            loop.remove_reader(self._listener.fileno())
            self._listener.close()  # connections still in the backlog are reset by the kernel
            self._listener = None

    def _accept(self, sock: socket.socket) -> None:
        for _ in range(32):  # a batch, then back to the loop
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of file descriptors
                _log.warning("fault proxy: accept failed: %s", exc)
                return
            number, self._next = self._next, self._next + 1
            downs = [t for t in self._toxics.values() if t.kind == "down"]
            if len(self._links) >= MAX_CONNECTIONS or any(
                _draw(self._seed, number, t.name) < t.toxicity for t in downs
            ):
                _reset_socket(conn)
                conn.close()
                self._stats.refused += 1
                continue
            conn.setblocking(False)
            link = _Link(number, self._seed, self._stats)
            self._links[number] = link
            self._stats.accepted += 1
            task = self._spawn(self._run(link, conn))
            # a task cancelled before it ever ran (stop() right after an accept) still owns the socket
            task.add_done_callback(functools.partial(_close_socket, conn))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        assert self._loop is not None
        task = self._loop.create_task(coro)
        self._tasks.add(task)

        def done(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                _log.error("fault proxy: a connection failed: %r", t.exception())

        task.add_done_callback(done)
        return task

    # --- one connection --------------------------------------------------------------------------------

    def _arm(self, link: _Link, toxic: Toxic) -> None:
        """Start what ``toxic`` does to ``link`` without waiting for data (``down``, ``timeout``'s timer)."""
        if not link.applies(toxic):
            return
        if toxic.kind == "down":
            link.end("reset")
        elif toxic.kind == "timeout" and toxic.attributes["timeout_ms"] > 0:

            async def close_later() -> None:
                await _sleep_ms(toxic.attributes["timeout_ms"])
                link.end("close")

            link.timers[toxic.name] = link.spawn(close_later())

    async def _run(self, link: _Link, conn: socket.socket) -> None:
        writers = link.writers
        try:
            client_reader, client_writer = await asyncio.open_connection(sock=conn)
            writers.append(client_writer)
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can drop a connection made as it is cancelled
                async with asyncio.timeout(CONNECT_TIMEOUT_S):
                    server_reader, server_writer = await asyncio.open_connection(*self._upstream)
            except (OSError, TimeoutError) as exc:
                _log.info("fault proxy: cannot reach %s:%s: %s", *self._upstream, exc)
                link.end("reset")
                return
            writers.append(server_writer)
            upstream: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUE_CHUNKS)
            downstream: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUE_CHUNKS)
            link.spawn(self._read(link, client_reader, upstream))
            link.spawn(self._write(link, "upstream", upstream, server_writer))
            link.spawn(self._read(link, server_reader, downstream))
            link.spawn(self._write(link, "downstream", downstream, client_writer))
            for toxic in list(self._toxics.values()):
                self._arm(link, toxic)
            await link.ended.wait()
        finally:
            pending = [*link.tasks, *link.timers.values()]
            for task in pending:
                task.cancel()
            try:
                await asyncio.gather(*pending, return_exceptions=True)
            finally:
                # Even when stop() cancels this task while it waits above: _close shuts every transport
                # before its first await, so no socket outlives the proxy's event loop.
                self._links.pop(link.number, None)
                await self._close(writers, link.outcome)

    @staticmethod
    async def _close(writers: list[asyncio.StreamWriter], outcome: _Outcome) -> None:
        _shut(writers, outcome)
        for writer in writers:
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), CLOSE_TIMEOUT_S)
            writer.transport.abort()  # a no-op once closed; ends a close that could not flush

    async def _read(self, link: _Link, reader: asyncio.StreamReader, queue: asyncio.Queue[tuple[float, bytes]]) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await reader.read(READ_SIZE)
                await queue.put((loop.time(), data))  # blocks when full: back-pressure to the sender
                if not data:
                    return
        except OSError:
            link.end("abort")

    def _active(self, link: _Link, stream: Stream) -> list[Toxic]:
        return [t for t in self._toxics.values() if t.stream == stream and t.kind != "down" and link.applies(t)]

    async def _write(
        self, link: _Link, stream: Stream, queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
    ) -> None:
        loop = asyncio.get_running_loop()
        rng = link.rng[stream]
        pace = 0.0  # when the bandwidth budget allows the next byte out
        try:
            while True:
                arrived, data = await queue.get()
                toxics = self._active(link, stream)
                kinds = {t.kind for t in toxics}
                if not data:
                    await _sleep_ms(sum(t.attributes["delay_ms"] for t in toxics if t.kind == "slow_close"))
                    if writer.can_write_eof():
                        writer.write_eof()
                    link.closed.add(stream)
                    if len(link.closed) == len(STREAMS):
                        link.end("close")
                    return
                if "reset_peer" in kinds:
                    reset = next(t for t in toxics if t.kind == "reset_peer")
                    await _sleep_ms(reset.attributes["timeout_ms"])
                    link.end("reset")
                    return
                if "timeout" in kinds:
                    continue  # dropped on the floor, as Toxiproxy does
                delay = sum(
                    max(0.0, t.attributes["latency_ms"] + rng.uniform(-1, 1) * t.attributes["jitter_ms"])
                    for t in toxics
                    if t.kind == "latency"
                )
                if delay:
                    await asyncio.sleep(max(0.0, arrived + delay / 1000 - loop.time()))
                limits = [int(t.attributes["bytes"]) for t in toxics if t.kind == "limit_data"]
                if limits:
                    data = data[: max(0, min(limits) - link.forwarded[stream])]
                rates = [
                    t.attributes["rate_kbps"] for t in toxics if t.kind == "bandwidth" and t.attributes["rate_kbps"]
                ]
                rate = min(rates) * 1000 if rates else 0.0  # bytes per second
                slicer = next((t for t in toxics if t.kind == "slicer"), None)
                for piece in _slices(data, slicer, rng):
                    # pieces of at most 100 ms of the budget, each sent once its time has come
                    step = max(1, int(rate / 10)) if rate else len(piece)
                    for at in range(0, len(piece), step):
                        part = piece[at : at + step]
                        if rate:
                            pace = max(pace, loop.time()) + len(part) / rate
                            await asyncio.sleep(pace - loop.time())
                        writer.write(part)
                        await writer.drain()
                        link.forwarded[stream] += len(part)
                        if stream == "upstream":
                            self._stats.bytes_upstream += len(part)
                        else:
                            self._stats.bytes_downstream += len(part)
                    if slicer is not None and slicer.attributes["delay_us"]:
                        await asyncio.sleep(slicer.attributes["delay_us"] / 1e6)
                if limits and link.forwarded[stream] >= min(limits):
                    link.end("close")
                    return
        except OSError:
            link.end("abort")


def _slices(data: bytes, slicer: Toxic | None, rng: random.Random) -> Iterator[bytes]:
    if slicer is None:
        if data:
            yield data
        return
    average, variation = int(slicer.attributes["average_size"]), int(slicer.attributes["size_variation"])
    at = 0
    while at < len(data):
        size = max(1, average + (rng.randint(-variation, variation) if variation else 0))
        yield data[at : at + size]
        at += size


@contextlib.contextmanager
def running_proxy(
    upstream_port: int,
    seed: int = 0,
    *,
    upstream_host: str = "127.0.0.1",
    listen_host: str = "127.0.0.1",
    listen_port: int = 0,
) -> Iterator[FaultProxy]:
    """Run a ``FaultProxy`` to ``upstream_port`` in a background thread with its own event loop.

    The proxy is listening when the block starts; its ``add``, ``remove``, ``clear``, ``set_enabled`` and
    ``stats`` are safe to call from the test's thread. On exit the proxy stops and the thread is joined
    (``RuntimeError`` if it does not end within 10 s).
    """
    proxy = FaultProxy(upstream_host, upstream_port, listen_host=listen_host, listen_port=listen_port, seed=seed)
    started = threading.Event()
    handle: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
    failure: list[BaseException] = []

    async def main() -> None:
        stopping = asyncio.Event()
        try:
            await proxy.start()
        except Exception as exc:
            failure.append(exc)
            return
        finally:
            handle.append((asyncio.get_running_loop(), stopping))
            started.set()
        try:
            await stopping.wait()
        finally:
            await proxy.stop()

    thread = threading.Thread(target=lambda: asyncio.run(main()), name="hazlink-faultproxy", daemon=True)
    thread.start()
    if not started.wait(timeout=10):
        raise RuntimeError("the fault proxy thread did not start")
    try:
        if failure:
            raise failure[0]
        yield proxy
    finally:
        loop, stopping = handle[0]
        with contextlib.suppress(RuntimeError):  # the loop is gone already if start failed
            loop.call_soon_threadsafe(stopping.set)
        thread.join(timeout=10)
        if thread.is_alive():
            raise RuntimeError("the fault proxy thread did not stop")
