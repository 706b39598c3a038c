"""``hazlink certify``: certify an integration against the mock national API; ``hazlink reference-driver``.

Exit status: 0 the run passed (合格); 1 it did not (基本合格 or 不合格: the report lists what to fix);
2 the harness could not run (a driver that does not answer the protocol, a bad scenario, profile or
waiver file).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from mappings import MappingError
from mappings import load_profile as load_mapping
from mocks.national import SeedIn, demo_seed

from ..reference import DEFECTS, ReferenceIntegration
from ..report import console_summary, write_bundle, write_junit
from ..suite.driver import Driver, DriverError, HttpDriver, Session
from ..suite.driver_server import driver_app
from ..suite.profiles import ProfileError, load_profile
from ..suite.registry import CHECKS
from ..suite.runner import RunArtifacts, RunOptions, certify
from ..suite.scenario import Scenario, ScenarioError, load_scenario, shipped_scenarios
from ..suite.waivers import WaiverError, load_waivers
from ._output import console, fail

__all__ = ["certify_cmd", "reference_driver_cmd"]


def _scenarios(spec: str | None) -> list[Scenario] | None:
    """Shipped scenario names and/or TOML files and folders, comma-separated; None: all shipped ones."""
    if not spec:
        return None
    shipped = shipped_scenarios()
    out: list[Scenario] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        path = Path(part)
        if part in shipped:
            out.append(shipped[part])
        elif path.is_dir():
            out += [load_scenario(f) for f in sorted(path.glob("*.toml"))]
        elif path.is_file():
            out.append(load_scenario(path))
        else:
            raise ScenarioError(f"no scenario {part!r}: not a shipped name ({', '.join(shipped)}) nor a file")
    return out


def certify_cmd(
    driver: Annotated[str | None, typer.Option(help="Base URL of the system under test's driver (HTTP/JSON)")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Certify the embedded reference integration (local REST system + bridge)")
    ] = False,
    defect: Annotated[
        str | None, typer.Option(help="With --demo: certify one of the deliberately faulty integrations instead")
    ] = None,
    profile: Annotated[str, typer.Option(help="default, strict, quick, or a profile .toml file")] = "default",
    scenarios: Annotated[
        str | None, typer.Option(help="Comma-separated shipped scenario names, .toml files or folders (default: all)")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Folder for the evidence bundle: report.json/.html, junit.xml, journal, diffs")
    ] = None,
    junit: Annotated[Path | None, typer.Option(help="Also write JUnit XML here")] = None,
    waivers: Annotated[Path | None, typer.Option(help="Waivers file (TOML waiver tables or a JSON array)")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated records (same seed, same records)")] = 0,
    observe: Annotated[
        bool, typer.Option("--observe", help="Observe-only: judge your own traffic against your local export")
    ] = False,
    mapping: Annotated[
        str | None, typer.Option(help="--observe: the mapping profile that reads your export (name or folder)")
    ] = None,
    export: Annotated[
        list[Path] | None, typer.Option(help="--observe: your local export, files or folders (repeatable)")
    ] = None,
    port: Annotated[int, typer.Option(help="--observe: loopback port of the mock national API")] = 8900,
    duration: Annotated[
        float | None, typer.Option(help="--observe: seconds of traffic to wait for (default: until Enter)")
    ] = None,
    secret_file: Annotated[
        Path, typer.Option(help="--observe: where to write the app secret your integration signs with")
    ] = Path("hazlink-observe.secret"),
    refdata: Annotated[
        Path | None, typer.Option(help="--observe: your units, licences and approvals (JSON), besides the demo ones")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON instead of the summary")] = False,
) -> None:
    """Certify that an integration is real-time, accurate and complete (实时、准确、完整).

    Starts the mock national API on loopback, plays the scenarios through the system under test's
    driver, injects the faults they ask for, and judges what reached the national side. Exit 0 pass,
    1 not passed, 2 harness error.
    """
    if observe:
        _observe(mapping, export or [], profile, port, duration, secret_file, refdata, report, junit, waivers, as_json)
    if bool(driver) == demo:
        raise fail("give either --driver URL or --demo (or --observe)")
    if defect and not demo:
        raise fail("--defect goes with --demo")
    if defect and defect not in DEFECTS:
        raise fail(f"no defect {defect!r}; known: {', '.join(DEFECTS)}")
    try:
        prof = load_profile(profile)
        chosen = _scenarios(scenarios)
        waived = load_waivers(waivers) if waivers else []
    except (ProfileError, ScenarioError, WaiverError) as exc:
        raise fail(str(exc)) from None
    unknown = sorted({w.check for w in waived} - {c.spec.id for c in CHECKS})
    if unknown:
        raise fail(f"{waivers}: waiver for unknown check(s) {', '.join(unknown)}")
    if report is not None and report.exists() and any(report.iterdir()):
        raise fail(f"--report {report}: the folder is not empty (an evidence bundle needs a folder of its own)")
    sut: Driver = ReferenceIntegration(DEFECTS[defect][0] if defect else None) if demo else HttpDriver(str(driver))
    out = console()
    started = time.monotonic()
    try:
        art = _run(
            sut,
            RunOptions(
                scenarios=chosen, profile=prof, seed=seed, waivers=waived, mode="callable" if demo else "driver"
            ),
            quiet=as_json,
        )
    except (DriverError, RuntimeError) as exc:
        raise fail(f"the run could not be completed: {exc}") from None
    finally:
        if isinstance(sut, HttpDriver):
            sut.close()
    if not as_json:
        out.print(f"{time.monotonic() - started:.1f} s", highlight=False)
    _finish(art, report, junit, as_json)


def _observe(
    mapping: str | None,
    export: list[Path],
    profile: str,
    port: int,
    duration: float | None,
    secret_file: Path,
    refdata: Path | None,
    report: Path | None,
    junit: Path | None,
    waivers: Path | None,
    as_json: bool,
) -> None:
    """``--observe``: serve the mock, wait for the vendor's traffic, judge it against the export."""
    from ..suite.observe import certify_observed

    if not mapping or not export:
        raise fail("--observe needs --mapping (the profile of your export) and --export PATH")
    missing = [str(p) for p in export if not p.exists()]
    if missing:
        raise fail(f"--export: no such file or folder: {', '.join(missing)}")
    if duration is None and not sys.stdin.isatty():
        raise fail("--observe without a terminal needs --duration SECONDS")
    try:
        prof = load_profile(profile)
        waived = load_waivers(waivers) if waivers else []
        load_mapping(mapping)
        seed = demo_seed()
        if refdata is not None:
            mine = SeedIn.model_validate_json(refdata.read_bytes())
            seed = SeedIn(
                units=seed.units + mine.units,
                licenses=seed.licenses + mine.licenses,
                approvals=seed.approvals + mine.approvals,
            )
    except (ProfileError, WaiverError, MappingError, OSError, ValidationError) as exc:
        raise fail(str(exc)) from None
    err = console(stderr=True)

    def traffic(session: Session) -> None:
        secret_file.write_text(session.app_secret + "\n", encoding="utf-8")
        secret_file.chmod(0o600)
        err.print(
            f"mock national API: {session.national_url}/api/v1 · app key {session.app_key} · secret in {secret_file}",
            highlight=False,
        )
        if duration is not None:
            err.print(f"observing for {duration:.0f} s …", highlight=False)
            time.sleep(duration)
        else:
            err.print("run your integration against it now; press Enter when its traffic is over", highlight=False)
            sys.stdin.readline()

    try:
        art = certify_observed(mapping, export, traffic, profile=prof, port=port, waivers=waived, seed=seed)
    except OSError as exc:
        raise fail(f"cannot serve on 127.0.0.1:{port}: {exc}") from None
    _finish(art, report, junit, as_json)


