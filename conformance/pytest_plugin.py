"""hazlink for pytest: certify an integration as part of a test suite, and a mock national API per test.

Installing hazlink registers this plugin with pytest (entry point ``hazlink``). A vendor's whole
certification is then a three-line test file::

    from conformance.pytest_plugin import certification_tests
    from my_integration import MyDriver
    test_certification = certification_tests(MyDriver)

``MyDriver`` is any object with the five methods of ``conformance.suite.driver.Driver`` (or a class or
zero-argument factory making one); an integration that speaks the driver protocol over HTTP is named
by its URL instead: ``certification_tests("http://127.0.0.1:8960")``.

pytest then reports **one test item per check** (``test_certification[accuracy.fields]``, …), all
backed by one certification run, played lazily when the first item runs and shared by every item of
that target in the session:

- a check that passed passes; a failed check (or one that could not run) fails with its findings;
- a failed check covered by a waiver in force is reported as xfail with the waiver's reason;
- a check that nothing in the run exercised is skipped.

``certification_tests(..., profile="quick", scenarios=["labels", "rate-limited"])`` shortens the run;
``per_scenario=True`` adds one item per scenario, ``verdict=True`` one for the run's level (合格 or not).

``pytest --hazlink-report DIR`` writes each run's evidence bundle (``report.json``, ``report.html``,
``junit.xml``, the national journal and the manifest hashing them) to ``DIR/<sut>-<profile>/``.

The ``national_mock`` fixture gives a test a fresh, seeded mock national API on a loopback port, with
a credential of its own and the control API (journal, faults, clock)::

    def test_my_bridge_delivers(national_mock):
        MyBridge(national_mock.url, national_mock.app_key, national_mock.secret).deliver(record)
        assert any(e["path"] == "/api/v1/ledger-records" for e in national_mock.journal())

When hazlink is installed the plugin loads by itself; do not also name it in ``pytest_plugins`` or
``-p conformance.pytest_plugin`` (pytest refuses to register one module twice). With
``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` set, load it with ``-p hazlink``. Under pytest-xdist every worker
plays its own run; use ``-p no:xdist`` (or ``-n 0``) for certification files.
"""

from __future__ import annotations

import gc
import json
import re
import secrets
import shutil
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import httpx
import pytest

from contracts.signing import SigningAuth
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.testing import AppSwitch, serving_switch

from .suite.driver import Driver, HttpDriver
from .suite.model import CheckResult, Outcome, RunResult, ScenarioResult, Waiver
from .suite.profiles import Profile, load_profile
from .suite.scenario import Scenario, load_scenario, shipped_scenarios

if TYPE_CHECKING:
    from .suite.runner import RunArtifacts

__all__ = ["Certification", "NationalMock", "Target", "certification_tests", "national_mock"]

Target: TypeAlias = Driver | str | Callable[[], Driver]
"""What to certify: a driver object, a class or zero-argument factory making one, or a driver URL."""

_DRIVER_METHODS = ("info", "start", "perform", "status", "stop")
_FINDINGS_SHOWN = 20
_SCENARIO_PREFIX = "scenario:"
_VERDICT = "verdict"


# --- command line and session state -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--hazlink-report DIR``."""
    group = parser.getgroup("hazlink", "hazlink certification")
    group.addoption(
        "--hazlink-report",
        metavar="DIR",
        default=None,
        help="write the evidence bundle (JSON, HTML, JUnit XML) of each certification run to DIR/<sut>-<profile>/",
    )


@dataclass
class _Played:
    """One certification run of the session: its result (or why it could not be played) and its reports."""

    certification: Certification
    result: RunResult | None = None
    error: BaseException | None = None
    journal: list[dict[str, Any]] = field(default_factory=list, repr=False)
    diffs: list[dict[str, Any]] = field(default_factory=list, repr=False)
    reported: bool = False
    report_dir: Path | None = None


@dataclass
class _Runs:
    """The certification runs of a session, by target and options."""

    played: dict[tuple[Any, ...], _Played] = field(default_factory=dict)
    report_dirs: set[Path] = field(default_factory=set)


_RUNS = pytest.StashKey[_Runs]()


