"""JUnit XML of a run, in the shape of the common Jenkins JUnit schema.

Two suites: ``checks`` (one test case per check, class name = category) and ``scenarios`` (one per
scenario). A failed check's findings go into the ``<failure>`` text so a CI server shows what is
wrong without opening the HTML certificate. Harness errors, when any, get a third suite ``harness``
with one erroring test case each, so they are counted rather than buried in a log.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from lxml import etree

from conformance.suite.model import CheckResult, Evidence, Outcome, RunResult, ScenarioResult

from .serial import clean, compact

__all__ = ["junit_tree", "write_junit"]


def _finding_text(f: Evidence) -> str:
    lines = [f"[{f.code}] {f.message_en} / {f.message_zh}"]
    if f.subject is not None:
        lines.append(f"  subject: {f.subject}")
    if f.scenario is not None:
        lines.append(f"  scenario: {f.scenario}")
    if f.expected is not None or f.actual is not None:
        lines.append(f"  expected: {compact(f.expected)}")
        lines.append(f"  actual: {compact(f.actual)}")
    if f.data:
        lines.append(f"  data: {compact(f.data)}")
    return "\n".join(lines)


def _check_text(check: CheckResult) -> str:
    head = [f"{check.spec.title_en} / {check.spec.title_zh} ({check.spec.severity.value}, {check.spec.clause})"]
    if check.summary_en or check.summary_zh:
        head.append(" / ".join(s for s in (check.summary_en, check.summary_zh) if s))
    return "\n".join([*head, *(_finding_text(f) for f in check.findings)])


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
    if text:
        element.text = clean(text)
    return element


def _properties(suite: etree._Element, run: RunResult) -> None:
    ident = run.identity
    props = _sub(suite, "properties")
    values = {
        "run_id": ident.run_id,
        "suite_version": ident.suite_version,
        "contract_version": ident.contract_version,
        "sut": f"{ident.sut_name} {ident.sut_version}",
        "profile": ident.profile,
        "level": run.score.level.value,
        "score": str(run.score.total),
    }
    for name, value in values.items():
        _sub(props, "property", name=name, value=value)


def _outcome(case: etree._Element, outcome: Outcome, message: str, kind: str, text: str) -> None:
    if outcome is Outcome.FAIL:
        _sub(case, "failure", text, message=message, type=kind)
    elif outcome is Outcome.ERROR:
        _sub(case, "error", text, message=message, type=kind)
    elif outcome is Outcome.SKIPPED:
        _sub(case, "skipped", message=f"skipped: {message}")


def _check_case(suite: etree._Element, check: CheckResult) -> None:
    spec = check.spec
    case = _sub(suite, "testcase", classname=spec.category.value, name=f"{spec.id} {spec.title_en}", time="0")
    kind = check.findings[0].code if check.findings else spec.id
    message = check.summary_en or (check.findings[0].message_en if check.findings else spec.title_en)
    if check.outcome is Outcome.WAIVED and check.waiver is not None:
        w = check.waiver
        _sub(case, "skipped", message=f"waived: {w.reason} ({w.approver}, until {w.expires.isoformat()})")
        _sub(case, "system-out", _check_text(check))
    elif check.outcome is Outcome.WAIVED:
        _sub(case, "skipped", message="waived")
    else:
        if check.outcome is Outcome.FAIL and check.expired_waiver is not None:
            w = check.expired_waiver
            message += f" (waiver by {w.approver} expired {w.expires.isoformat()})"
        _outcome(case, check.outcome, message, kind, _check_text(check))


def _scenario_case(suite: etree._Element, scenario: ScenarioResult) -> None:
    case = _sub(
        suite,
        "testcase",
        classname="scenario",
        name=f"{scenario.name} {scenario.title_en}",
        time=f"{scenario.duration_s:.3f}",
    )
    text = "\n".join(
        [
            f"{scenario.title_en} / {scenario.title_zh}",
            f"events: {scenario.events}, records expected {scenario.expected_records}, observed {scenario.observed_records}",
            *(f"failed check: {c}" for c in scenario.failed_checks),
            *(f"note: {n}" for n in scenario.notes),
        ]
    )
    message = (
        "failed checks: " + ", ".join(scenario.failed_checks) if scenario.failed_checks else scenario.outcome.value
    )
    _outcome(case, scenario.outcome, message, "scenario", text)


def _count(suite: etree._Element, time: float, timestamp: str) -> tuple[int, int, int, int]:
    cases = suite.findall("testcase")
    counts = (
        len(cases),
        sum(c.find("failure") is not None for c in cases),
        sum(c.find("error") is not None for c in cases),
        sum(c.find("skipped") is not None for c in cases),
    )
    for name, value in zip(("tests", "failures", "errors", "skipped"), counts, strict=True):
        suite.set(name, str(value))
    suite.set("time", f"{time:.3f}")
    suite.set("timestamp", timestamp)
    return counts


def junit_tree(run: RunResult) -> etree._ElementTree:
    """The run as a JUnit XML tree (``testsuites`` root with totals)."""
    ident = run.identity
    started = ident.started_at.astimezone(UTC) if ident.started_at.tzinfo else ident.started_at
    # The Jenkins schema's timestamp has no zone: write UTC.
    timestamp = started.strftime("%Y-%m-%dT%H:%M:%S")
    scenario_time = sum(s.duration_s for s in run.scenarios)
    run_time = (ident.finished_at - ident.started_at).total_seconds() if ident.finished_at else scenario_time
    root = etree.Element("testsuites", name=clean(f"hazlink conformance {ident.run_id}"))
    totals = [0, 0, 0, 0]
    groups = [("checks", run_time), ("scenarios", scenario_time)]
    if run.harness_errors:
        groups.append(("harness", 0.0))
    for name, time in groups:
        suite = _sub(root, "testsuite", name=name)
        _properties(suite, run)
        if name == "checks":
            for check in run.checks:
                _check_case(suite, check)
        elif name == "scenarios":
            for scenario in run.scenarios:
                _scenario_case(suite, scenario)
        else:
            for i, error in enumerate(run.harness_errors, 1):
                case = _sub(suite, "testcase", classname="harness", name=f"harness error {i}", time="0")
                _sub(case, "error", error, message=error.splitlines()[0] if error else "harness error", type="harness")
        for i, value in enumerate(_count(suite, time, timestamp)):
            totals[i] += value
    for name, value in zip(("tests", "failures", "errors", "skipped"), totals, strict=True):
        root.set(name, str(value))
    root.set("time", f"{run_time:.3f}")
    return etree.ElementTree(root)


def write_junit(run: RunResult, path: Path) -> None:
    """Write the run as JUnit XML (UTF-8, with XML declaration) for CI servers."""
    junit_tree(run).write(str(path), encoding="UTF-8", xml_declaration=True, pretty_print=True)
