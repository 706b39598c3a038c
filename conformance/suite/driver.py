"""The driver protocol: how the suite asks a system under test to perform business events.

A system under test (SUT) exposes five calls, over HTTP/JSON (``HttpDriver``) or as a Python object
(any class with these methods, for in-process subjects):

``GET  /driver/v1/info``     → ``SutInfo``: name, version, the events it performs, capabilities
``POST /driver/v1/session``  ← ``Session``: the national base URL, app key and secret to use this run
``POST /driver/v1/events``   ← ``Event`` → ``EventResult``: perform one business event in the local system
``GET  /driver/v1/status``   → ``SutStatus``: records not yet delivered (backlog), whether it is idle
``POST /driver/v1/stop``     end of the run: stop delivering, release resources

Events carry contract-form records (plain JSON, WGS-84 coordinates, tonnes); the SUT stores them in its
own local form (its own keys, units, datum) exactly as a user of the local system would, and its
integration must bring them to the national system. Every event has a ``correlation_id`` the SUT
echoes. Event names:

- ``label.issue`` ``{"request": LabelRequest}`` → result ``{"label_id": "…"}`` (the SUT asks the
  national system for the label code, as a unit printing a label does)
- ``ledger.record`` ``{"record": LedgerRecord}`` (any of the five kinds; a record with the natural key of
  an earlier one is a correction)
- ``manifest.save`` ``{"manifest": Manifest}`` (``manifest_no`` is the local number; the status says
  how far the manifest has got: draft, submitted, in_transit, received, rejected, cancelled)
- ``manifest.track`` ``{"local_ref": "…", "points": [TrackPoint, …]}`` (GPS fixes of the vehicle)
- ``operation.record`` ``{"record": OperationRecord}``; ``operation.report`` ``{"report": OperationReport}``

An event the SUT cannot perform answers ``status = "unsupported"``; the scenario using it fails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "EVENTS",
    "Driver",
    "DriverError",
    "Event",
    "EventResult",
    "HttpDriver",
    "Session",
    "SutInfo",
    "SutStatus",
]

EVENTS = ("label.issue", "ledger.record", "manifest.save", "manifest.track", "operation.record", "operation.report")


class DriverError(Exception):
    """The driver did not answer as the protocol says (a harness error, exit status 2)."""


class SutInfo(BaseModel):
    """Who the system under test is and what it can do."""

    name: str = Field(min_length=1, max_length=100)
    version: str = Field(min_length=1, max_length=50)
    events: list[str] = Field(default_factory=lambda: list(EVENTS))
    capabilities: list[str] = Field(
        default_factory=list,
        description="shared_clock: an in-process subject that reads the suite's business clock",
    )


class Session(BaseModel):
    """Where and as whom the SUT delivers this run. The secret is for the SUT's signer only."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    national_url: str
    app_key: str
    app_secret: str = Field(repr=False)


class Event(BaseModel):
    """One business event to perform in the local system."""

    correlation_id: str
    event: str
    data: dict[str, Any]


class EventResult(BaseModel):
    """The SUT's answer to an event."""

    correlation_id: str
    status: Literal["done", "unsupported", "failed"]
    result: dict[str, Any] = Field(default_factory=dict)
    message: str | None = None


class SutStatus(BaseModel):
    """Records the SUT still has to deliver."""

    backlog: int = Field(ge=0)
    idle: bool = True
    dead_letters: int = Field(default=0, ge=0)


class Driver(Protocol):
    """What the runner needs from a system under test (HTTP or in-process)."""

    def info(self) -> SutInfo:
        """Identity and capabilities."""
        ...

    def start(self, session: Session, clock: Callable[[], datetime] | None = None) -> None:
        """Begin a run: deliver to ``session.national_url``; ``clock`` is the business clock (shared_clock)."""
        ...

    def perform(self, event: Event) -> EventResult:
        """Perform one business event in the local system."""
        ...

    def status(self) -> SutStatus:
        """What is left to deliver."""
        ...

    def stop(self) -> None:
        """End of the run."""
        ...


class HttpDriver:
    """The driver protocol over HTTP/JSON (``--driver URL``)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def _call(self, method: str, path: str, model: type[BaseModel] | None, body: BaseModel | None = None) -> Any:
        try:
            response = self.http.request(
                method,
                f"/driver/v1/{path}",
                content=body.model_dump_json() if body is not None else None,
                headers={"Content-Type": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise DriverError(f"driver {self.base_url}: {method} /driver/v1/{path} failed: {exc}") from exc
        if response.status_code >= 400:
            raise DriverError(
                f"driver {self.base_url}: {method} /driver/v1/{path} answered {response.status_code}: "
                f"{response.text[:300]}"
            )
        if model is None:
            return None
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise DriverError(f"driver {self.base_url}: /driver/v1/{path} answered an unexpected body: {exc}") from exc

    def info(self) -> SutInfo:
        """``GET /driver/v1/info``."""
        result: SutInfo = self._call("GET", "info", SutInfo)
        return result

    def start(self, session: Session, clock: Callable[[], datetime] | None = None) -> None:
        """``POST /driver/v1/session`` (an HTTP subject keeps its own clock)."""
        self._call("POST", "session", None, session)

    def perform(self, event: Event) -> EventResult:
        """``POST /driver/v1/events``."""
        result: EventResult = self._call("POST", "events", EventResult, event)
        if result.correlation_id != event.correlation_id:
            raise DriverError(
                f"driver answered correlation id {result.correlation_id!r} to event {event.correlation_id!r}"
            )
        return result

    def status(self) -> SutStatus:
        """``GET /driver/v1/status``."""
        result: SutStatus = self._call("GET", "status", SutStatus)
        return result

    def stop(self) -> None:
        """``POST /driver/v1/stop``, then close the connection."""
        try:
            self._call("POST", "stop", None)
        finally:
            self.http.close()

    def close(self) -> None:
        """Close the connection without telling the driver (after a protocol error)."""
        self.http.close()