def _runs(config: pytest.Config) -> _Runs:
    return config.stash.setdefault(_RUNS, _Runs())


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """One line per certification run: the system, its level and score, and where its reports are."""
    runs = config.stash.get(_RUNS, None)
    if runs is None or not runs.played:
        return
    terminalreporter.section("hazlink certification")
    for played in runs.played.values():
        if played.result is None:
            terminalreporter.write_line(f"{played.certification.label}: the run could not be played: {played.error!r}")
            continue
        run = played.result
        ident, score = run.identity, run.score
        line = (
            f"{ident.sut_name} {ident.sut_version} · profile {ident.profile} · "
            f"{score.level.zh} {score.level.value} · score {score.total} · run {ident.run_id}"
        )
        if played.report_dir is not None:
            line += f" · reports in {played.report_dir}"
        terminalreporter.write_line(line)
        for error in run.harness_errors:
            terminalreporter.write_line(f"  harness error: {error}")


# --- certification as test items ------------------------------------------------------------------------


@dataclass(eq=False)
class Certification:
    """One target with its options: what ``certification_tests`` parametrizes and runs once per session."""

    target: Target
    profile: Profile
    scenarios: list[Scenario] | None
    waivers: list[Waiver]
    checks: list[str] | None
    seed: int = 0

    @property
    def label(self) -> str:
        """The target as people know it (its URL, class or function name)."""
        if isinstance(self.target, str):
            return self.target
        name = getattr(self.target, "__qualname__", None) or type(self.target).__qualname__
        return str(name)

    def key(self) -> tuple[Any, ...]:
        """Certifications with equal keys share one run."""
        target: Any = ("url", self.target.rstrip("/")) if isinstance(self.target, str) else ("object", id(self.target))
        return (
            target,
            self.profile.model_dump_json(),
            None if self.scenarios is None else tuple(s.model_dump_json() for s in self.scenarios),
            tuple(w.model_dump_json() for w in self.waivers),
            None if self.checks is None else tuple(self.checks),
            self.seed,
        )

    def driver(self) -> tuple[Driver, str]:
        """A driver for the target and the run mode it implies (``driver`` over HTTP, else ``callable``)."""
        target = self.target
        if isinstance(target, str):
            return HttpDriver(target), "driver"
        if not isinstance(target, type) and all(callable(getattr(target, m, None)) for m in _DRIVER_METHODS):
            return cast(Driver, target), "callable"
        made = cast(Callable[[], Any], target)()
        if not all(callable(getattr(made, m, None)) for m in _DRIVER_METHODS):
            raise TypeError(
                f"{self.label}() made {made!r}, which lacks the driver methods {', '.join(_DRIVER_METHODS)}"
            )
        return made, "callable"

    def play(self) -> RunArtifacts:
        """Certify the target (``conformance.suite.runner.certify``): the judged run and its evidence."""
        from .suite.runner import RunOptions, certify

        driver, mode = self.driver()
        options = RunOptions(
            scenarios=self.scenarios,
            profile=self.profile,
            seed=self.seed,
            waivers=self.waivers,
            mode=mode,
            checks=self.checks,
        )
        try:
            return certify(driver, options)
        finally:
            # The run's own HTTP clients may be left to the garbage collector; collect them here, quietly,
            # so that a project running with ``filterwarnings = error`` does not see their ResourceWarning
            # attributed to whichever test happens to trigger the collection.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                gc.collect()


