"""Verification against the served mock: QR → label id → national record → field regions compared."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from PIL import Image
from typer.testing import CliRunner

from conformance.cli.label import app as label_app
from conformance.labels import (
    SIZE_CLASSES,
    NationalLabels,
    Outcome,
    decode_qr,
    label_id_from_payload,
    layout,
    to_image,
    to_png,
    verify_image,
)
from contracts import Label
from tests.labels.conftest import issue, sample_label, weight_painted_over

runner = CliRunner()


def png_image(label: Label) -> Image.Image:
    return Image.open(io.BytesIO(to_png(layout(label))))


@pytest.mark.parametrize("name", [c.name for c in SIZE_CLASSES])
def test_round_trip_issue_render_decode_lookup(name: str, issued: dict[str, Label], lookup: NationalLabels) -> None:
    label = issued[name]
    lay = layout(label)
    assert lay.size.name == name
    img = png_image(label)
    payload = decode_qr(img)
    assert payload == label.qr_payload
    assert label_id_from_payload(payload) == label.label_id
    verdict = verify_image(img, lookup)
    assert verdict.outcome is Outcome.MATCH, verdict.differing
    assert verdict.label_id == label.label_id


def test_label_printed_with_another_weight_is_caught(issued: dict[str, Label], lookup: NationalLabels) -> None:
    record = issued["S"]
    forged = record.model_copy(update={"weight_t": record.weight_t + Decimal("0.1")})
    verdict = verify_image(png_image(forged), lookup)
    assert verdict.outcome is Outcome.MISMATCH
    assert verdict.differing == ["weight"]
    assert [f.code for f in verdict.findings] == ["label_print.field_mismatch"]
    assert verdict.findings[0].path == "$.weight"


def test_weight_edited_in_the_pixels_is_caught(issued: dict[str, Label], lookup: NationalLabels) -> None:
    img = weight_painted_over(issued["M"])
    verdict = verify_image(img, lookup)
    assert verdict.outcome is Outcome.MISMATCH
    assert verdict.differing == ["weight"]


def test_scaled_render_still_matches(issued: dict[str, Label], lookup: NationalLabels) -> None:
    img = to_image(layout(issued["S"]), 200)
    assert verify_image(img, lookup).outcome is Outcome.MATCH


def test_unknown_label_and_unreadable_image(lookup: NationalLabels) -> None:
    ghost = sample_label(label_id="91320576MA1MXK3Q7M9000414920240315999")
    ghost = ghost.model_copy(update={"qr_payload": "https://gfxt.hazlink.example/label/" + ghost.label_id})
    verdict = verify_image(png_image(ghost), lookup)
    assert verdict.outcome is Outcome.UNKNOWN and verdict.outcome.exit_code == 1
    assert [f.code for f in verdict.findings] == ["label_print.unknown"]
    blank = Image.new("RGB", (600, 600), (255, 150, 0))
    verdict = verify_image(blank, lookup)
    assert verdict.outcome is Outcome.UNREADABLE and verdict.outcome.exit_code == 2


def _opts(url: str, secret: Path) -> list[str]:
    return ["--national", url, "--app-key", "labels", "--app-secret-file", str(secret)]


def test_cli_render_by_id_and_verify_exit_codes(
    tmp_path: Path, national_url: str, secret_file: Path, signed: httpx.Client
) -> None:
    label = issue(signed, container_volume_l="30")
    out = tmp_path / "label.png"
    res = runner.invoke(
        label_app, ["render", label.label_id, "--format", "png", "-o", str(out), *_opts(national_url, secret_file)]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(label_app, ["verify", str(out), *_opts(national_url, secret_file)])
    assert res.exit_code == 0, res.output
    assert "match" in res.output
    forged = tmp_path / "forged.png"
    forged.write_bytes(to_png(layout(label.model_copy(update={"weight_t": Decimal("0.9")}))))
    res = runner.invoke(label_app, ["verify", str(forged), "--json", *_opts(national_url, secret_file)])
    assert res.exit_code == 1, res.output
    assert '"differing": [\n    "weight"\n  ]' in res.output
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    assert runner.invoke(label_app, ["verify", str(junk), *_opts(national_url, secret_file)]).exit_code == 2
    res = runner.invoke(
        label_app, ["render", "91320576MA1MXK3Q7M9000414920240315998", *_opts(national_url, secret_file)]
    )
    assert res.exit_code == 1


def test_cli_render_files_formats_and_sheet(tmp_path: Path) -> None:
    samples = tmp_path / "labels.ndjson"
    lines = [sample_label(container_volume_l=v).model_dump_json() for v in ("20", "20", "20", "20", "200")]
    samples.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = tmp_path / "one.json"
    one.write_text(lines[0], encoding="utf-8")
    for fmt in ("svg", "png", "pdf"):
        target = tmp_path / f"one.{fmt}"
        res = runner.invoke(label_app, ["render", str(one), "--format", fmt, "-o", str(target)])
        assert res.exit_code == 0, res.output
        assert target.stat().st_size > 1000
    sheet = tmp_path / "sheet.pdf"
    res = runner.invoke(
        label_app, ["render", str(samples), "--format", "pdf", "--sheet", "a4", "-o", str(sheet), "--dpi", "100"]
    )
    assert res.exit_code == 0, res.output
    assert sheet.read_bytes().count(b"/MediaBox") == 2  # four 100 mm labels on page 1, the 150 mm one on page 2
    res = runner.invoke(label_app, ["render", str(samples), "--format", "svg", "-o", str(tmp_path / "many")])
    assert res.exit_code == 0, res.output
    assert len(list((tmp_path / "many").glob("*.svg"))) == 1  # the three samples share one label id
    assert runner.invoke(label_app, ["render", str(samples), "--sheet", "a4"]).exit_code == 2
    assert runner.invoke(label_app, ["render", str(samples), "-o", str(tmp_path / "x.png")]).exit_code == 2
    assert runner.invoke(label_app, ["render", "nonsense"]).exit_code == 2
    assert runner.invoke(label_app, ["render", "91320576MA1MXK3Q7M9000414920240315001"]).exit_code == 2


def test_jpeg_copy_matches_and_a_forged_jpeg_does_not(issued: dict[str, Label], lookup: NationalLabels) -> None:
    record = issued["S"]

    def jpeg(label: Label) -> Image.Image:
        buf = io.BytesIO()
        to_image(layout(label)).save(buf, "JPEG", quality=85)
        return Image.open(buf)

    assert verify_image(jpeg(record), lookup).outcome is Outcome.MATCH
    forged = record.model_copy(update={"weight_t": Decimal("0.725")})
    assert verify_image(jpeg(forged), lookup).differing == ["weight"]


def test_the_app_registers_under_hazlink() -> None:
    import typer

    hazlink = typer.Typer()
    hazlink.add_typer(label_app, name="label")  # the line conformance/cli/__init__.py needs
    res = runner.invoke(hazlink, ["label", "--help"])
    assert res.exit_code == 0
    assert "render" in res.output and "verify" in res.output
