"""``hazlink translate`` as a user runs it: counts in = out + rejected for every profile, exit codes 0/1/2."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from conformance.cli.translate import translate
from mocks.local import Generator, enterprise_csv, legacy_soap, prov_rest

from .conftest import SAVED_AT, Clock

app = typer.Typer()


@app.callback()
def _group() -> None:
    """The command as it is registered in ``hazlink``."""


app.command("translate")(translate)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["translate", *args])
    return result.exit_code, result.output


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def prov_rest_inputs(folder: Path) -> tuple[list[Path], int]:
    gen = Generator(41)
    records = []
    for i in range(12):
        r = prov_rest.render_manifest(gen.manifest()) | {"MODIFYRQ": "2024-06-01 10:00:00"}
        if i % 4 == 0:
            r["wxfw"][0]["jldw"] = "立方米"  # a unit nobody declared
        if i % 5 == 0:
            r["tbrq"] = "2024-02-30 08:00:00"
        records.append(r)
    pages = [records[:7], records[7:]]
    paths = []
    for n, page in enumerate(pages, start=1):
        path = folder / f"ldxx-page{n}.json"
        path.write_text(
            json.dumps({"success": True, "obj": page, "pageNum": n, "pages": 2}, ensure_ascii=False), "utf-8"
        )
        paths.append(path)
    (folder / "ldxx-page3.json").write_text("[1, {}]", encoding="utf-8")  # not objects, then an empty one
    return [*paths, folder / "ldxx-page3.json"], 14


def legacy_soap_inputs(folder: Path) -> tuple[list[Path], int]:
    gen = Generator(42)
    rows = [legacy_soap.render_manifest(gen.manifest()) | {"xgsj": "20240601100000"} for _ in range(9)]
    rows[2]["fwxx"][0]["zl"] = "一千"  # not a number
    (folder / "a.xml").write_bytes(legacy_soap.response_document("queryLdxx", "ldxx", rows))
    (folder / "evil.xml").write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><ldxx/>')
    (folder / "cut.xml").write_bytes(legacy_soap.response_document("queryLdxx", "ldxx", rows[:2])[:-60])
    # cut.xml breaks off inside its second record: the first record, then one rejection for the rest
    return [folder / "a.xml", folder / "evil.xml", folder / "cut.xml"], 9 + 1 + 1 + 1


def enterprise_csv_inputs(folder: Path) -> tuple[list[Path], int]:
    gen = Generator(43)
    rows = [enterprise_csv.render_row(r) for r in gen.ledger(5)]
    rows[1]["计量单位"] = "方"
    rows[6]["废物代码"] = "HW08/900-041-49"
    enterprise_csv.write_csv(folder / "a.csv", rows[:10], encoding="gbk")
    enterprise_csv.write_csv(folder / "b.csv", rows[10:], encoding="utf-8", bom=True, delimiter="\t")
    enterprise_csv.write_xlsx(folder / "c.xlsx", gen.ledger(1))
    return [folder / "a.csv", folder / "b.csv", folder / "c.xlsx"], 20 + 4


@pytest.mark.parametrize(
    ("profile", "make"),
    [("prov-rest", prov_rest_inputs), ("legacy-soap", legacy_soap_inputs), ("enterprise-csv", enterprise_csv_inputs)],
)
def test_counts_in_equal_out_plus_rejected(profile: str, make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inputs, count = make(tmp_path)
    rejects = tmp_path / "rejects.ndjson"
    code, output = run(
        "--profile", profile, *map(str, inputs), "-o", str(tmp_path / "out-{kind}.ndjson"), "--rejects", str(rejects)
    )
    written = [x for path in tmp_path.glob("out-*.ndjson") for x in lines(path)]
    rejected = lines(rejects)
    assert len(written) + len(rejected) == count, output
    assert f"{count} in · {len(written)} out · {len(rejected)} rejected" in output
    assert rejected and code == 1
    for r in rejected:
        assert r["where"] and r["reasons"]
        for reason in r["reasons"]:  # type: ignore[attr-defined]
            assert reason["code"] and reason["message_zh"] and reason["message_en"]


def test_nothing_rejected_exits_0(tmp_path: Path) -> None:
    rows = [enterprise_csv.render_row(r) for r in Generator(44).ledger(2)]
    enterprise_csv.write_csv(tmp_path / "a.csv", rows)
    code, output = run("--profile", "enterprise-csv", str(tmp_path / "a.csv"), "-o", str(tmp_path / "o.ndjson"))
    assert code == 0, output
    assert len(lines(tmp_path / "o.ndjson")) == 8 and lines(tmp_path / "o.rejects.ndjson") == []


def test_rejections_say_where_and_why(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "enterprise-csv" / "台账导出-202403.csv"
    code, _ = run(
        "--profile",
        "enterprise-csv",
        str(data),
        "-o",
        str(tmp_path / "o.ndjson"),
        "--rejects",
        str(tmp_path / "r.ndjson"),
    )
    assert code == 1
    first = lines(tmp_path / "r.ndjson")[0]
    assert first["where"].endswith("台账导出-202403.csv line 7")  # type: ignore[union-attr]
    assert first["reasons"][0]["source"] == "数量, 计量单位"  # type: ignore[index]
    assert first["record"]["计量单位"] == "斗"  # type: ignore[index]  # the local record, to fix and resend


def test_several_kinds_need_a_kind_placeholder(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "legacy-soap"
    files = [str(data / "queryLdxxResponse.xml"), str(data / "queryGjxxResponse.xml")]
    code, output = run("--profile", "legacy-soap", *files, "-o", str(tmp_path / "o.ndjson"))
    assert code == 2 and "{kind}" in output
    code, _ = run("--profile", "legacy-soap", *files, "-o", str(tmp_path / "o-{kind}.ndjson"))
    assert code == 1
    assert len(lines(tmp_path / "o-manifest.ndjson")) == 2 and len(lines(tmp_path / "o-track.ndjson")) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "prov-rst", "x.json"], "did you mean 'prov-rest'"),
        (["--profile", "prov-rest", "missing.json"], "no such input file"),
        (["--profile", "prov-rest", "--stream", "ledger", "IN"], "no stream 'ledger'"),
        (["--profile", "prov-rest"], "give input files"),
    ],
)
def test_configuration_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    real = tmp_path / "x.json"
    real.write_text("[]", encoding="utf-8")
    args = [str(real) if a in ("x.json", "IN") else a for a in args]
    code, output = run(*args, "-o", str(tmp_path / "o.ndjson"))
    assert code == 2 and message in output


def test_a_broken_mapping_file_exits_2_and_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "national@2024.1.toml").write_text(
        '[mapping]\nprofile = "m"\ncontract = "national"\ncontract_version = "2024.1"\n'
        '[resources.x]\nkind = "ledger"\nkey = ["a"]\n[resources.x.fields]\nkind = { cnst = "generate" }\n',
        encoding="utf-8",
    )
    (tmp_path / "in.csv").write_text("a\n1\n", encoding="utf-8")
    code, output = run("--profile", str(tmp_path / "m"), str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.ndjson"))
    assert code == 2 and "resources.x.fields.kind" in output and "did you mean 'const'" in output


@pytest.fixture
def live_prov_rest() -> Iterator[str]:
    system = prov_rest.ProvRestSystem(clock=Clock(SAVED_AT))
    system.seed(Generator(45), manifests=3, points=2)
    config = uvicorn.Config(prov_rest.create_app(system), host="127.0.0.1", port=0, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        assert time.time() < deadline, "the reference server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def test_source_reads_a_live_local_system(live_prov_rest: str, tmp_path: Path) -> None:
    code, output = run(
        "--profile",
        "prov-rest",
        "--source",
        live_prov_rest,
        "--set",
        "token=demo-token",
        "--set",
        "settle_seconds=0",
        "-o",
        str(tmp_path / "{kind}.ndjson"),
    )
    assert code == 0, output
    assert len(lines(tmp_path / "manifest.ndjson")) == 3 and len(lines(tmp_path / "track.ndjson")) >= 2