def certification_tests(
    target: Target,
    *,
    profile: str | Profile = "default",
    scenarios: Sequence[str | Path | Scenario] | None = None,
    waivers: Iterable[Waiver | dict[str, Any]] | str | Path | None = None,
    checks: Sequence[str] | None = None,
    per_scenario: bool = False,
    verdict: bool = False,
    seed: int = 0,
) -> Callable[..., None]:
    """A pytest test function certifying ``target``, parametrized with one item per check.

    ``target``: a driver object, a class or zero-argument factory making one (called when the run
    starts, not at import), or the base URL of a driver served over HTTP.
    ``profile``: a built-in profile name (``default``, ``strict``, ``quick``), a TOML file, or a ``Profile``.
    ``scenarios``: shipped scenario names (e.g. ``"rate-limited"``), TOML files, or ``Scenario`` objects;
    all shipped scenarios by default.
    ``waivers``: ``Waiver`` objects or their dicts, or a TOML/JSON waiver file.
    ``checks``: only these check ids (all certification checks by default).
    ``per_scenario``: also one item per scenario (``scenario:<name>``); ``verdict``: also one item that
    fails unless the run's level is 合格 pass.

    Assign the result to a module-level name starting with ``test``. A bad argument (an unknown
    scenario, profile or check) raises here, so the file fails at collection with the reason.
    """
    cert = Certification(
        target=target,
        profile=profile if isinstance(profile, Profile) else load_profile(profile),
        scenarios=None if scenarios is None else _scenarios(scenarios),
        waivers=_waivers(waivers),
        checks=None if checks is None else list(checks),
        seed=seed,
    )
    items = _check_ids(cert.checks)
    if per_scenario:
        names = [s.name for s in cert.scenarios] if cert.scenarios is not None else list(shipped_scenarios())
        items += [_SCENARIO_PREFIX + n for n in names]
    if verdict:
        items.append(_VERDICT)

    @pytest.mark.parametrize("hazlink_item", items, ids=items)
    def test(hazlink_item: str, request: pytest.FixtureRequest) -> None:
        played = _play(request.config, cert)
        if played.error is not None:
            pytest.fail(f"the certification run of {cert.label} could not be played: {played.error!r}", pytrace=False)
        assert played.result is not None
        _judge_item(played.result, hazlink_item, request)

    test.__doc__ = f"hazlink certification of {cert.label} (profile {cert.profile.name}): one item per check."
    setattr(test, "hazlink_certification", cert)  # noqa: B010 - for tools that want the target and options
    return test


def _scenarios(given: Sequence[str | Path | Scenario]) -> list[Scenario]:
    shipped = shipped_scenarios()
    out: list[Scenario] = []
    for s in given:
        if isinstance(s, Scenario):
            out.append(s)
        elif isinstance(s, Path) or str(s).endswith(".toml"):
            out.append(load_scenario(s))
        elif s in shipped:
            out.append(shipped[s])
        else:
            raise ValueError(f"no shipped scenario {s!r}; shipped: {', '.join(shipped)} (or a .toml file)")
    return out


def _waivers(given: Iterable[Waiver | dict[str, Any]] | str | Path | None) -> list[Waiver]:
    if given is None:
        return []
    if isinstance(given, str | Path):
        from .suite.waivers import load_waivers

        return load_waivers(given)
    return [w if isinstance(w, Waiver) else Waiver.model_validate(w) for w in given]


def _check_ids(only: list[str] | None) -> list[str]:
    """The ids of the checks a certification run judges, in registration order."""
    from .suite import judge as _judge  # noqa: F401 - registers the shipped checks
    from .suite.registry import CHECKS

    return [c.spec.id for c in CHECKS.select(only) if not c.spec.id.startswith("monitor.")]


def _play(config: pytest.Config, cert: Certification) -> _Played:
    """The session's run of ``cert``'s target and options, played now if it has not been."""
    runs = _runs(config)
    key = cert.key()
    played = runs.played.get(key)
    if played is None:
        played = runs.played[key] = _Played(cert)
        try:
            artifacts = cert.play()
            played.result, played.journal, played.diffs = artifacts.result, artifacts.journal, artifacts.diffs
        except Exception as exc:  # every item reports it; the run is not retried
            played.error = exc
    if played.result is not None and not played.reported:
        played.reported = True
        folder = config.getoption("hazlink_report", default=None)
        if folder:
            played.report_dir = _write_reports(Path(folder), played, runs.report_dirs)
    return played


def _write_reports(folder: Path, played: _Played, taken: set[Path]) -> Path:
    """The run's evidence bundle in ``folder/<sut>-<profile>[-n]``, replacing an earlier bundle there."""
    from .report import MANIFEST, write_bundle

    run = played.result
    assert run is not None
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{run.identity.sut_name}-{run.identity.profile}").strip("-.") or "run"
    target, n = folder / base, 1
    while target.resolve() in taken:
        n += 1
        target = folder / f"{base}-{n}"
    taken.add(target.resolve())
    if target.is_dir() and any(target.iterdir()):
        if not (target / MANIFEST).is_file():
            raise FileExistsError(f"{target} holds files that are not a hazlink evidence bundle; not replacing them")
        shutil.rmtree(target)
    journal = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in played.journal)
    diffs = json.dumps(played.diffs, ensure_ascii=False, indent=2, default=str) + "\n"
    write_bundle(target, run, {"journal.ndjson": journal.encode("utf-8"), "diffs.json": diffs.encode("utf-8")})
    return target


