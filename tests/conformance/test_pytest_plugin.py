"""The pytest plugin as a vendor uses it: a three-line certification file, reports, and the ``national_mock`` fixture."""

from __future__ import annotations

import json
import re
from importlib.metadata import entry_points

import pytest

from conformance.pytest_plugin import Certification, certification_tests
from conformance.suite.driver import HttpDriver
from conformance.suite.registry import CHECKS

pytest_plugins = ["pytester"]

QUICK = 'profile="quick", scenarios=["labels", "in-province-manifest", "rate-limited"]'


def plugin_args() -> list[str]:
    """Load the plugin once in the inner run, whether or not hazlink's entry point is installed.

    Installed, it is registered as ``hazlink`` (``-p hazlink`` is then a no-op, or loads it when autoload is
    off); naming the module as well would register it twice, which pytest refuses.
    """
    installed = any(ep.value == "conformance.pytest_plugin" for ep in entry_points(group="pytest11"))
    return ["-p", "hazlink"] if installed else ["-p", "conformance.pytest_plugin"]


def certification_check_ids() -> list[str]:
    from conformance.suite import judge  # noqa: F401 - registers the shipped checks

    return [c.spec.id for c in CHECKS if not c.spec.id.startswith("monitor.")]


def item_outcomes(result: pytest.RunResult) -> dict[str, str]:
    """Check id → PASSED/FAILED/SKIPPED/XFAIL from the verbose lines of the inner run."""
    out: dict[str, str] = {}
    for line in result.outlines:
        m = re.match(r"^\S+::\w+\[(?P<item>[^\]]+)\] (?P<outcome>PASSED|FAILED|SKIPPED|XFAIL|ERROR)", line)
        if m:
            out[m["item"]] = m["outcome"]
    return out


def test_reference_integration_certifies_item_by_item_with_reports(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_vendor=f"""
        from conformance.pytest_plugin import certification_tests
        from conformance.reference import ReferenceIntegration
        test_certification = certification_tests(ReferenceIntegration, {QUICK})
        """
    )
    reports = pytester.path / "reports"
    result = pytester.runpytest_subprocess(*plugin_args(), "-v", "-rs", "--hazlink-report", str(reports))
    ids = certification_check_ids()
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0
    assert outcomes.get("passed", 0) + outcomes.get("skipped", 0) == len(ids)
    items = item_outcomes(result)
    assert set(items) == set(ids)
    assert items["accuracy.fields"] == items["completeness.exactly_once"] == "PASSED"
    # one run for all the items, summarised once, with its evidence bundle where asked
    result.stdout.fnmatch_lines(["*hazlink certification*", "hazlink-reference 2024.1-ref.1 · profile quick · *"])
    bundle = reports / "hazlink-reference-quick"
    assert {p.name for p in bundle.iterdir()} >= {"report.json", "report.html", "junit.xml", "journal.ndjson"}
    doc = json.loads((bundle / "report.json").read_text(encoding="utf-8"))
    assert doc["score"]["level"] == "pass"
    assert [s["name"] for s in doc["scenarios"]] == ["labels", "in-province-manifest", "rate-limited"]
    assert {c["spec"]["id"] for c in doc["checks"]} == set(ids)


