"""Verifying a whole file: an image (one or several labels) or a PDF (one label, or A4 sheets of them).

PDF pages are rasterised with PDFium (pypdfium2) at ``PDF_DPI``; every QR code on every page is a
label, verified on its own (``verify_labels``), and reported with its page number.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image

from contracts import Label

from ._verify import Verdict, open_image, verify_labels

PDF_DPI = 200
"""Resolution at which PDF pages are rasterised (3 mm text is then 24 px high)."""


def is_pdf(path: Path) -> bool:
    """True when the file starts with the PDF signature."""
    with path.open("rb") as f:
        return f.read(5) == b"%PDF-"


def pdf_pages(data: bytes, dpi: int = PDF_DPI) -> list[Image.Image]:
    """Every page of the PDF ``data`` as an RGB image at ``dpi``; raises ``ValueError`` when it is no PDF."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # (no type information shipped)

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ValueError(f"not a readable PDF: {exc}") from exc
    try:
        pages: list[Image.Image] = []
        for i in range(len(doc)):
            page = doc[i]
            bitmap = page.render(scale=dpi / 72)
            image: Image.Image = bitmap.to_pil().convert("RGB")
            pages.append(image)
            bitmap.close()
            page.close()
        return pages
    finally:
        doc.close()


def open_pages(path: Path) -> list[Image.Image]:
    """The pages of a PDF, or the one image of an image file; raises ``OSError`` or ``ValueError``."""
    if is_pdf(path):
        return pdf_pages(path.read_bytes())
    return [open_image(path)]


def verify_file(path: Path, lookup: Callable[[str], Label | None]) -> list[Verdict]:
    """Verify every label of an image or PDF file; each verdict carries its page (from 1).

    A page without a readable QR code gives one ``unreadable`` verdict for that page. PDF pages are
    compared with the aligned method (rasterising resamples them).
    """
    verdicts: list[Verdict] = []
    pdf = is_pdf(path)
    for number, page in enumerate(open_pages(path), 1):
        verdicts += verify_labels(page, lookup, page=number, exact=not pdf)
    return verdicts