def _judge_item(run: RunResult, item: str, request: pytest.FixtureRequest) -> None:
    """Pass, fail, xfail or skip the item as the run judged its check (or scenario, or verdict)."""
    if item == _VERDICT:
        _verdict(run)
        return
    if item.startswith(_SCENARIO_PREFIX):
        name = item.removeprefix(_SCENARIO_PREFIX)
        scenario = next((s for s in run.scenarios if s.name == name), None)
        if scenario is None:
            pytest.fail(f"scenario {name!r} is not in the run", pytrace=False)
        _scenario(scenario)
        return
    check = next((c for c in run.checks if c.spec.id == item), None)
    if check is None:
        pytest.fail(f"check {item!r} was not judged in this run", pytrace=False)
    request.node.user_properties += [
        ("hazlink.outcome", check.outcome.value),
        ("hazlink.deducted", check.deducted),
        ("hazlink.findings", len(check.findings)),
    ]
    if check.outcome is Outcome.PASS:
        return
    if check.outcome is Outcome.SKIPPED:
        pytest.skip(_summary(check) or "nothing in the run exercised this check")
    if check.outcome is Outcome.WAIVED:
        w = check.waiver
        reason = f"waived until {w.expires} by {w.approver}: {w.reason}" if w else "waived"
        pytest.xfail(f"{check.spec.id} {reason}")
    pytest.fail(_failure(check), pytrace=False)


def _verdict(run: RunResult) -> None:
    if run.passed:
        return
    score = run.score
    lines = [
        f"level {score.level.zh} {score.level.value}: score {score.total} = {score.base} − {score.deducted} "
        f"+ {score.bonus} (合格 pass ≥ {score.pass_at}, 基本合格 conditional ≥ {score.conditional_at})"
    ]
    if score.critical_failures:
        lines.append("critical failures: " + ", ".join(score.critical_failures))
    lines += [f"failed: {c.spec.id} (−{c.deducted})" for c in run.failed()]
    lines += [f"harness error: {e}" for e in run.harness_errors]
    pytest.fail("\n".join(lines), pytrace=False)


def _scenario(scenario: ScenarioResult) -> None:
    if scenario.outcome is Outcome.PASS:
        return
    lines = [
        f"{scenario.name} — {scenario.title_en} / {scenario.title_zh}: {scenario.outcome.value}",
        f"records seen nationally: {scenario.observed_records}/{scenario.expected_records}",
    ]
    if scenario.failed_checks:
        lines.append("failed checks: " + ", ".join(scenario.failed_checks))
    lines += scenario.notes
    pytest.fail("\n".join(lines), pytrace=False)


def _summary(check: CheckResult) -> str:
    return " / ".join(s for s in (check.summary_en, check.summary_zh) if s)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _failure(check: CheckResult) -> str:
    """A failed check as people read it in the pytest report: what it is, then its findings."""
    spec = check.spec
    lines = [
        f"{spec.id} {check.outcome.value}: {spec.title_en} / {spec.title_zh}",
        f"{spec.severity.value}, −{spec.points} points, {spec.category.value} ({spec.category.zh}), {spec.clause}",
    ]
    if summary := _summary(check):
        lines.append(summary)
    if check.expired_waiver is not None:
        w = check.expired_waiver
        lines.append(f"waiver expired on {w.expires} ({w.approver}: {w.reason})")
    for f in check.findings[:_FINDINGS_SHOWN]:
        where = " ".join(x for x in (f.subject, f.scenario and f"@{f.scenario}") if x)
        lines.append(f"- [{f.code}] {where}: {f.message_en} / {f.message_zh}".replace(" : ", ": "))
        if f.expected is not None or f.actual is not None:
            lines.append(f"    expected {_compact(f.expected)}, actual {_compact(f.actual)}")
    if len(check.findings) > _FINDINGS_SHOWN:
        lines.append(f"… {len(check.findings) - _FINDINGS_SHOWN} more findings (see --hazlink-report)")
    return "\n".join(lines)


# --- the mock national API as a fixture -----------------------------------------------------------------


