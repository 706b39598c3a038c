"""``python -m adapters.bridge``: one sync process without the rest of the command line (JSON log lines).

The options are those of ``hazlink sync run`` (see ``conformance.cli.sync``); this entry exists so
that a process that is killed and restarted often (the crash tests, a supervisor) starts fast.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from mappings import MappingError

from ..errors import ConfigurationError
from .runner import JsonLines, SyncOptions, parse_settings, run_sync


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, and return the exit status (0 drained, 2 configuration, 3 backlog left)."""
    ap = argparse.ArgumentParser(prog="python -m adapters.bridge", description=__doc__)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--national", required=True)
    ap.add_argument("--app-key", required=True)
    ap.add_argument("--app-secret-file", required=True, type=Path)
    ap.add_argument("--outbox", default="sqlite:hazlink-outbox.db")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--once", dest="once", action="store_true", default=True)
    mode.add_argument("--follow", dest="once", action="store_false")
    ap.add_argument("--metrics-port", type=int)
    ap.add_argument("--set", dest="settings", action="append", default=[])
    for name, kind in (("workers", int), ("chunk", int), ("batch-size", int)):
        ap.add_argument(f"--{name}", type=kind, default=argparse.SUPPRESS)
    for name in ("interval", "max-seconds", "read-timeout", "window-hours", "lease-seconds"):
        ap.add_argument(f"--{name}", type=float, default=argparse.SUPPRESS)
    ap.add_argument("--worker-id")
    args = vars(ap.parse_args(argv))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    log = logging.getLogger("hazlink.bridge")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        secret = args.pop("app_secret_file").read_text(encoding="utf-8").strip()
        if not secret:
            raise ConfigurationError("--app-secret-file is empty")
        opts = SyncOptions(secret=secret, **{**args, "settings": parse_settings(args["settings"])})
    except (OSError, ConfigurationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stopped = [False]
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.__setitem__(0, True))
    try:
        return run_sync(opts, stop=lambda: stopped[0])
    except (ConfigurationError, MappingError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
