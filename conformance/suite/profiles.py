"""Certification profiles: the service levels and tolerances a run is judged by.

``default`` is the national expectation as hazlink reads it (records accepted nationally within 5 s
at the 95th percentile and 60 s at most). A province may ship its own profile as a TOML file with the
same keys (``--profile path/to/profile.toml``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["PROFILES", "Profile", "ProfileError", "load_profile"]


class ProfileError(Exception):
    """An unknown profile name or a broken profile file."""


class Profile(BaseModel):
    """Service levels, tolerances and pass marks."""

    model_config = ConfigDict(extra="forbid")

    name: str = "default"
    sla_p95_s: float = Field(default=5.0, gt=0, description="95th percentile of event → national acceptance")
    sla_max_s: float = Field(default=60.0, gt=0, description="Slowest record allowed")
    bonus_p95_s: float = Field(default=1.0, gt=0, description="A p95 at or under this earns the latency bonus")
    track_gap_s: float = Field(default=300.0, gt=0, description="Largest gap between fixes not explained by the source")
    max_speed_kmh: float = Field(default=150.0, gt=0)
    site_radius_m: float = Field(default=2000.0, gt=0, description="Track ends must lie this near the two sites")
    distance_m: float = Field(default=30.0, gt=0, description="Coordinates agree within this distance")
    settle_s: float = Field(default=20.0, gt=0, description="Real seconds to wait for a step's records at most")
    stall_s: float = Field(default=3.0, gt=0, description="A step stops waiting after this long without progress")
    quiet_s: float = Field(default=1.5, gt=0, description="An idle SUT with no traffic for this long has settled")
    grace_s: float = Field(
        default=1800.0, ge=0, description="Business time the clock may be moved on at the end for late records"
    )
    pass_at: int = Field(default=90, ge=0, le=100)
    conditional_at: int = Field(default=75, ge=0, le=100)


PROFILES = {
    "default": Profile(),
    "strict": Profile(name="strict", sla_p95_s=2.0, sla_max_s=30.0, pass_at=95, conditional_at=85),
    "quick": Profile(name="quick", sla_max_s=15.0, settle_s=10.0, stall_s=2.0, quiet_s=1.0),
}
"""Built-in profiles by name (``quick`` shortens waits for CI runs of faulty integrations)."""


def load_profile(name_or_path: str) -> Profile:
    """A built-in profile by name, or a TOML file of profile keys."""
    if name_or_path in PROFILES:
        return PROFILES[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        raise ProfileError(f"no profile {name_or_path!r}; built in: {', '.join(PROFILES)} (or a .toml file)")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        doc.setdefault("name", path.stem)
        return Profile.model_validate(doc)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: {exc}") from None
    except ValidationError as exc:
        e = exc.errors(include_url=False)[0]
        raise ProfileError(f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}") from None
