"""The sync bridge: local records → durable outbox → national API, losing nothing and duplicating nothing.

::

    adapter.read(bookmark) → Translator → Planner ─┐ one transaction: operations + dead letters + bookmark
                                                    ▼
                                                 Outbox (SQLite, WAL)
                                                    │ claim group heads with a lease and a fencing token
                                                    ▼
                                 Deliverer → NationalClient (signed, Idempotency-Key per row)
                                                    │ classify: delivered / permanent / retryable / unknown
                                                    ▼
                                     delivered, dead letter, or backoff and retry with the same key

This package imports ``contracts`` and the adapter layer only, never ``mocks``.
"""

from .checker import Verdict as CheckVerdict
from .checker import check
from .classify import Answer, Backoff, Verdict, classify, parse_retry_after
from .client import DEFAULT_TIMEOUT, MAX_BODY, NationalClient
from .deliver import Deliverer, Stats
from .metrics import MetricsServer
from .outbox import DeadLetter, NewOp, Op, Outbox, open_outbox
from .planner import Planner
from .reader import Reader, retry_dead

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BODY",
    "Answer",
    "Backoff",
    "CheckVerdict",
    "DeadLetter",
    "Deliverer",
    "MetricsServer",
    "NationalClient",
    "NewOp",
    "Op",
    "Outbox",
    "Planner",
    "Reader",
    "Stats",
    "Verdict",
    "check",
    "classify",
    "open_outbox",
    "parse_retry_after",
    "retry_dead",
]
