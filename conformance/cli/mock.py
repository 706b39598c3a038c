"""``hazlink mock serve``: the mock national API on a loopback port."""

from __future__ import annotations

from typing import Annotated

import typer

from mocks.national import Credential, MockConfig, SeedIn, Store, create_app, demo_seed, load
from mocks.national.seed import CredentialIn
from mocks.national.server import check_loopback, serve

from ._output import console, print_error

app = typer.Typer(help="The mock national API.", no_args_is_help=True)


def _store(state: str) -> Store:
    if state == "memory":
        return Store()
    if state.startswith("sqlite:") and len(state) > len("sqlite:"):
        return Store(state[len("sqlite:") :])
    raise typer.BadParameter("use memory or sqlite:PATH", param_hint="--state")


@app.command("serve")
def serve_cmd(
    port: Annotated[int, typer.Option(help="TCP port on loopback")] = 8900,
    host: Annotated[str, typer.Option(help="Loopback address to listen on")] = "127.0.0.1",
    state: Annotated[str, typer.Option(help="memory, or sqlite:PATH to survive restarts")] = "memory",
    seed: Annotated[bool, typer.Option("--seed", help="Load the demo units, licences and approvals")] = False,
    credential: Annotated[
        list[str] | None,
        typer.Option(help="APPKEY:APPSECRET:SCOPE, SCOPE is *, province:32 or units:USCC,USCC (repeatable)"),
    ] = None,
    control: Annotated[bool, typer.Option("--control", help="Serve the /_mock inspection and control API")] = False,
    control_token: Annotated[str | None, typer.Option(help="Require this X-Hz-Admin-Token on /_mock")] = None,
    rate: Annotated[float, typer.Option(help="Requests per second allowed per key")] = 200.0,
) -> None:
    """Run the mock national API until interrupted."""
    try:
        check_loopback(host)
        creds = [Credential.parse(c) for c in credential or []]
    except ValueError as exc:
        print_error(str(exc))
        raise typer.Exit(2) from None
    store = _store(state)
    if seed:
        load(store, demo_seed())
    load(
        store,
        SeedIn(credentials=[CredentialIn(app_key=c.app_key, secret=c.secret, scope=c.scope.render()) for c in creds]),
    )
    config = MockConfig(control=control, control_token=control_token, rate_per_second=rate, burst=max(1, int(rate * 2)))
    out = console(stderr=True)
    out.print(f"hazlink mock national API on http://{host}:{port}/api/v1 (OpenAPI at /openapi.json)", soft_wrap=True)
    out.print(
        f"state: {state}; keys: {', '.join(sorted(store.credentials())) or 'none (add --credential)'}", soft_wrap=True
    )
    if control:
        out.print(f"control API: http://{host}:{port}/_mock/" + (" (token required)" if control_token else ""))
    serve(create_app(store, config), host, port)
