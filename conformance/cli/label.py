"""``hazlink label``: render HJ 1276 container labels and verify printed ones against the national record.

``render`` takes label files (JSON, JSON array or NDJSON) or 数字识别码 fetched from the national API
and writes SVG, PNG or PDF, one file per label or, with ``--sheet a4``, a multi-page PDF for printing.
``verify`` decodes every label QR of an image (a rendering, scan or photo) or of a PDF's pages, fetches
each record and compares the printed fields; it exits 0 when every label matches, 1 when one differs or
is unknown, 2 when the file or QR cannot be read or a label cannot be aligned reliably.
"""

from __future__ import annotations

import enum
import json
import re
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from conformance.labels import (
    DPI,
    SCAN_THRESHOLD,
    FontNotFoundError,
    LabelSourceError,
    LayoutOverflowError,
    MissingGlyphError,
    NationalLabels,
    Outcome,
    Verdict,
    is_pdf,
    layout,
    open_pages,
    overall,
    read_labels,
    sheets_pdf,
    to_pdf,
    to_png,
    to_svg,
    verify_labels,
)
from contracts import Label

from ._output import console, fail

__all__ = ["app"]

app = typer.Typer(
    help="Render HJ 1276 container labels; verify printed labels against the national record.", no_args_is_help=True
)
_ID = re.compile(r"^[0-9A-Z]{37}$")
NATIONAL_HELP = "Base URL of the national API (without /api/v1)"


class Format(enum.StrEnum):
    """Output formats of ``render``."""

    SVG = "svg"
    PNG = "png"
    PDF = "pdf"


class Sheet(enum.StrEnum):
    """Sheet sizes of the batch mode."""

    A4 = "a4"


def _secret(path: Path | None) -> str:
    if path is None:
        raise fail("--app-secret-file is required with --national")
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise fail(f"cannot read --app-secret-file: {exc.strerror}") from None
    if not secret:
        raise fail("--app-secret-file is empty")
    return secret


def _national(national: str | None, app_key: str | None, secret_file: Path | None) -> NationalLabels:
    if not national or not app_key:
        raise fail("label ids are fetched from the national API: give --national, --app-key and --app-secret-file")
    return NationalLabels.connect(national, app_key, _secret(secret_file))


def _gather(sources: list[str], national: str | None, app_key: str | None, secret_file: Path | None) -> list[Label]:
    labels: list[Label] = []
    looker: NationalLabels | None = None
    try:
        for src in sources:
            path = Path(src)
            if path.exists():
                labels += read_labels(path)
            elif _ID.fullmatch(src):
                looker = looker or _national(national, app_key, secret_file)
                found = looker(src)
                if found is None:
                    raise fail(f"label {src} is not known to the national system", 1)
                labels.append(found)
            else:
                raise fail(f"{src}: no such file, and not a 37-character label id")
    except LabelSourceError as exc:
        raise fail(str(exc)) from None
    except httpx.HTTPError as exc:
        raise fail(f"national API unreachable: {exc}") from None
    finally:
        if looker is not None:
            looker.close()
    return labels


def _encode(label: Label, fmt: Format, dpi: int) -> bytes:
    lay = layout(label)
    if fmt is Format.SVG:
        return to_svg(lay).encode("utf-8")
    return to_png(lay, dpi) if fmt is Format.PNG else to_pdf(lay, dpi)


