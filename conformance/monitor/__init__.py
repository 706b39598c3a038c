"""The sync-health monitor: reconcile both sides on a schedule, keep history, alert, serve a page and metrics.

``load_config`` reads ``monitor.toml``; ``Monitor`` runs cycles (``run_cycle``) and keeps their
history (``open_history``); ``create_app`` serves the page, ``/metrics`` and JSON. The monitor's
checks (``monitor.completeness`` …) are registered in the shared ``CHECKS`` by ``checks``.
"""

from . import checks
from .alerts import Alert, Alerter
from .config import ConfigError, MonitorConfig, load_config, parse_config
from .cycle import Cycle, Engine, run_cycle
from .health import Health
from .history import History, open_history
from .service import Monitor

__all__ = [
    "Alert",
    "Alerter",
    "ConfigError",
    "Cycle",
    "Engine",
    "Health",
    "History",
    "Monitor",
    "MonitorConfig",
    "checks",
    "load_config",
    "open_history",
    "parse_config",
    "run_cycle",
]
