"""The reports of a run: console summary, JSON, JUnit XML and the offline HTML certificate."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree
from rich.console import Console

from conformance.report import (
    completeness_svg,
    console_summary,
    latency_bins,
    latency_histogram_svg,
    percentile,
    render_html,
    write_html,
    write_json,
    write_junit,
)
from conformance.suite.model import (
    Category,
    CheckResult,
    CheckSpec,
    Evidence,
    Identity,
    Level,
    Outcome,
    RunResult,
    ScenarioResult,
    Score,
    Severity,
    Waiver,
)

SVG_NS = "http://www.w3.org/2000/svg"
STARTED = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def spec(id_: str, category: Category, severity: Severity = Severity.MAJOR, points: int = 10) -> CheckSpec:
    return CheckSpec(
        id=id_,
        title_zh=f"检查{id_}",
        title_en=f"Check {id_}",
        category=category,
        severity=severity,
        points=points,
        clause="部令第23号 第十条",
    )


def identity(run_id: str = "run-0001") -> Identity:
    return Identity(
        run_id=run_id,
        suite_version="1.4.0",
        contract_version="2024.2",
        code_lists={"catalogue": "2021", "region": "2023"},
        sut_name="省级危废系统",
        sut_version="3.2.1",
        profile="provincial",
        mode="driver",
        seed=42,
        started_at=STARTED,
        finished_at=datetime(2025, 3, 1, 8, 10, tzinfo=UTC),
    )


def passing_run() -> RunResult:
    checks = [
        CheckResult(spec=spec("timeliness.latency", Category.TIMELINESS), outcome=Outcome.PASS, bonus=2),
        CheckResult(spec=spec("completeness.exactly_once", Category.COMPLETENESS), outcome=Outcome.PASS),
    ]
    return RunResult(
        identity=identity("run-pass"),
        score=Score(bonus=2, total=102, level=Level.PASS),
        checks=checks,
        scenarios=[
            ScenarioResult(
                name="steady",
                title_zh="平稳",
                title_en="Steady",
                outcome=Outcome.PASS,
                events=100,
                expected_records=100,
                observed_records=100,
                duration_s=12.5,
            )
        ],
        latencies_s=[0.5, 0.7, 1.1],
        sla={"p95_s": 5.0, "max_s": 30.0},
    )


def failing_run() -> RunResult:
    findings = [
        Evidence(
            code="record.lost",
            message_zh="记录丢失",
            message_en="record lost",
            subject="MF-2025-0007",
            scenario="outage",
            expected={"count": 1},
            actual={"count": 0},
            data={"resource": "manifest", "attempts": 3},
        ),
        Evidence(
            code="record.lost",
            message_zh="记录丢失 <script>alert(1)</script>",
            message_en="lost [bold]twice[/bold] <script>alert(1)</script>",
            subject="MF-2025-0008",
            expected="present",
            actual="absent\x00",
        ),
    ]
    checks = [
        CheckResult(
            spec=spec("completeness.exactly_once", Category.COMPLETENESS, Severity.CRITICAL, 30),
            outcome=Outcome.FAIL,
            summary_en="2 records lost",
            summary_zh="丢失 2 条记录",
            findings=findings,
            deducted=30,
        ),
        CheckResult(
            spec=spec("accuracy.waste_code", Category.ACCURACY),
            outcome=Outcome.WAIVED,
            findings=[Evidence(code="code.mismatch", message_zh="代码不符", message_en="code mismatch", subject="W1")],
            waiver=Waiver(
                check="accuracy.waste_code",
                reason="catalogue migration",
                approver="Zhang San",
                expires=date(2099, 1, 1),
            ),
        ),
        CheckResult(
            spec=spec("timeliness.latency", Category.TIMELINESS, points=15),
            outcome=Outcome.FAIL,
            findings=[Evidence(code="latency.p95", message_zh="超时", message_en="too slow", expected=5.0, actual=9.2)],
            expired_waiver=Waiver(
                check="timeliness.latency", reason="network upgrade", approver="Li Si", expires=date(2025, 1, 31)
            ),
            deducted=15,
        ),
        CheckResult(spec=spec("security.tls", Category.SECURITY), outcome=Outcome.SKIPPED),
        CheckResult(
            spec=spec("resilience.replay", Category.RESILIENCE),
            outcome=Outcome.ERROR,
            summary_en="check crashed",
            findings=[Evidence(code="harness.exception", message_zh="异常", message_en="ZeroDivisionError")],
        ),
        CheckResult(spec=spec("contract.schema", Category.CONTRACT), outcome=Outcome.PASS),
    ]
    latencies = [0.2] * 50 + [1.0] * 300 + [3.0] * 120 + [12.0] * 20 + [40.0] * 3
    return RunResult(
        identity=identity(),
        score=Score(deducted=45, total=55, level=Level.FAIL, critical_failures=["completeness.exactly_once"]),
        checks=checks,
        scenarios=[
            ScenarioResult(
                name="outage",
                title_zh="国家系统中断",
                title_en="National outage",
                outcome=Outcome.FAIL,
                events=500,
                expected_records=493,
                observed_records=491,
                duration_s=61.0,
                failed_checks=["completeness.exactly_once"],
                notes=["national API down 10 min"],
            ),
            ScenarioResult(
                name="steady",
                title_zh="平稳",
                title_en="Steady",
                outcome=Outcome.PASS,
                events=100,
                expected_records=100,
                observed_records=100,
                duration_s=10.0,
            ),
        ],
        latencies_s=latencies,
        sla={"p95_s": 5.0, "max_s": 30.0},
        completeness={
            "manifest": {"expected": 400, "present": 398, "lost": 2, "duplicated": 1, "unexpected": 0},
            "transfer": {"expected": 93, "present": 93, "lost": 0, "duplicated": 0, "unexpected": 4},
        },
        harness_errors=["mock national server restarted"],
    )


@pytest.fixture
def run() -> RunResult:
    return failing_run()


# --- JSON -------------------------------------------------------------------------------------------


def test_json_round_trips_and_keeps_chinese(run: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_json(run, path)
    text = path.read_text(encoding="utf-8")
    assert "省级危废系统" in text
    assert RunResult.model_validate_json(text) == run


# --- JUnit ------------------------------------------------------------------------------------------

# The shape of the common Jenkins JUnit schema (jenkins-junit.xsd), with ``skipped`` counted on both levels.
JUNIT_XSD = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:element name="failure"><xs:complexType mixed="true">
    <xs:attribute name="type" type="xs:string"/><xs:attribute name="message" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="error"><xs:complexType mixed="true">
    <xs:attribute name="type" type="xs:string"/><xs:attribute name="message" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="skipped"><xs:complexType mixed="true">
    <xs:attribute name="message" type="xs:string"/>
  </xs:complexType></xs:element>
  <xs:element name="properties"><xs:complexType><xs:sequence>
    <xs:element name="property" maxOccurs="unbounded"><xs:complexType>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="value" type="xs:string" use="required"/>
    </xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="system-out" type="xs:string"/>
  <xs:element name="system-err" type="xs:string"/>
  <xs:element name="testcase"><xs:complexType><xs:sequence>
    <xs:element ref="skipped" minOccurs="0"/>
    <xs:element ref="error" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="failure" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="system-out" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="system-err" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="classname" type="xs:string"/>
    <xs:attribute name="time" type="xs:decimal"/>
  </xs:complexType></xs:element>
  <xs:element name="testsuite"><xs:complexType><xs:sequence>
    <xs:element ref="properties" minOccurs="0"/>
    <xs:element ref="testcase" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element ref="system-out" minOccurs="0"/>
    <xs:element ref="system-err" minOccurs="0"/>
  </xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
    <xs:attribute name="tests" type="xs:int" use="required"/>
    <xs:attribute name="failures" type="xs:int" use="required"/>
    <xs:attribute name="errors" type="xs:int" use="required"/>
    <xs:attribute name="skipped" type="xs:int" use="required"/>
    <xs:attribute name="time" type="xs:decimal" use="required"/>
    <xs:attribute name="timestamp">
      <xs:simpleType><xs:restriction base="xs:string">
        <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"/>
      </xs:restriction></xs:simpleType>
    </xs:attribute>
  </xs:complexType></xs:element>
  <xs:element name="testsuites"><xs:complexType><xs:sequence>
    <xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
    <xs:attribute name="name" type="xs:string"/>
    <xs:attribute name="tests" type="xs:int" use="required"/>
    <xs:attribute name="failures" type="xs:int" use="required"/>
    <xs:attribute name="errors" type="xs:int" use="required"/>
    <xs:attribute name="skipped" type="xs:int" use="required"/>
    <xs:attribute name="time" type="xs:decimal" use="required"/>
  </xs:complexType></xs:element>
</xs:schema>
"""