@app.command("render")
def render(
    sources: Annotated[list[str], typer.Argument(metavar="FILE_OR_ID...", help="Label JSON/NDJSON files or label ids")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format")] = Format.PNG,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output file (one label or a sheet) or folder (several labels)"),
    ] = None,
    sheet: Annotated[Sheet | None, typer.Option(help="Lay all labels on A4 pages (multi-page PDF)")] = None,
    dpi: Annotated[int, typer.Option(min=72, max=1200, help="Resolution of PNG and PDF")] = DPI,
    national: Annotated[str | None, typer.Option(help=NATIONAL_HELP)] = None,
    app_key: Annotated[str | None, typer.Option(help="National app key")] = None,
    app_secret_file: Annotated[Path | None, typer.Option(help="File holding the app secret (never logged)")] = None,
) -> None:
    """Render labels per HJ 1276-2022 (size and text height by container volume)."""
    labels = _gather(sources, national, app_key, app_secret_file)
    out = console(stderr=True)
    try:
        if sheet is not None:
            if fmt is not Format.PDF:
                raise fail("--sheet a4 writes a multi-page PDF: use --format pdf")
            target = output or Path("labels-a4.pdf")
            target.write_bytes(sheets_pdf([layout(label) for label in labels], dpi))
            out.print(f"{len(labels)} labels on A4 sheets: {target}", markup=False, highlight=False)
            return
        if len(labels) == 1 and (output is None or not output.is_dir()):
            targets = [output or Path(f"{labels[0].label_id}.{fmt.value}")]
        else:
            if output is not None and output.suffix and not output.is_dir():
                raise fail(f"{len(labels)} labels: -o must name a folder (or use --sheet a4 --format pdf)")
            folder = output or Path()
            folder.mkdir(parents=True, exist_ok=True)
            targets = [folder / f"{label.label_id}.{fmt.value}" for label in labels]
        for label, target in zip(labels, targets, strict=True):
            target.write_bytes(_encode(label, fmt, dpi))
            out.print(f"{label.label_id}: {target}", markup=False, highlight=False)
    except (FontNotFoundError, MissingGlyphError, LayoutOverflowError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write: {exc}") from None


def _verdict_doc(v: Verdict) -> dict[str, Any]:
    return {
        "page": v.page,
        "outcome": v.outcome.value,
        "label_id": v.label_id,
        "payload": v.payload,
        "method": v.method,
        "print_dpi": v.print_dpi,
        "differing": v.differing,
        "scores": v.scores,
        "detail": v.detail,
        "findings": [f.to_dict() for f in v.findings],
    }


def _head(v: Verdict) -> str:
    lines = {
        Outcome.MATCH: f"match 一致: {v.label_id}",
        Outcome.MISMATCH: f"mismatch 不一致: {v.label_id}: {', '.join(v.differing)}",
        Outcome.UNVERIFIABLE: f"unverifiable 无法核验: {v.label_id}",
    }
    return lines.get(v.outcome, v.outcome.value)


@app.command("verify")
def verify(
    image: Annotated[
        Path,
        typer.Argument(
            help="A label image (PNG, JPEG...: a rendering, scan or photo, one or several labels) "
            "or a PDF (one label, or A4 sheets)"
        ),
    ],
    national: Annotated[str, typer.Option(help=NATIONAL_HELP)],
    app_key: Annotated[str, typer.Option(help="National app key")],
    app_secret_file: Annotated[Path, typer.Option(help="File holding the app secret (never logged)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON")] = False,
) -> None:
    """Decode every label QR, fetch the national records and compare the printed fields.

    Exit 0 when every label found matches; 1 when a label differs or is unknown; 2 when the file cannot
    be read, holds no label QR code, or a label cannot be aligned reliably (and none differs).
    """
    try:
        pdf = is_pdf(image)
        pages = open_pages(image)
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read image: {exc}") from None
    looker = NationalLabels.connect(national, app_key, _secret(app_secret_file))
    verdicts: list[Verdict] = []
    try:
        for number, page in enumerate(pages, 1):
            verdicts += verify_labels(page, looker, page=number if pdf else None, exact=not pdf)
    except LabelSourceError as exc:
        raise fail(str(exc)) from None
    except httpx.HTTPError as exc:
        raise fail(f"national API unreachable: {exc}") from None
    except (FontNotFoundError, MissingGlyphError, LayoutOverflowError) as exc:
        raise fail(str(exc)) from None
    finally:
        looker.close()
    result = overall(verdicts)
    single = verdicts[0] if len(verdicts) == 1 else None
    if as_json:
        doc = {
            "outcome": result.value,
            "label_id": single.label_id if single else None,
            "payload": single.payload if single else None,
            "differing": single.differing if single else [],
            "findings": [f.to_dict() for v in verdicts for f in v.findings],
            "labels": [_verdict_doc(v) for v in verdicts],
        }
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for n, v in enumerate(verdicts, 1):
            where = "" if single and not pdf else (f"page {v.page}, " if v.page else "") + f"label {n}: "
            typer.echo(where + _head(v))
            if v.method == "aligned":
                key = max(v.scores, key=lambda k: v.scores[k])
                typer.echo(
                    f"  aligned scan: largest region score {key} {v.scores[key]:.3f} (threshold {SCAN_THRESHOLD})"
                )
            for f in v.findings:
                typer.echo(f"  {f.code} {f.path}: {f.message_zh} / {f.message_en}")
        if not single:
            counts = Counter(v.outcome.value for v in verdicts)
            summary = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
            typer.echo(f"{len(verdicts)} labels: {summary} -> {result.value}")
    raise typer.Exit(result.exit_code)