class NationalMock:
    """A fresh, seeded mock national API on a loopback port, with a credential of the test's own.

    ``url`` is the base URL (the API is under ``/api/v1``), ``app_key`` and ``secret`` the seeded
    credential (all scopes), ``auth`` an httpx auth signing as it. ``app`` is the mock's ASGI app
    (``app.state.national`` holds its store and clock) for in-process inspection.
    """

    def __init__(self, app: Any, url: str, app_key: str, secret: str, token: str) -> None:
        self.app = app
        self.url = url
        self.app_key = app_key
        self.secret = secret
        self.auth = SigningAuth(app_key, secret)
        self._control = httpx.Client(base_url=url, timeout=30.0, headers={"X-Hz-Admin-Token": token})
        self._clients: list[httpx.Client] = [self._control]

    def __repr__(self) -> str:  # never show the secret
        return f"NationalMock(url={self.url!r}, app_key={self.app_key!r})"

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for the API: base URL set, every request signed; closed at the end of the test."""
        kwargs.setdefault("timeout", 30.0)
        made = httpx.Client(base_url=self.url, auth=self.auth, **kwargs)
        self._clients.append(made)
        return made

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the control API (``/_mock/…``) and return its JSON answer; an error status raises."""
        response = self._control.request(method, path, json=body)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json()

    def journal(self) -> list[dict[str, Any]]:
        """Every request the mock has answered so far, oldest first (``/_mock/journal``)."""
        out: list[dict[str, Any]] = []
        while True:
            after = out[-1]["id"] if out else 0
            page: list[dict[str, Any]] = self.control("GET", f"/_mock/journal?after={after}&limit=5000")["entries"]
            if not page:
                return out
            out += page

    def fault(self, **rule: Any) -> list[dict[str, Any]]:
        """Add a fault rule (``mocks.national.faults.FaultRule`` fields); the rules now in force."""
        faults: list[dict[str, Any]] = self.control("POST", "/_mock/faults", rule)["faults"]
        return faults

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.control("DELETE", "/_mock/faults")

    def clock(self, **body: Any) -> dict[str, Any]:
        """Set (``set=…, freeze=True``), advance (``advance_s=…``) or ``reset=True`` the business clock; now."""
        now: dict[str, Any] = (
            self.control("POST", "/_mock/clock", body) if body else self.control("GET", "/_mock/clock")
        )
        return now

    def seed(self, seed: SeedIn | dict[str, Any]) -> dict[str, int]:
        """Load more reference data or credentials (``SeedIn`` or its dict)."""
        doc = seed.model_dump(mode="json") if isinstance(seed, SeedIn) else seed
        loaded: dict[str, int] = self.control("POST", "/_mock/seed", doc)["loaded"]
        return loaded

    def state(self) -> dict[str, int]:
        """How many records of each resource the mock holds."""
        return dict(self.control("GET", "/_mock/state")["records"])

    def list(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every item of a signed listing (``/ledger-records`` or ``/api/v1/ledger-records``), all cursor pages."""
        path = path if path.startswith("/api/") else "/api/v1" + (path if path.startswith("/") else "/" + path)
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query = {"limit": "500", **params, **({"cursor": cursor} if cursor else {})}
            response = self._control.get(path, params=query, auth=self.auth)
            if response.status_code >= 400:
                raise AssertionError(f"GET {path} answered {response.status_code}: {response.text[:500]}")
            body = response.json()
            items += body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return items

    def close(self) -> None:
        """Close every client made for the test."""
        for c in self._clients:
            c.close()


@pytest.fixture(scope="session")
def _hazlink_national_server() -> Iterator[tuple[AppSwitch, str]]:
    """One loopback server for the session; each test's mock app is switched in behind it."""
    with serving_switch() as served:
        yield served


@pytest.fixture
def national_mock(_hazlink_national_server: tuple[AppSwitch, str]) -> Iterator[NationalMock]:
    """A fresh mock national API for the test: demo-seeded, a credential of its own, control API on."""
    switch, url = _hazlink_national_server
    token = secrets.token_hex(16)
    app = create_app(config=MockConfig(control=True, control_token=token))
    app_key, secret = f"test-{secrets.token_hex(4)}", secrets.token_hex(24)
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key=app_key, secret=secret, scope="*")]))
    switch.app = app
    mock = NationalMock(app, url, app_key, secret, token)
    try:
        yield mock
    finally:
        mock.close()
        switch.app = None