def junit(run: RunResult, tmp_path: Path) -> etree._Element:
    path = tmp_path / "junit.xml"
    write_junit(run, path)
    doc = etree.parse(str(path))
    schema = etree.XMLSchema(etree.fromstring(JUNIT_XSD.encode()))
    assert schema.validate(doc), schema.error_log
    return doc.getroot()


def test_junit_counts_and_structure(run: RunResult, tmp_path: Path) -> None:
    root = junit(run, tmp_path)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["checks", "scenarios", "harness"]
    checks, scenarios = suites["checks"], suites["scenarios"]
    assert (checks.get("tests"), checks.get("failures"), checks.get("errors"), checks.get("skipped")) == (
        "6",
        "2",
        "1",
        "2",
    )
    assert (scenarios.get("tests"), scenarios.get("failures"), scenarios.get("errors"), scenarios.get("skipped")) == (
        "2",
        "1",
        "0",
        "0",
    )
    assert float(scenarios.get("time") or "nan") == pytest.approx(71.0)
    assert float(checks.get("time") or "nan") == pytest.approx(600.0)
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("9", "3", "2", "2")
    assert checks.get("timestamp") == "2025-03-01T08:00:00"
    cases = checks.findall("testcase")
    assert [c.get("classname") for c in cases] == [
        "completeness",
        "accuracy",
        "timeliness",
        "security",
        "resilience",
        "contract",
    ]
    assert cases[0].get("name") == "completeness.exactly_once Check completeness.exactly_once"
    assert all(c.get("time") is not None for c in root.iter("testcase"))


