"""The evidence bundle: written with a hashed, chained manifest; every kind of tampering is reported."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from conformance.cli import evidence
from conformance.report import BUNDLE_FORMAT, MANIFEST, check_bundle, verify_bundle, write_bundle
from conformance.suite.model import (
    Category,
    CheckResult,
    CheckSpec,
    Evidence,
    Identity,
    Level,
    Outcome,
    RunResult,
    Score,
    Severity,
)

runner = CliRunner()
JOURNAL = b'{"seq":1,"event":"manifest.created"}\n{"seq":2,"event":"manifest.accepted"}\n'


def make_run(run_id: str = "run-7") -> RunResult:
    spec = CheckSpec(
        id="completeness.exactly_once",
        title_zh="记录不丢不重",
        title_en="Every record exactly once",
        category=Category.COMPLETENESS,
        severity=Severity.CRITICAL,
        points=30,
        clause="部令第23号 第十条",
    )
    finding = Evidence(code="record.lost", message_zh="记录丢失", message_en="record lost", subject="MF-1")
    return RunResult(
        identity=Identity(
            run_id=run_id,
            suite_version="1.0.0",
            contract_version="2024.2",
            code_lists={"catalogue": "2021"},
            sut_name="demo",
            sut_version="0.1",
            profile="provincial",
            mode="callable",
            seed=1,
            started_at=datetime(2025, 3, 1, tzinfo=UTC),
        ),
        score=Score(deducted=30, total=70, level=Level.FAIL, critical_failures=[spec.id]),
        checks=[CheckResult(spec=spec, outcome=Outcome.FAIL, findings=[finding], deducted=30)],
        latencies_s=[0.3, 0.4, 2.0],
        sla={"p95_s": 5.0, "max_s": 30.0},
    )


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    source = tmp_path / "diffs-source.ndjson"
    source.write_bytes(b'{"diff":"weight","expected":1.5,"actual":1.2}\n')
    directory = tmp_path / "bundle"
    manifest = write_bundle(directory, make_run(), {"journal.ndjson": JOURNAL, "diffs.ndjson": source})
    assert manifest == directory / MANIFEST
    return directory


def manifest_of(directory: Path) -> dict[str, object]:
    data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def rewrite(directory: Path, data: dict[str, object]) -> None:
    (directory / MANIFEST).write_text(json.dumps(data), encoding="utf-8")


def test_a_fresh_bundle_verifies(bundle: Path) -> None:
    assert verify_bundle(bundle) == []
    names = sorted(p.name for p in bundle.iterdir())
    assert names == ["MANIFEST.json", "diffs.ndjson", "journal.ndjson", "junit.xml", "report.html", "report.json"]
    assert (bundle / "journal.ndjson").read_bytes() == JOURNAL
    assert RunResult.model_validate_json((bundle / "report.json").read_text(encoding="utf-8")) == make_run()


def test_manifest_lists_hashes_in_path_order_and_chains_them(bundle: Path) -> None:
    data = manifest_of(bundle)
    assert data["format"] == BUNDLE_FORMAT == "hazlink-evidence/1"
    assert data["run_id"] == "run-7"
    datetime.fromisoformat(str(data["created_at"]))
    files = data["files"]
    assert isinstance(files, list)
    paths = [f["path"] for f in files]
    assert paths == sorted(paths) == ["diffs.ndjson", "journal.ndjson", "junit.xml", "report.html", "report.json"]
    for f in files:
        content = (bundle / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(content).hexdigest() and f["bytes"] == len(content)
    # the chain recomputed independently of the implementation
    head = hashlib.sha256(b"run-7").hexdigest()
    for f in files:
        head = hashlib.sha256((head + f["path"] + f["sha256"]).encode()).hexdigest()
    assert data["chain"] == head


def test_a_changed_byte_is_a_hash_problem(bundle: Path) -> None:
    content = bytearray((bundle / "journal.ndjson").read_bytes())
    content[5] ^= 1
    (bundle / "journal.ndjson").write_bytes(bytes(content))
    problems = verify_bundle(bundle)
    assert len(problems) == 1 and problems[0].startswith("journal.ndjson: hash differs")


def test_a_deleted_file_is_missing(bundle: Path) -> None:
    (bundle / "report.html").unlink()
    assert verify_bundle(bundle) == ["report.html: file missing"]


def test_an_added_file_is_unlisted(bundle: Path) -> None:
    (bundle / "sub").mkdir()
    (bundle / "sub" / "extra.txt").write_text("planted")
    assert verify_bundle(bundle) == ["sub/extra.txt: file not listed in the manifest"]


def test_swapped_manifest_paths_break_hashes_and_chain(bundle: Path) -> None:
    data = manifest_of(bundle)
    files = data["files"]
    assert isinstance(files, list)
    files[0]["path"], files[1]["path"] = files[1]["path"], files[0]["path"]
    rewrite(bundle, data)
    kinds = {p.kind for p in check_bundle(bundle)}
    assert {"hash", "chain"} <= kinds


def test_reordered_entries_break_the_chain(bundle: Path) -> None:
    data = manifest_of(bundle)
    files = data["files"]
    assert isinstance(files, list)
    files.reverse()
    rewrite(bundle, data)
    assert {p.kind for p in check_bundle(bundle)} == {"order", "chain"}


def test_a_consistent_rename_breaks_the_chain(bundle: Path) -> None:
    # file and entry renamed together, hashes still right: only the chain can tell
    (bundle / "diffs.ndjson").rename(bundle / "a-diffs.ndjson")
    data = manifest_of(bundle)
    files = data["files"]
    assert isinstance(files, list)
    files[0]["path"] = "a-diffs.ndjson"
    rewrite(bundle, data)
    assert [p.kind for p in check_bundle(bundle)] == ["chain"]


def test_a_deleted_entry_and_file_are_still_caught(bundle: Path) -> None:
    (bundle / "junit.xml").unlink()
    data = manifest_of(bundle)
    files = data["files"]
    assert isinstance(files, list)
    data["files"] = [f for f in files if f["path"] != "junit.xml"]
    rewrite(bundle, data)
    assert {p.kind for p in check_bundle(bundle)} == {"missing", "chain"}


def test_a_manifest_of_another_run_is_caught(bundle: Path) -> None:
    data = manifest_of(bundle)
    data["run_id"] = "run-8"
    rewrite(bundle, data)
    assert {p.kind for p in check_bundle(bundle)} == {"chain", "run_id"}


def test_an_escaping_path_is_refused(bundle: Path) -> None:
    data = manifest_of(bundle)
    files = data["files"]
    assert isinstance(files, list)
    files[0]["path"] = "../diffs-source.ndjson"
    rewrite(bundle, data)
    kinds = [p.kind for p in check_bundle(bundle)]
    assert "unsafe" in kinds and "unlisted" in kinds


@pytest.mark.parametrize("content", ["{not json", "[]", '{"format": "other/1"}', '{"format": "hazlink-evidence/1"}'])
def test_an_unreadable_manifest_is_fatal(bundle: Path, content: str) -> None:
    (bundle / MANIFEST).write_text(content, encoding="utf-8")
    problems = check_bundle(bundle)
    assert len(problems) == 1 and problems[0].fatal and "unreadable" in problems[0].message


def test_not_a_bundle(tmp_path: Path) -> None:
    assert check_bundle(tmp_path)[0].fatal
    assert check_bundle(tmp_path / "nowhere")[0].fatal


def test_write_bundle_refuses_bad_names_and_a_used_folder(tmp_path: Path) -> None:
    for name in ("../escape.txt", "/abs.txt", "report.json", MANIFEST, "a/../b", ""):
        with pytest.raises(ValueError):
            write_bundle(tmp_path / "b1", make_run(), {name: b"x"})
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old.txt").write_text("old")
    with pytest.raises(FileExistsError):
        write_bundle(tmp_path / "used", make_run(), {})
    write_bundle(tmp_path / "nested", make_run(), {"logs/journal.ndjson": JOURNAL})
    assert verify_bundle(tmp_path / "nested") == []


# --- CLI --------------------------------------------------------------------------------------------


def test_cli_exit_codes(bundle: Path, tmp_path: Path) -> None:
    good = runner.invoke(evidence.app, ["verify", str(bundle)])
    assert good.exit_code == 0, good.output
    assert "OK" in good.output and "5 files" in good.output
    (bundle / "planted.txt").write_text("x")
    (bundle / "journal.ndjson").write_bytes(b"forged\n")
    bad = runner.invoke(evidence.app, ["verify", str(bundle)])
    assert bad.exit_code == 1
    assert "planted.txt" in bad.output and "journal.ndjson: hash differs" in bad.output
    assert runner.invoke(evidence.app, ["verify", str(tmp_path / "nowhere")]).exit_code == 2
    (bundle / MANIFEST).write_text("{", encoding="utf-8")
    unreadable = runner.invoke(evidence.app, ["verify", str(bundle)])
    assert unreadable.exit_code == 2 and "unreadable" in unreadable.output


def test_cli_as_wired_under_hazlink(bundle: Path) -> None:
    # the way conformance.cli mounts it: ``hazlink evidence verify DIR``
    root = typer.Typer()
    root.command("noop")(lambda: None)
    root.add_typer(evidence.app, name="evidence")
    result = runner.invoke(root, ["evidence", "verify", str(bundle)])
    assert result.exit_code == 0, result.output
