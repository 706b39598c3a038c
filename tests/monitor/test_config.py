"""Configuration errors name the key; the secret stays out of reprs and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.monitor import ConfigError, load_config

GOOD = """
[local]
files = { ledger-records = "l.ndjson" }
[national]
base_url = "http://127.0.0.1:8900"
app_key = "demo"
secret_file = "s.secret"
[monitor]
history = "sqlite:h.db"
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "monitor.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_file_resolves_paths_from_its_folder(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, GOOD))
    assert cfg.local.files["ledger-records"] == tmp_path / "l.ndjson"
    assert cfg.national.secret_file == tmp_path / "s.secret"
    assert cfg.monitor.history == f"sqlite:{tmp_path / 'h.db'}"
    assert cfg.thresholds.completeness_pct_min == 100.0


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("[monitor]", '[monitor]\nresources = ["waste"]'), "monitor.resources"),
        (("[monitor]", "[thresholds]\ncompleteness_pct_min = 120\n[monitor]"), "thresholds.completeness_pct_min"),
        (('base_url = "http://127.0.0.1:8900"', 'base_url = "ftp://x"'), "national.base_url"),
        (('app_key = "demo"\n', ""), "national.app_key"),
        (('history = "sqlite:h.db"', 'history = "mysql://x"'), "monitor.history"),
        (("[monitor]", '[alerts]\nwebhook = "x"\n[monitor]'), "alerts.webhook"),
        (("[monitor]", "[monitor]\nbogus = 1"), "monitor.bogus"),
        (('files = { ledger-records = "l.ndjson" }', 'profile = "enterprise-csv"'), "local"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(_write(tmp_path, GOOD.replace(*change)))


def test_unreadable_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[local\n"))


def test_secret_errors_name_the_key_and_never_show_the_secret(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"national\.secret_file"):
        cfg.national.secret()
    (tmp_path / "s.secret").write_text("top-secret-value\n")
    assert cfg.national.secret() == "top-secret-value"
    assert "top-secret-value" not in repr(cfg)