def test_faulty_integration_fails_its_check_with_the_findings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_vendor=f"""
        from conformance.pytest_plugin import certification_tests
        from conformance.reference import DEFECTS, ReferenceIntegration
        test_certification = certification_tests(
            ReferenceIntegration(DEFECTS["kg-as-tonnes"][0]), {QUICK}, per_scenario=True, verdict=True
        )
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-v")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    items = item_outcomes(result)
    failed = {item for item, outcome in items.items() if outcome == "FAILED"}
    assert "accuracy.fields" in failed
    assert "verdict" in failed  # a critical check failed: 不合格
    assert failed & {"scenario:labels", "scenario:in-province-manifest", "scenario:rate-limited"}
    assert "completeness.exactly_once" not in failed
    assert result.parseoutcomes()["failed"] == len(failed)
    assert result.parseoutcomes()["passed"] >= len(certification_check_ids()) - 3
    # the failure message is the check and its findings, not a traceback into the plugin
    result.stdout.fnmatch_lines(
        [
            "*accuracy.fields fail: *",
            "critical, −* points, accuracy (准确), *",
            "- [[]*[]] *@*",
            "*expected *, actual *",
        ]
    )
    assert "pytest_plugin.py" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*不合格 fail*"])


def test_a_waived_check_is_xfail_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_vendor=f"""
        from conformance.pytest_plugin import certification_tests
        from conformance.reference import DEFECTS, ReferenceIntegration

        WAIVER = {{
            "check": "accuracy.fields", "reason": "单位换算在 2.0 版修正", "approver": "省固废中心 张工",
            "expires": "2099-12-31",
        }}
        test_certification = certification_tests(
            lambda: ReferenceIntegration(DEFECTS["kg-as-tonnes"][0]), {QUICK},
            waivers=[WAIVER], checks=["accuracy.fields", "completeness.exactly_once"],
        )
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-v", "-rx")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(
        ["XFAIL *accuracy.fields* waived until 2099-12-31 by 省固废中心 张工: 单位换算在 2.0 版修正"]
    )


def test_national_mock_fixture_journals_a_signed_ledger_record(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mock="""
        import json
        import uuid
        from importlib import resources

        SAMPLE = resources.files("contracts").joinpath("samples", "ledger.ndjson").read_text(encoding="utf-8")

        def test_posted_record_is_journalled(national_mock):
            record = json.loads(SAMPLE.splitlines()[0])
            key = str(uuid.uuid4())
            with national_mock.client() as client:
                r = client.post("/api/v1/ledger-records", json={"records": [record]}, headers={"Idempotency-Key": key})
            assert r.status_code == 200, r.text
            assert [x["outcome"] for x in r.json()["results"]] == ["accepted"]
            posts = [e for e in national_mock.journal() if e["method"] == "POST"]
            assert [(e["path"], e["app_key"], e["idem_key"], e["status"]) for e in posts] == [
                ("/api/v1/ledger-records", national_mock.app_key, key, 200)
            ]
            assert posts[0]["records"][0]["action"] == "created"
            stored = national_mock.list("/ledger-records", unit=record["unit_uscc"])
            assert [s["batch_code"] for s in stored] == [record["batch_code"]]
            assert national_mock.state()["ledger-records"] == 1

        def test_each_test_gets_a_fresh_mock_with_faults_and_a_clock(national_mock):
            assert national_mock.state()["ledger-records"] == 0
            assert national_mock.clock(set="2024-03-18T09:00:00+08:00", freeze=True)["now"].startswith("2024-03-18T09:00")
            national_mock.fault(kind="error", status=503, count=1)
            with national_mock.client() as client:
                assert client.get("/api/v1/ledger-records").status_code == 503
                national_mock.clear_faults()
                assert client.get("/api/v1/ledger-records").status_code == 200
            assert national_mock.secret not in repr(national_mock)
        """
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-v")
    result.assert_outcomes(passed=2)


def test_bad_arguments_fail_at_collection() -> None:
    with pytest.raises(ValueError, match="no shipped scenario 'no-such'"):
        certification_tests("http://127.0.0.1:1", scenarios=["no-such"])
    with pytest.raises(KeyError, match="unknown check"):
        certification_tests("http://127.0.0.1:1", checks=["accuracy.nope"])


def test_targets_and_run_sharing() -> None:
    test = certification_tests("http://127.0.0.1:8960/", profile="quick", scenarios=["labels"])
    cert = test.hazlink_certification  # type: ignore[attr-defined]
    assert isinstance(cert, Certification)
    driver, mode = cert.driver()
    assert isinstance(driver, HttpDriver) and mode == "driver"
    driver.http.close()
    again = certification_tests("http://127.0.0.1:8960", profile="quick", scenarios=["labels"])
    assert again.hazlink_certification.key() == cert.key()  # type: ignore[attr-defined]
    other = certification_tests("http://127.0.0.1:8960", profile="strict", scenarios=["labels"])
    assert other.hazlink_certification.key() != cert.key()  # type: ignore[attr-defined]
    marks = [m for m in test.pytestmark if m.name == "parametrize"]  # type: ignore[attr-defined]
    assert list(marks[0].args[1]) == certification_check_ids()