def test_junit_failure_carries_the_findings(run: RunResult, tmp_path: Path) -> None:
    root = junit(run, tmp_path)
    failure = root.find("testsuite[@name='checks']/testcase[1]/failure")
    assert failure is not None
    assert failure.get("type") == "record.lost"
    assert failure.get("message") == "2 records lost"
    text = failure.text or ""
    for piece in ("MF-2025-0007", "MF-2025-0008", 'expected: {"count":1}', 'actual: {"count":0}', "记录丢失", "outage"):
        assert piece in text
    assert "\x00" not in text  # the NUL of the evidence became a replacement character, so the XML stays valid
    latency = root.find("testsuite[@name='checks']/testcase[3]/failure")
    assert latency is not None and "expired 2025-01-31" in (latency.get("message") or "")


def test_junit_waived_skipped_error_and_properties(run: RunResult, tmp_path: Path) -> None:
    root = junit(run, tmp_path)
    cases = root.findall("testsuite[@name='checks']/testcase")
    waived = cases[1].find("skipped")
    assert waived is not None
    assert waived.get("message") == "waived: catalogue migration (Zhang San, until 2099-01-01)"
    assert cases[1].find("failure") is None
    skipped = cases[3].find("skipped")
    assert skipped is not None and not (skipped.get("message") or "").startswith("waived")
    error = cases[4].find("error")
    assert error is not None and error.get("message") == "check crashed"
    assert len(cases[5]) == 0  # a pass has no child
    props = {p.get("name"): p.get("value") for p in root.findall("testsuite[@name='checks']/properties/property")}
    assert props == {
        "run_id": "run-0001",
        "suite_version": "1.4.0",
        "contract_version": "2024.2",
        "sut": "省级危废系统 3.2.1",
        "profile": "provincial",
        "level": "fail",
        "score": "55",
    }
    scenario_failure = root.find("testsuite[@name='scenarios']/testcase[1]/failure")
    assert scenario_failure is not None and "completeness.exactly_once" in (scenario_failure.get("message") or "")
    harness = root.find("testsuite[@name='harness']/testcase/error")
    assert harness is not None and harness.text == "mock national server restarted"