def _finish(art: RunArtifacts, report: Path | None, junit: Path | None, as_json: bool) -> None:
    """Print, write the reports and exit with the run's status."""
    result = art.result
    out = console()
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        console_summary(result, out)
    if junit is not None:
        write_junit(result, junit)
    if report is not None:
        extra: dict[str, bytes | Path] = {
            "journal.ndjson": "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in art.journal).encode(),
            "diffs.ndjson": "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in art.diffs).encode(),
        }
        write_bundle(report, result, extra)
        if not as_json:
            out.print(f"evidence bundle: {report} (check it with: hazlink evidence verify {report})", highlight=False)
    raise typer.Exit(0 if result.passed else 1)


def _run(sut: Driver, options: RunOptions, *, quiet: bool) -> RunArtifacts:
    """Run with a live progress bar on a terminal, plain progress lines otherwise."""
    err = console(stderr=True)
    if quiet or not err.is_terminal:

        def plain(event: str, data: dict[str, Any]) -> None:
            if not quiet and event == "scenario":
                err.print(f"[{data['index']}/{data['of']}] {data['name']}", highlight=False)

        options.progress = plain
        return certify(sut, options)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("certifying", total=None)

        def live(event: str, data: dict[str, Any]) -> None:
            if event == "scenario":
                bar.update(task, total=data["of"], completed=data["index"] - 1, description=f"scenario {data['name']}")
            elif event == "scenario_done":
                bar.advance(task)
            elif event == "finishing":
                bar.update(
                    task, description=f"waiting for the last records, then judging ({data['expected']} expected)"
                )

        options.progress = live
        return certify(sut, options)


def reference_driver_cmd(
    port: Annotated[int, typer.Option(help="TCP port on loopback")] = 8960,
    host: Annotated[str, typer.Option(help="Loopback address to listen on")] = "127.0.0.1",
    defect: Annotated[str | None, typer.Option(help="Serve one of the deliberately faulty integrations")] = None,
) -> None:
    """Serve the reference integration over the HTTP driver protocol (to try ``hazlink certify --driver``)."""
    from mocks.national.server import check_loopback, serve

    try:
        check_loopback(host)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if defect and defect not in DEFECTS:
        raise fail(f"no defect {defect!r}; known: {', '.join(DEFECTS)}")
    console(stderr=True).print(f"reference integration driver on http://{host}:{port}/driver/v1", highlight=False)
    serve(driver_app(ReferenceIntegration(DEFECTS[defect][0] if defect else None)), host=host, port=port)
