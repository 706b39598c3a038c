"""The mock national API: stateful, strict, signed, idempotent, inspectable, with faults on demand.

``create_app()`` gives the ASGI app (in-process through ``httpx.ASGITransport``, or served on a
loopback port by ``hazlink mock serve``); ``Store`` keeps its state in SQLite (memory by default).
"""

from .app import create_app
from .auth import Credential, Scope
from .config import MockClock, MockConfig
from .faults import FaultPlan, FaultRule
from .seed import SeedIn, demo_seed, load
from .store import Store

__all__ = [
    "Credential",
    "FaultPlan",
    "FaultRule",
    "MockClock",
    "MockConfig",
    "Scope",
    "SeedIn",
    "Store",
    "create_app",
    "demo_seed",
    "load",
]
