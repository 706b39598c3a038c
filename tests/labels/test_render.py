"""Golden rendering: SVG structure, PNG size per class, fonts and glyphs, QR round trips, A4 sheets."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conformance import labels
from conformance.labels import (
    FIELDS,
    SIZE_CLASSES,
    FontNotFoundError,
    MissingGlyphError,
    _font,
    decode_qr,
    field_values,
    find_font,
    label_id_from_payload,
    layout,
    missing_glyphs,
    sheet_slots,
    sheets_pdf,
    size_class,
    to_pdf,
    to_png,
    to_svg,
)
from tests.labels.conftest import VOLUMES, sample_label

SVG = "{http://www.w3.org/2000/svg}"


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", pdf)
    return [(round(float(w), 1), round(float(h), 1)) for w, h in boxes]


PX = {"S": 1181, "M": 1772, "L": 2362}  # 100, 150, 200 mm at 300 dpi


@pytest.mark.parametrize(
    ("volume", "name"),
    [("0.5", "S"), ("50", "S"), ("50.001", "M"), ("200", "M"), ("449.999", "M"), ("450", "L"), ("30000", "L")],
)
def test_size_class_by_volume(volume: str, name: str) -> None:
    assert size_class(Decimal(volume)).name == name


@pytest.mark.parametrize("cls", SIZE_CLASSES, ids=lambda c: c.name)
def test_svg_golden_structure(cls: labels.SizeClass) -> None:
    label = sample_label(container_volume_l=VOLUMES[cls.name], hazards=["T", "C", "I", "R", "In"], remarks="轻放")
    root = ET.fromstring(to_svg(layout(label)))
    side = str(cls.side_mm)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == (
        f"{side}mm",
        f"{side}mm",
        f"0 0 {side} {side}",
    )
    assert root.get("data-size-class") == cls.name
    bg = root.find(f"{SVG}rect[@class='background']")
    assert bg is not None and bg.get("fill") == "rgb(255,150,0)"
    border = root.find(f"{SVG}rect[@class='border']")
    assert border is not None and border.get("stroke") == "rgb(0,0,0)"
    width = float(border.get("stroke-width", "0"))
    assert width >= 1
    assert float(border.get("x", "0")) - width / 2 >= 3 - 1e-9  # ≥ 3 mm blank margin outside the border
    # the fields, in the standard's order
    groups = root.findall(f".//{SVG}g[@data-field]")
    assert [g.get("data-field") for g in groups] == [k for k, _ in FIELDS]
    assert [g.get("data-name") for g in groups] == [n for _, n in FIELDS]
    texts = {g.get("data-field"): "".join(t.text or "" for t in g.iter(f"{SVG}text")) for g in groups}
    assert texts["title"] == "危险废物"
    for key, value in field_values(label).items():
        name = dict(FIELDS)[key]
        assert texts[key] == f"{name}：{value}"
    # minimum text height for the class, on every line
    sizes = [float(t.get("font-size", "0")) for t in root.iter(f"{SVG}text")]
    assert min(sizes) == cls.text_mm
    hazards = [h.get("data-hazard") for h in root.iter(f"{SVG}g") if h.get("class") == "hazard"]
    assert hazards == ["T", "C", "I", "R", "In"]
    qr = root.find(f".//{SVG}g[@data-field='qr']/{SVG}path")
    assert qr is not None and qr.get("d", "").count("z") > 200
    # everything inside the label
    for g in groups:
        x, y, w, h = (float(v) for v in g.get("data-box", "").split())
        assert x >= 3 and y >= 3 and x + w <= cls.side_mm - 3 and y + h <= cls.side_mm - 3, g.get("data-field")
    assert "http" not in to_svg(layout(label)).replace("http://www.w3.org/2000/svg", "").split("<path")[0]


@pytest.mark.parametrize("cls", SIZE_CLASSES, ids=lambda c: c.name)
def test_png_dimensions_and_round_trip(cls: labels.SizeClass) -> None:
    label = sample_label(container_volume_l=VOLUMES[cls.name])
    png = to_png(layout(label))
    img = Image.open(io.BytesIO(png))
    assert img.size == (PX[cls.name], PX[cls.name])
    assert round(img.info["dpi"][0]) == 300
    assert img.info["hazlink:label_id"] == label.label_id
    assert img.getpixel((5, 5)) == (255, 150, 0)
    payload = decode_qr(img)
    assert payload == label.qr_payload
    assert label_id_from_payload(payload) == label.label_id


def test_pdf_is_one_page_of_the_label_size() -> None:
    pdf = to_pdf(layout(sample_label(container_volume_l="20")))
    assert pdf.startswith(b"%PDF")
    assert media_boxes(pdf) == [(283.4, 283.4)]  # 100 mm in points


def test_every_character_has_a_glyph() -> None:
    font = find_font()
    label = sample_label()
    text = "".join(field_values(label).values()) + "".join(n for _, n in FIELDS) + "："
    assert missing_glyphs(font, text) == []
    face = font.at(64)
    for ch in set(text) - {" "}:
        assert face.getmask(ch).getbbox() is not None, ch


def test_a_character_without_glyph_is_refused() -> None:
    odd = "\U000f0000"  # private use: no font has it
    assert missing_glyphs(find_font(), "废" + odd) == [odd]
    with pytest.raises(MissingGlyphError):
        layout(sample_label(remarks="备注" + odd))


def test_no_font_names_the_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_font, "_fc_match", list)
    monkeypatch.setattr(_font, "_KNOWN", ((str(tmp_path / "none.ttc"), 0),))
    monkeypatch.delenv(_font.FONT_ENV, raising=False)
    _font.find_font.cache_clear()
    try:
        with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
            _font.find_font()
    finally:
        _font.find_font.cache_clear()


def test_text_that_does_not_fit_takes_a_larger_label() -> None:
    long = "远离火源，防止泄漏，轻装轻卸，" * 6
    assert layout(sample_label(container_volume_l="200", precautions=long)).size.name == "L"
    with pytest.raises(labels.LayoutOverflowError):
        layout(sample_label(container_volume_l="200", precautions=long), SIZE_CLASSES[1])
    with pytest.raises(labels.LayoutOverflowError, match="200 mm"):
        layout(sample_label(container_volume_l="200", precautions=long * 3))


def test_sheets_fill_a4_by_size_class() -> None:
    assert [p for p, _, _ in sheet_slots([100.0] * 5)] == [0, 0, 0, 0, 1]
    assert [p for p, _, _ in sheet_slots([150.0] * 2)] == [0, 1]
    assert [p for p, _, _ in sheet_slots([200.0, 100.0])] == [0, 1]
    small = [layout(sample_label(container_volume_l="20")) for _ in range(5)]
    pdf = sheets_pdf(small, dpi=100)
    assert media_boxes(pdf) == [(595.4, 841.7)] * 2  # A4 in points (at 100 dpi's pixel grid), two pages


@pytest.mark.parametrize("cls", SIZE_CLASSES, ids=lambda c: c.name)
def test_svg_qr_path_decodes_to_the_label_id(cls: labels.SizeClass) -> None:
    # Draw the SVG's QR path (and only it) and decode: the vector QR is the same code as the raster one.
    label = sample_label(container_volume_l=VOLUMES[cls.name])
    root = ET.fromstring(to_svg(layout(label)))
    path = root.find(f".//{SVG}g[@data-field='qr']/{SVG}path")
    assert path is not None
    k = 300 / 25.4
    img = Image.new("L", (round(cls.side_mm * k), round(cls.side_mm * k)), 255)
    draw = ImageDraw.Draw(img)
    for x, y, u in re.findall(r"M([0-9.]+) ([0-9.]+)h([0-9.]+)", path.get("d", "")):
        x0, y0, side = float(x) * k, float(y) * k, float(u) * k
        draw.rectangle((round(x0), round(y0), round(x0 + side) - 1, round(y0 + side) - 1), fill=0)
    payload = decode_qr(img)
    assert payload is not None
    assert label_id_from_payload(payload) == label.label_id
