"""``hazlink sync run | status | retry-dead`` and the metrics endpoint, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from adapters.bridge import check

from .conftest import APP_KEY, SECRET, Control, expected_ledger, ledger_records, write_ledger

CLI = [sys.executable, "-c", "from conformance.cli import main; main()"]


def sync_cmd(folder: Path, url: str, db: Path, secret: Path, *extra: str) -> list[str]:
    return [
        *CLI,
        "sync",
        "run",
        "--profile",
        "enterprise-csv",
        "--source",
        str(folder),
        "--national",
        url,
        "--app-key",
        APP_KEY,
        "--app-secret-file",
        str(secret),
        "--outbox",
        f"sqlite:{db}",
        "--set",
        "settle_seconds=0",
        "--read-timeout",
        "5",
        *extra,
    ]


def run(args: list[str], env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def setup(tmp_path: Path, records: list[dict[str, Any]]) -> tuple[Path, Path, Path]:
    folder = tmp_path / "drop"
    folder.mkdir()
    write_ledger(folder, records)
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    return folder, tmp_path / "outbox.db", secret


def test_sync_once_delivers_logs_json_and_never_the_secret(tmp_path: Path, national_url: str, control: Control) -> None:
    records = ledger_records(2, 5)
    bad = dict(records[0], batch_code="BAD!", unit_uscc="91320576MA1MXK3Q7X")  # broken check char and batch code
    folder, db, secret = setup(tmp_path, [*records, bad])
    done = run(sync_cmd(folder, national_url, db, secret, "--once"))
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stderr + done.stdout
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    last = [e for e in lines if e.get("event") == "progress"][-1]
    assert last["delivered_records"] == len(records) and last["rejected_local"] == 1 and last["backlog"] == 0
    assert check(expected_ledger(records), control.journal()).ok
    status = run([*CLI, "sync", "status", "--outbox", f"sqlite:{db}", "--json"])
    doc = json.loads(status.stdout)
    assert doc["backlog"] == 0 and doc["counts"]["dead_letters"] == 1
    assert doc["dead_letters"][0]["origin"] == "local" and doc["dead_letters"][0]["reasons"]
    text = run([*CLI, "sync", "status", "--outbox", f"sqlite:{db}"]).stdout
    assert "dead letters 1" in text
    again = run([*CLI, "sync", "retry-dead", "--outbox", f"sqlite:{db}", "--profile", "enterprise-csv"])
    assert "still dead 1" in again.stdout, again.stdout + again.stderr


def test_bad_configuration_exits_2_with_a_message(tmp_path: Path, national_url: str) -> None:
    folder, db, secret = setup(tmp_path, ledger_records(1, 1))
    missing = run(sync_cmd(folder, national_url, db, tmp_path / "nope", "--once"))
    assert missing.returncode == 2 and "app-secret-file" in missing.stderr
    pg = run(sync_cmd(folder, national_url, db, secret, "--once", "--outbox", "postgresql://x/y"))
    assert pg.returncode == 2 and "PostgreSQL" in pg.stderr
    assert run([*CLI, "sync", "status", "--outbox", f"sqlite:{tmp_path / 'none.db'}"]).returncode == 2


def test_follow_serves_prometheus_metrics(tmp_path: Path, national_url: str, control: Control) -> None:
    records = ledger_records(1, 3)
    folder, db, secret = setup(tmp_path, records)
    with socket_port() as port:
        pass
    proc = subprocess.Popen(
        sync_cmd(folder, national_url, db, secret, "--follow", "--interval", "0.2", "--metrics-port", str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except httpx.HTTPError:
                time.sleep(0.2)
                continue
            if f"hazlink_bridge_delivered_records_total {len(records)}" in body:
                break
            time.sleep(0.2)
        assert f"hazlink_bridge_delivered_records_total {len(records)}" in body, body
        assert "hazlink_bridge_backlog 0" in body
        # a new export appears while following: it is picked up
        more = ledger_records(1, 2, seed=5)
        write_ledger(folder, more, name="台账导出-2.csv")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(control.list("/ledger-records")) < len(records) + len(more):
            time.sleep(0.2)
        assert len(control.list("/ledger-records")) == len(records) + len(more)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert SECRET not in out + err


class socket_port:
    """A free loopback port (bound, then released)."""

    def __enter__(self) -> int:
        import socket

        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        return int(self.s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.s.close()


def test_the_lean_entry_takes_the_same_options_and_refuses_bad_ones(tmp_path: Path, national_url: str) -> None:
    folder, db, secret = setup(tmp_path, ledger_records(1, 1))
    lean = [
        sys.executable,
        "-m",
        "adapters.bridge",
        *sync_cmd(folder, national_url, db, secret, "--once")[len(CLI) + 2 :],
    ]
    assert run(lean).returncode == 0
    bad = [*lean[: lean.index("--profile") + 1], "nope", *lean[lean.index("--profile") + 2 :]]
    done = run(bad)
    assert done.returncode == 2 and "no adapter 'nope'" in done.stderr
