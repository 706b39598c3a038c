"""Crash points for the crash tests: ``HAZLINK_BRIDGE_KILL=point:n`` SIGKILLs the process at the n-th hit.

Points: ``read`` (a record translated, nothing written), ``outbox_write`` (operations and bookmark
written, transaction not committed), ``send`` (a row claimed, request about to leave), ``sent`` (the
national answer received, not yet recorded) and ``ack`` (the outcome committed). Unset, a point
costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal

__all__ = ["ENV", "POINTS", "point"]

ENV = "HAZLINK_BRIDGE_KILL"
POINTS = ("read", "outbox_write", "send", "sent", "ack")
_hits: dict[str, int] = {}


def _target() -> tuple[str, int] | None:
    raw = os.environ.get(ENV, "")
    name, _, n = raw.partition(":")
    if not name or not n.isdigit():
        return None
    return name, int(n)


_TARGET = _target()


def point(name: str) -> None:
    """Count a hit of crash point ``name``; SIGKILL this process when it is the configured one."""
    if _TARGET is None or _TARGET[0] != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= _TARGET[1]:
        os.kill(os.getpid(), signal.SIGKILL)
