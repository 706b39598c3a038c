"""Settings of the mock national API, and its clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from contracts.identifiers import DEFAULT_LABEL_SCHEME, LabelIdScheme

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass
class MockConfig:
    """How strict and how large the mock is. Defaults model a demanding national system."""

    control: bool = False
    """Serve the inspection and control API under ``/_mock``."""
    control_token: str | None = None
    """When set, ``/_mock`` requests must carry it in ``X-Hz-Admin-Token``."""
    max_body_bytes: int = 4 * 1024 * 1024
    max_batch: int = 500
    rate_per_second: float = 200.0
    """Sustained requests per second per app key; above it, 429 with Retry-After."""
    burst: int = 400
    timestamp_window_s: int = 300
    nonce_ttl_s: int = 900
    idempotency_ttl_s: int = 24 * 3600
    label_scheme: LabelIdScheme = field(default_factory=lambda: DEFAULT_LABEL_SCHEME)
    label_url: str = "https://gfxt.hazlink.example/label/"
    """Prefix of the URL a label's QR code encodes."""


class MockClock:
    """Business time of the mock: real time plus an offset, or frozen. Signatures always use real time."""

    def __init__(self) -> None:
        self.offset = timedelta()
        self.frozen: datetime | None = None

    def now(self) -> datetime:
        """The mock's current time, in China Standard Time."""
        if self.frozen is not None:
            return self.frozen
        return (datetime.now(UTC) + self.offset).astimezone(CHINA)

    def set(self, when: datetime, *, freeze: bool = False) -> None:
        """Jump to ``when``; keep running from there unless ``freeze``."""
        if freeze:
            self.frozen = when.astimezone(CHINA)
        else:
            self.frozen = None
            self.offset = when - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""
        if self.frozen is not None:
            self.frozen += timedelta(seconds=seconds)
        else:
            self.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        """Back to real time."""
        self.offset = timedelta()
        self.frozen = None
