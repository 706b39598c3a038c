"""Small escaping helpers shared by the HTML parts: every value goes through ``esc`` before it is written."""

from __future__ import annotations

from html import escape
from typing import Any

from conformance.suite.model import Outcome

from .serial import OUTCOME_ZH, clean, compact


def esc(value: Any) -> str:
    """A value as escaped HTML text (None as an em dash; non-strings as compact JSON)."""
    if value is None:
        return "—"
    return escape(clean(compact(value)), quote=True)


def bi(zh: str, en: str) -> str:
    """Chinese and English side by side, each tagged with its language."""
    return f'<span lang="zh-CN">{esc(zh)}</span> <span lang="en">{esc(en)}</span>'


def badge(outcome: Outcome) -> str:
    """An outcome badge, e.g. 未通过 fail."""
    return f'<span class="badge o-{outcome.value}">{bi(OUTCOME_ZH[outcome], outcome.value)}</span>'


def row(cells: list[str], head: bool = False, classes: list[str] | None = None) -> str:
    """A table row of cells already escaped; ``classes`` per cell (e.g. ``num``)."""
    tag = "th" if head else "td"
    classes = classes or [""] * len(cells)
    return (
        "<tr>"
        + "".join(
            f'<{tag} class="{c}">{cell}</{tag}>' if c else f"<{tag}>{cell}</{tag}>"
            for cell, c in zip(cells, classes, strict=True)
        )
        + "</tr>"
    )