def test_junit_of_a_passing_run_has_no_harness_suite(tmp_path: Path) -> None:
    root = junit(passing_run(), tmp_path)
    assert [s.get("name") for s in root] == ["checks", "scenarios"]
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("3", "0", "0", "0")


# --- HTML -------------------------------------------------------------------------------------------


def svg_of(html: str, cls: str) -> etree._Element:
    match = re.search(rf'<svg xmlns="{SVG_NS}" class="{cls}".*?</svg>', html, re.S)
    assert match, f"no {cls} svg"
    return etree.fromstring(match.group(0).encode())


def test_html_is_bilingual_with_level_score_and_every_check(run: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_html(run, path)
    html = path.read_text(encoding="utf-8")
    assert html == render_html(run)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html and '<span lang="en">' in html
    assert 'data-level="fail"' in html and "不合格" in html and "FAIL" in html
    assert '<td class="total">55</td>' in html and '<td class="deducted">−45</td>' in html
    assert "扣分" in html and "加分" in html
    for check in run.checks:
        assert f'id="check-{check.spec.id}"' in html
    for text in ("1.4.0", "2024.2", "catalogue 2021", "省级危废系统", "3.2.1", "provincial", "driver", "run-0001"):
        assert text in html
    assert "National outage" in html and "国家系统中断" in html
    assert "mock national server restarted" in html
    assert html.count("<details") == len(run.checks)
    # failed/erroring checks start open, the others closed
    assert len(re.findall(r'<details class="check"[^>]*data-outcome="(?:fail|error)" open>', html)) == 3


def test_html_waivers_active_and_expired(run: RunResult) -> None:
    html = render_html(run)
    assert "catalogue migration" in html and "Zhang San" in html and "2099-01-01" in html
    waived = html[html.index('id="check-accuracy.waste_code"') :]
    waived = waived[: waived.index("</details>")]
    assert "waiver expired" not in waived
    latency = html[html.index('id="check-timeliness.latency"') :]
    latency = latency[: latency.index("</details>")]
    assert "waiver expired" in latency and "Li Si" in latency and "2025-01-31" in latency


def test_html_evidence_is_shown_and_escaped(run: RunResult) -> None:
    html = render_html(run)
    assert "<script" not in html
    assert "\x00" not in html and "absent\ufffd" in html  # control characters of the evidence are replaced
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "MF-2025-0007" in html and "outage" in html
    assert "{&quot;attempts&quot;:3,&quot;resource&quot;:&quot;manifest&quot;}" in html  # data as compact JSON


def test_html_has_no_external_reference(run: RunResult) -> None:
    html = render_html(run)
    assert set(re.findall(r"https?://[^\s\"'<>]*", html)) == {SVG_NS}
    assert "url(" not in html and "@import" not in html
    assert not re.search(r"\s(?:src|href)=", html)


def test_histogram_bars_reflect_the_data(run: RunResult) -> None:
    svg = svg_of(render_html(run), "histogram")
    bars = svg.findall(f"{{{SVG_NS}}}rect[@class='bar']")
    bins = latency_bins(run.latencies_s, run.sla)
    assert len(bars) == len(bins) == 24
    counts = [int(b.get("data-count") or -1) for b in bars]
    assert counts == [b.count for b in bins]
    assert sum(counts) == len(run.latencies_s)
    heights = [float(b.get("height") or "nan") for b in bars]
    for c1, h1 in zip(counts, heights, strict=True):
        for c2, h2 in zip(counts, heights, strict=True):
            if c1 > c2:
                assert h1 > h2
    assert heights[counts.index(0)] == 0
    # the SLA lines are drawn where the limits are: p95 left of max, both inside the axis
    p95 = svg.find(f"{{{SVG_NS}}}line[@class='sla-p95']")
    top = svg.find(f"{{{SVG_NS}}}line[@class='sla-max']")
    assert p95 is not None and top is not None
    assert float(p95.get("data-value") or 0) == 5.0 and float(top.get("data-value") or 0) == 30.0
    assert 60 < float(p95.get("x1") or 0) < float(top.get("x1") or 0) <= 700
    labels = "".join(str(t) for t in svg.itertext())
    assert "p50 1 s" in labels and "p95 3 s" in labels and "max 40 s" in labels
    assert "latency" in labels and "时延" in labels and "记录数" in labels


def test_bins_linear_for_a_narrow_spread_and_log_for_a_wide_one() -> None:
    bins = latency_bins([1.0] * 10 + [2.0] * 5)
    assert bins[0].lo == 0 and bins[-1].hi == 2.0
    assert [i for i, b in enumerate(bins) if b.count] == [12, 23]
    assert (bins[12].count, bins[23].count) == (10, 5)
    wide = latency_bins([0.01, 0.05, 0.5, 5.0, 10.0], bins=3)
    assert [b.count for b in wide] == [2, 1, 2]
    assert wide[1].lo == pytest.approx(0.1)
    svg = etree.fromstring(latency_histogram_svg([1.0] * 10 + [2.0] * 5, {}).encode())
    heights = [float(r.get("height") or "nan") for r in svg.iter(f"{{{SVG_NS}}}rect")]
    assert heights[12] == pytest.approx(2 * heights[23])
    assert latency_histogram_svg([], {}) == "" and latency_bins([]) == []


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95 and percentile(values, 100) == 100
    assert percentile([], 50) is None


def test_completeness_bars(run: RunResult) -> None:
    svg = svg_of(render_html(run), "completeness")
    bars = svg.findall(f"{{{SVG_NS}}}rect")
    assert len(bars) == 10
    found = {(b.get("data-resource"), b.get("data-kind")): int(b.get("data-value") or -1) for b in bars}
    assert found[("manifest", "lost")] == 2 and found[("transfer", "unexpected")] == 4
    width = {(b.get("data-resource"), b.get("data-kind")): float(b.get("width") or "nan") for b in bars}
    assert width[("manifest", "expected")] > width[("transfer", "expected")] > width[("manifest", "lost")] > 0
    assert width[("transfer", "lost")] == 0
    assert completeness_svg({}) == ""


def test_passing_run_certificate() -> None:
    html = render_html(passing_run())
    assert 'data-level="pass"' in html and "合格" in html and "不合格" not in html
    assert '<td class="total">102</td>' in html and '<td class="bonus">+2</td>' in html
    assert "无完整性数据" in html


def test_large_run_renders_every_finding() -> None:
    run = failing_run()
    many = [
        Evidence(code="record.lost", message_zh="丢失", message_en="lost", subject=f"MF-{i:05d}", data={"i": i})
        for i in range(3000)
    ]
    run.checks[0] = run.checks[0].model_copy(update={"findings": many})
    run = run.model_copy(update={"latencies_s": [0.05 + (i % 997) / 50 for i in range(10_000)]})
    html = render_html(run)
    assert html.count("MF-0") == 3000 and "MF-02999" in html
    bars = svg_of(html, "histogram").findall(f"{{{SVG_NS}}}rect[@class='bar']")
    assert sum(int(b.get("data-count") or 0) for b in bars) == 10_000


# --- console ----------------------------------------------------------------------------------------


def test_console_summary(run: RunResult) -> None:
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console_summary(run, console)
    out = console.export_text()
    assert "不合格 fail" in out
    assert "55 = 100 − 45" in out
    for check in run.checks:
        assert check.spec.id in out
    assert "完整 completeness" in out and "critical" in out and "-30" in out
    assert "record lost" in out and "MF-2025-0007" in out
    assert "lost [bold]twice[/bold]" in out  # markup in evidence is printed, not interpreted
    assert "outage" in out and "491/493" in out
    assert "run-0001" in out and "suite 1.4.0" in out and "contract 2024.2" in out
    assert "code mismatch" not in out  # a waived check's findings are not failures


def test_console_summary_of_a_passing_run() -> None:
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console_summary(passing_run(), console)
    out = console.export_text()
    assert "合格 pass" in out and "+2" in out and "run-pass" in out


def test_json_of_the_report_matches_junit_totals(run: RunResult, tmp_path: Path) -> None:
    write_json(run, tmp_path / "r.json")
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    root = junit(run, tmp_path)
    assert int(root.get("tests") or 0) == len(doc["checks"]) + len(doc["scenarios"]) + len(doc["harness_errors"])
