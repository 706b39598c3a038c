"""Alerts on breach and recovery to a loopback webhook, Prometheus metrics, and the page in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.monitor import Monitor, load_config
from conformance.monitor.web import create_app
from mocks.national.server import running

from .conftest import LEDGER, NOW, Seeded, key, write_config

_LABEL = r'[a-z_]+="(?:[^"\\\n]|\\.)*"'
_LINE = re.compile(rf"^(?P<name>[a-z_:][a-z0-9_:]*)(?P<labels>\{{{_LABEL}(?:,{_LABEL})*\}})? (?P<value>\S+)$")


def test_webhook_gets_breach_then_recovery_not_every_cycle(
    tmp_path: Path, seeded: Seeded, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    mon = Monitor(load_config(write_config(tmp_path, seeded, backlog_max=0, webhook=url)), now=lambda: NOW)
    mon.cycle()
    subject = f"{seeded.unit_a}/{LEDGER}"
    assert [(a["event"], a["check"], a["subject"]) for a in received] == [("breach", "monitor.backlog", subject)]
    assert received[0]["value"] == 1 and received[0]["threshold"] == 0 and received[0]["unit"] == seeded.unit_a
    mon.cycle()
    assert len(received) == 1  # still breached: no second alert
    seeded.post([seeded.missing_national])
    mon.cycle()
    assert [(a["event"], a["check"], a["subject"]) for a in received[1:]] == [("recovery", "monitor.backlog", subject)]
    assert mon.counters.alerts == {"breach": 1, "recovery": 1}
    mon.history.close()


def test_metrics_parse_and_carry_the_figures(tmp_path: Path, seeded: Seeded) -> None:
    mon = Monitor(load_config(write_config(tmp_path, seeded)), now=lambda: NOW)
    mon.cycle()
    with running(create_app(mon)) as base:
        answer = httpx.get(f"{base}/metrics")
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: dict[str, float] = {}
    typed: set[str] = set()
    for line in answer.text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#"):
            assert line.startswith("# HELP ")
            continue
        m = _LINE.match(line)
        assert m, line
        assert m["name"] in typed, line
        samples[m["name"] + (m["labels"] or "")] = float(m["value"])
    a = f'unit="{seeded.unit_a}",resource="{LEDGER}"'
    assert samples[f"hazlink_monitor_completeness_percent{{{a}}}"] == pytest.approx(100 * 8 / 9)
    assert samples[f"hazlink_monitor_accuracy_percent{{{a}}}"] == pytest.approx(100 * 6 / 7)
    assert samples[f"hazlink_monitor_backlog_records{{{a}}}"] == 1
    assert samples[f"hazlink_monitor_overdue_items{{{a}}}"] == 1
    assert samples[f'hazlink_monitor_differences{{{a},kind="mismatch"}}'] == 1
    assert samples['hazlink_monitor_cycles_total{outcome="ok"}'] == 1
    assert samples['hazlink_monitor_alerts_total{event="breach"}'] == 0
    b = f'unit="{seeded.unit_b}",resource="{LEDGER}"'
    assert samples[f"hazlink_monitor_completeness_percent{{{b}}}"] == 100
    mon.history.close()


def _chromium() -> tuple[str, str]:
    browser, driver = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver") or ""
    if not Path(browser).exists() or not driver:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium/chromedriver are missing (apt-get install chromium chromium-driver)")
        pytest.skip("/usr/bin/chromium is absent (apt-get install chromium chromium-driver) and CI is not set")
    return browser, driver


def test_page_in_headless_chromium_shows_health_and_a_records_diff(tmp_path: Path, seeded: Seeded) -> None:
    browser, driver_path = _chromium()
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By

    mon = Monitor(load_config(write_config(tmp_path, seeded, completeness_pct_min=99.0)), now=lambda: NOW)
    mon.cycle()
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    profile = tempfile.mkdtemp(prefix="hazlink-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}"):  # fmt: skip
        opts.add_argument(flag)
    with running(create_app(mon)) as base:
        drv = webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path=driver_path))
        try:
            drv.set_page_load_timeout(30)
            drv.get(base + "/")
            row = drv.find_element(
                By.CSS_SELECTOR, f'#health tr[data-unit="{seeded.unit_a}"][data-resource="{LEDGER}"]'
            )
            cell = row.find_element(By.CSS_SELECTOR, "td.completeness")
            assert cell.text == "88.89" and "bad" in (cell.get_attribute("class") or "")
            assert row.find_element(By.CSS_SELECTOR, "td.accuracy").text == "85.71"
            assert row.find_element(By.CSS_SELECTOR, "td.backlog").text == "1"
            assert row.find_element(By.CSS_SELECTOR, "td.overdue").text == "1"
            other = drv.find_element(By.CSS_SELECTOR, f'#health tr[data-unit="{seeded.unit_b}"] td.completeness')
            assert other.text == "100.00"
            assert "完整率" in drv.page_source and "Completeness" in drv.page_source
            assert drv.find_elements(By.CSS_SELECTOR, "svg.chart polyline")
            row.find_element(By.CSS_SELECTOR, "a.diff-link").click()
            drv.find_element(By.CSS_SELECTOR, '#differences tr[data-kind="mismatch"] a.record-link').click()
            assert drv.find_element(By.ID, "record").text == key(seeded.mismatch)
            cells = [c.text for c in drv.find_elements(By.CSS_SELECTOR, "#diff tbody tr td")]
            assert cells[0] == "quantity_t" and float(cells[1]) == float(seeded.mismatch["quantity_t"])
            assert float(cells[2]) == 9.999 and cells[3].startswith("decimal")
            assert "本地值" in drv.page_source and "National value" in drv.page_source
        finally:
            drv.quit()
            shutil.rmtree(profile, ignore_errors=True)
    mon.history.close()
