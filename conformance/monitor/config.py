"""The monitor's configuration: one TOML file naming both sides, the schedule, thresholds, alerts and history.

::

    [local]                      # an adapter reading the local system ...
    profile = "enterprise-csv"
    source = "exports/"
    settings = { settle_seconds = 0 }
    # files = { ledger-records = "ledger.ndjson" }  # ... or NDJSON exports by resource (a file side)
    # files = { manifests = "manifests.ndjson", tracks = "tracks.ndjson" }  # tracks: TrackBatch lines

    [national]
    base_url = "http://127.0.0.1:8900"
    app_key = "demo"
    secret_file = "demo.secret"  # read when the monitor starts, never logged

    [monitor]
    resources = ["ledger-records", "manifests"]
    interval_seconds = 300
    history = "sqlite:monitor.db"  # or postgresql://user:pass@host/db

    [thresholds]
    completeness_pct_min = 99.5
    accuracy_pct_min = 99.0
    lag_p95_max_seconds = 3600
    backlog_max = 100
    overdue_max = 0

    [alerts]
    webhook = "http://127.0.0.1:9000/hook"

Relative paths are taken from the folder of the configuration file. Every error names its key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "RESOURCES",
    "TRACKS",
    "AlertsConfig",
    "ConfigError",
    "LocalConfig",
    "MonitorConfig",
    "NationalConfig",
    "ScheduleConfig",
    "Thresholds",
    "load_config",
]

RESOURCES = ("labels", "ledger-records", "manifests", "operation-records")
"""Resources the monitor can reconcile, named as the national API names them."""

TRACKS = "tracks"
"""The ``files`` key of the manifests' local tracks (NDJSON ``TrackBatch`` lines, ``manifest_no`` = local ref)."""


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalConfig(_Section):
    """The local side: an adapter (``profile`` + ``source`` + ``settings``) or NDJSON export ``files``."""

    name: str = "local"
    profile: str | None = None
    source: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    files: dict[str, Path] = Field(default_factory=dict, description="Resource → NDJSON export of contract records")

    @model_validator(mode="after")
    def _one_kind(self) -> LocalConfig:
        if bool(self.files) == bool(self.profile):
            raise ValueError("give either profile (with source) or files, not both and not neither")
        if self.profile and not self.source:
            raise ValueError("source is required with profile")
        unknown = [r for r in self.files if r not in (*RESOURCES, TRACKS)]
        if unknown:
            known = ", ".join((*RESOURCES, TRACKS))
            raise ValueError(f"files: unknown resource(s) {', '.join(unknown)}; known: {known}")
        return self


class NationalConfig(_Section):
    """The national query API; the secret stays in its file until a cycle signs a request."""

    name: str = "national"
    base_url: str
    app_key: str = Field(min_length=1)
    secret_file: Path
    timeout_seconds: float = Field(default=30.0, gt=0)
    units: list[str] | None = Field(default=None, description="Watch only these units (default: every unit in scope)")

    @field_validator("base_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    def secret(self) -> str:
        """The app secret read from ``secret_file`` (a ``ConfigError`` naming the key if unreadable or empty)."""
        try:
            text = self.secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"national.secret_file: cannot read {self.secret_file}: {exc.strerror}") from None
        if not text:
            raise ConfigError(f"national.secret_file: {self.secret_file} is empty")
        return text


class ScheduleConfig(_Section):
    """What is compared, how often, and where cycles are kept."""

    resources: list[str] = Field(default_factory=lambda: list(RESOURCES), min_length=1)
    interval_seconds: float = Field(default=300.0, ge=1.0)
    limit: int = Field(default=1000, ge=1, description="Differences kept per resource and cycle")
    history: str = "sqlite:hazlink-monitor.db"
    keep_days: int = Field(default=90, ge=1)

    @field_validator("resources")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [r for r in value if r not in RESOURCES]
        if unknown:
            raise ValueError(f"unknown resource(s) {', '.join(unknown)}; known: {', '.join(RESOURCES)}")
        return value

    @field_validator("history")
    @classmethod
    def _store(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql://", "postgres://")):
            raise ValueError("write sqlite:PATH or postgresql://user:pass@host/db")
        return value


class Thresholds(_Section):
    """Breaching any of these fails the cycle and fires an alert."""

    completeness_pct_min: float = Field(default=100.0, ge=0, le=100)
    accuracy_pct_min: float = Field(default=100.0, ge=0, le=100)
    lag_p95_max_seconds: float = Field(default=3600.0, ge=0)
    backlog_max: int = Field(default=0, ge=0)
    overdue_max: int = Field(default=0, ge=0)


class AlertsConfig(_Section):
    """Where alerts go besides the log."""

    webhook: str | None = None
    timeout_seconds: float = Field(default=5.0, gt=0)

    @field_validator("webhook")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class MonitorConfig(_Section):
    """A whole ``monitor.toml``."""

    local: LocalConfig
    national: NationalConfig
    monitor: ScheduleConfig = Field(default_factory=ScheduleConfig)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)


def _key(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _rebase(doc: dict[str, Any], base: Path) -> None:
    """Make file paths relative to the configuration's folder (an adapter's folder source too)."""
    local, national = doc.get("local"), doc.get("national")
    if isinstance(local, dict):
        if isinstance(local.get("files"), dict):
            local["files"] = {r: str(base / f) if isinstance(f, str) else f for r, f in local["files"].items()}
        src = local.get("source")
        if isinstance(src, str) and "://" not in src and not Path(src).is_absolute():
            local["source"] = str(base / src)
    if isinstance(national, dict) and isinstance(national.get("secret_file"), str):
        national["secret_file"] = str(base / national["secret_file"])
    sched = doc.get("monitor")
    if isinstance(sched, dict) and isinstance(sched.get("history"), str) and sched["history"].startswith("sqlite:"):
        path = sched["history"].removeprefix("sqlite:")
        if path != ":memory:" and not Path(path).is_absolute():
            sched["history"] = f"sqlite:{base / path}"


def parse_config(doc: dict[str, Any], *, base: Path = Path(), name: str = "monitor.toml") -> MonitorConfig:
    """Validate a parsed TOML document; a ``ConfigError`` names each wrong key."""
    doc = {k: dict(v) if isinstance(v, dict) else v for k, v in doc.items()}
    _rebase(doc, base)
    try:
        return MonitorConfig.model_validate(doc)
    except ValidationError as exc:
        problems = "; ".join(f"{_key(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{name}: {problems}") from None


def load_config(path: Path) -> MonitorConfig:
    """Read and validate ``path``; a ``ConfigError`` names the file and the key on any problem."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(doc, base=path.parent, name=str(path))
