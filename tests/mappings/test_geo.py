"""Coordinates: GCJ-02 and BD-09 to WGS-84 within a metre, JT/T 808 integers, clear refusals."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings import TRANSFORMS, TransformError
from mappings.transforms import geo


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


china = st.tuples(st.floats(min_value=73.5, max_value=135.0), st.floats(min_value=18.0, max_value=53.5))


def test_the_forward_formulas_match_a_widely_used_implementation() -> None:
    # Reference values printed by wandergis/coordtransform (test/app.js) for the point (116.404, 39.915).
    assert geo.wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-9)
    assert geo.gcj02_to_bd09(116.404, 39.915) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-9)


def test_the_inverses_are_exact_solutions_of_the_forward_formulas() -> None:
    # One-step inverses (x - offset(x)) are off by up to a couple of metres; ours solve forward(w) = g.
    gcj = (116.404, 39.915)
    assert geo.wgs84_to_gcj02(*geo.gcj02_to_wgs84(*gcj)) == pytest.approx(gcj, abs=1e-9)
    assert geo.gcj02_to_bd09(*geo.bd09_to_gcj02(*gcj)) == pytest.approx(gcj, abs=1e-9)
    assert 400 < metres(geo.gcj02_to_wgs84(*gcj), gcj) < 800  # the offset itself is real, a few hundred metres


@given(china)
def test_gcj02_round_trip_within_a_metre(point: tuple[float, float]) -> None:
    assert metres(geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(*point)), point) < 1.0


@given(china)
def test_bd09_round_trip_within_a_metre(point: tuple[float, float]) -> None:
    assert metres(geo.bd09_to_wgs84(*geo.wgs84_to_bd09(*point)), point) < 1.0


@given(china)
def test_the_transform_reads_strings_with_six_decimals_within_a_metre(point: tuple[float, float]) -> None:
    to_wgs = TRANSFORMS["wgs84"].build({"crs": "bd09"})
    lon, lat = geo.wgs84_to_bd09(*point)
    assert metres(to_wgs(f"{lon:.6f}", f"{lat:.6f}"), point) < 1.0


def test_outside_china_gcj02_is_wgs84() -> None:
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_jtt808_micro_degree_integers() -> None:
    to_wgs = TRANSFORMS["wgs84"].build({"crs": "wgs84", "scale": "0.000001"})
    assert to_wgs(115485858, 38872258) == (115.485858, 38.872258)
    assert to_wgs("115485858", "38872258") == (115.485858, 38.872258)


@pytest.mark.parametrize(
    ("lon", "lat", "code"), [("abc", "38.9", "coordinate.invalid"), ("115.4", "", "coordinate.missing")]
)
def test_bad_coordinates_are_issues(lon: str, lat: str, code: str) -> None:
    with pytest.raises(TransformError) as err:
        TRANSFORMS["wgs84"].build({})(lon, lat)
    assert err.value.code == code


def test_swapped_or_unscaled_values_are_caught_by_range() -> None:
    with pytest.raises(TransformError) as err:
        TRANSFORMS["wgs84"].build({"crs": "wgs84"})(115485858, 38872258)
    assert err.value.code == "coordinate.range"


def test_an_unknown_crs_is_a_mapping_file_error() -> None:
    with pytest.raises(ValueError, match="crs must be one of"):
        TRANSFORMS["wgs84"].build({"crs": "cgcs2000x"})
