"""The ``hazlink`` command line as a user runs it: exit codes, tables, JSON, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conformance.cli import app
from conformance.cli.validate import Kind
from contracts import KINDS

runner = CliRunner()
SAMPLES = Path(str(resources.files("contracts").joinpath("samples")))


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_kind_choices_match_the_contract() -> None:
    assert {k.value for k in Kind} == set(KINDS)


def test_valid_file_exits_0_and_says_so() -> None:
    code, out = run("validate", "--kind", "manifest", str(SAMPLES / "manifest.json"))
    assert code == 0, out
    assert "1 records · 0 errors" in out


def test_invalid_records_exit_1_with_findings_in_json() -> None:
    code, out = run("validate", "--kind", "manifest", "--format", "json", str(SAMPLES / "manifests.ndjson"))
    assert code == 1
    findings = json.loads(out)
    by_record = {(f["record"], f["code"]) for f in findings}
    assert (3, "waste_code.category_mismatch") in by_record
    assert (5, "schema.timezone_aware") in by_record
    assert all({"code", "severity", "path", "message_zh", "message_en"} <= f.keys() for f in findings)
    assert not any(f["record"] in (1, 2) and f["severity"] == "error" for f in findings)


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    line = (SAMPLES / "units.ndjson").read_text(encoding="utf-8").splitlines()[2]  # pilot code, checksum warning
    f = tmp_path / "unit.json"
    f.write_text(line, encoding="utf-8")
    code, out = run("validate", "-k", "unit", "-f", "json", str(f))
    assert code == 0
    assert [x["code"] for x in json.loads(out)] == ["uscc.checksum"]


def test_json_array_records_are_numbered_from_1(tmp_path: Path) -> None:
    rows = [json.loads(x) for x in (SAMPLES / "labels.ndjson").read_text(encoding="utf-8").splitlines()]
    f = tmp_path / "labels.json"
    f.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    code, out = run("validate", "-k", "label", "-f", "json", str(f))
    assert code == 1
    assert {x["record"] for x in json.loads(out)} == {3, 4}


def test_a_broken_ndjson_line_is_a_finding_and_the_rest_still_counts(tmp_path: Path) -> None:
    good = (SAMPLES / "manifest.json").read_text(encoding="utf-8")
    f = tmp_path / "m.ndjson"
    f.write_text(json.dumps(json.loads(good)) + "\n{not json\n" + json.dumps(json.loads(good)) + "\n")
    code, out = run("validate", "-k", "manifest", "-f", "json", str(f))
    assert code == 1
    findings = json.loads(out)
    assert [(x["record"], x["code"]) for x in findings if x["code"] == "schema.json_invalid"] == [
        (2, "schema.json_invalid")
    ]
    assert any(x["code"] == "duplicate.key" and x["record"] == 3 for x in findings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2", "not JSON"),
        (b"42", "expected a JSON object"),
    ],
)
def test_unreadable_input_exits_2_with_a_message(tmp_path: Path, content: bytes | None, message: str) -> None:
    f = tmp_path / "in.json"
    if content is not None:
        f.write_bytes(content)
    code, out = run("validate", "-k", "manifest", str(f))
    assert code == 2
    assert message in out
    assert "Traceback" not in out


def test_label_split_option_is_checked() -> None:
    code, out = run("validate", "-k", "label", "--label-split", "18,8,8", str(SAMPLES / "labels.ndjson"))
    assert code == 2
    assert "label-split" in out


def test_structure_only_skips_code_lists() -> None:
    code, out = run("validate", "-k", "manifest", "--structure-only", "-f", "json", str(SAMPLES / "manifests.ndjson"))
    # Only the naive timestamp is structural; the category, plate and approval findings need code lists.
    assert {(x["record"], x["code"]) for x in json.loads(out)} == {(5, "schema.timezone_aware")}
    assert code == 1


def test_demo_passes_on_the_shipped_samples() -> None:
    code, out = run("demo")
    assert code == 0, out
    assert "Every valid sample passed" in out


def test_openapi_check_and_print() -> None:
    code, _ = run("contract", "openapi", "--check")
    assert code == 0
    code, out = run("contract", "openapi")
    assert json.loads(out)["openapi"] == "3.1.0"


def test_console_script_runs_without_traceback_on_bad_kind() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from conformance.cli import main; main()", "validate", "-k", "nope", "x.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["mock", "serve", "--credential", "bad"], "error: credential must be KEY:SECRET:SCOPE"),
        (["monitor", "run", "--config", "[red]x[/]:secret:.toml"], "error: [red]x[/]:secret:.toml: cannot be read"),
        (["validate", "--kind", "ledger", "[1]:warning:.json"], "error: [1]:warning:.json"),
        (["translate", "--profile", "[b]no[/b]", str(SAMPLES / "manifest.json"), "-o", "o.ndjson"], "error: [b]no[/b]: no such profile"),
    ],
)
def test_error_messages_print_as_written(args: list[str], expected: str) -> None:
    # Values in messages (paths, credential syntax) are neither rich markup nor emoji codes.
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert expected in text, result.output
    assert "[bold red]" not in text and "㊙" not in text and "⚠" not in text
