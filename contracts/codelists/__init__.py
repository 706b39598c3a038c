"""Code lists shipped with the contract: the national waste catalogue by edition, and region codes.

Catalogue editions are data (``data/editions.json`` lists them with the date each took effect), so a
new edition is a CSV and one entry, not code. ``edition_for(day)`` picks the edition in force on the
day of the business event.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

__all__ = [
    "CatalogueEdition",
    "RegionTable",
    "WasteEntry",
    "edition_for",
    "editions",
    "regions",
]


@dataclass(frozen=True, slots=True)
class WasteEntry:
    """One row of the catalogue."""

    code: str
    category: str
    category_name: str
    industry: str
    description: str
    hazards: frozenset[str]
    hazard_text: str


@dataclass(frozen=True)
class CatalogueEdition:
    """One edition of the national catalogue of hazardous wastes."""

    edition: str
    title: str
    effective_from: date
    superseded_on: date | None
    entries: dict[str, WasteEntry]
    categories: dict[str, str]

    def get(self, code: str) -> WasteEntry | None:
        """The entry for ``code`` (``NNN-NNN-NN``), or None."""
        return self.entries.get(code)


def _read_text(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def _load_edition(meta: dict[str, str]) -> CatalogueEdition:
    entries: dict[str, WasteEntry] = {}
    categories: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(_read_text(meta["catalogue"]))):
        hazard_text = row["hazard"]
        hazards = frozenset(hazard_text.replace("/", ",").split(","))
        entries[row["code"]] = WasteEntry(
            row["code"],
            row["category"],
            row["category_name"],
            row["industry"],
            row["description"],
            hazards,
            hazard_text,
        )
        categories[row["category"]] = row["category_name"]
    superseded = meta.get("superseded_on")
    return CatalogueEdition(
        edition=meta["edition"],
        title=meta["title"],
        effective_from=date.fromisoformat(meta["effective_from"]),
        superseded_on=date.fromisoformat(superseded) if superseded else None,
        entries=entries,
        categories=categories,
    )


@cache
def editions() -> tuple[CatalogueEdition, ...]:
    """Every shipped edition, oldest first."""
    metas = json.loads(_read_text("editions.json"))
    loaded = [_load_edition(m) for m in metas]
    return tuple(sorted(loaded, key=lambda e: e.effective_from))


def edition_for(day: date) -> tuple[CatalogueEdition, bool]:
    """The edition in force on ``day`` and whether it really is the one in force.

    When the edition in force is not shipped (a day before the first shipped edition, or after the
    newest one was superseded), the nearest shipped edition is returned with ``False`` so that the
    caller can say so in a finding instead of guessing silently.
    """
    eds = editions()
    chosen = eds[0]
    for ed in eds:
        if ed.effective_from <= day:
            chosen = ed
    in_force = chosen.effective_from <= day and (chosen.superseded_on is None or day < chosen.superseded_on)
    return chosen, in_force


@dataclass(frozen=True)
class RegionTable:
    """Administrative division codes: provinces (2 digits), prefectures (4) and counties (6)."""

    provinces: dict[str, str]
    prefectures: dict[str, str]
    counties: dict[str, str]

    def name(self, code: str) -> str | None:
        """Name of a 2-, 4- or 6-digit code; ``XX0000`` and ``XXXX00`` name the province or prefecture."""
        if len(code) == 2:
            return self.provinces.get(code)
        if len(code) == 4:
            return self.prefectures.get(code)
        if len(code) != 6:
            return None
        if code.endswith("0000"):
            return self.provinces.get(code[:2])
        if code.endswith("00"):
            return self.prefectures.get(code[:4])
        return self.counties.get(code)

    def has_prefecture(self, code4: str) -> bool:
        """Whether a 4-digit province+prefecture code exists (the manifest number uses it)."""
        return code4 in self.prefectures


@cache
def regions() -> RegionTable:
    """The shipped region table (NBS 2023 statistical division codes)."""

    def table(name: str) -> dict[str, str]:
        return {row["code"]: row["name"] for row in csv.DictReader(io.StringIO(_read_text(name)))}

    return RegionTable(table("provinces.csv"), table("cities.csv"), table("areas.csv"))
