"""The 16 CFR 1501 small-parts cylinder fit test on constructed parts (mm)."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from engines.compliance.cylinder import (
    AXIS_DEPTH_MM,
    DEEP_MM,
    DIAMETER_MM,
    LONGEST_INSIDE_MM,
    RADIUS_MM,
    SHALLOW_MM,
    SLOPE,
    fit_cylinder,
    margins_mm,
)
from engines.compliance.errors import ComplianceError


def placeable(points: np.ndarray, rotation: np.ndarray) -> bool:
    """Independent check: a linear programme finds a shift putting every posed point inside
    a 512-gon inscribed in the bore, under the rim and above the slanted bottom."""
    q = points @ rotation.T
    theta = np.arange(512) * 2 * np.pi / 512
    u = np.column_stack([np.cos(theta), np.sin(theta)])
    support = (q[:, :2] @ u.T).max(axis=0)  # per side, the posed part's reach
    inner = RADIUS_MM * np.cos(np.pi / 512)
    rows = [np.column_stack([u, np.zeros(512)])]  # u . (tx, ty) <= inner - support
    bounds = [inner - support]
    rows.append(np.array([[0.0, 0.0, 1.0]]))  # z + tz <= 0
    bounds.append(np.array([-q[:, 2].max()]))
    rows.append(np.array([[-SLOPE, 0.0, -1.0]]))  # z + tz + SLOPE (x + tx) >= -AXIS_DEPTH
    bounds.append(np.array([AXIS_DEPTH_MM + (q[:, 2] + SLOPE * q[:, 0]).min()]))
    result = linprog(np.zeros(3), A_ub=np.vstack(rows), b_ub=np.concatenate(bounds),
                     bounds=[(None, None)] * 3, method="highs")  # fmt: skip
    return bool(result.status == 0)


def rod(length_mm: float, diameter_mm: float = 3.0) -> np.ndarray:
    """Vertices of a round rod along z."""
    return trimesh.creation.cylinder(diameter_mm / 2, length_mm, sections=24).vertices


def test_the_cylinder_is_the_regulation_figure_in_inches() -> None:
    assert pytest.approx(31.75) == DIAMETER_MM
    assert pytest.approx((25.4, 57.15)) == (SHALLOW_MM, DEEP_MM)
    assert pytest.approx(1.0) == SLOPE  # the bottom is a 45 degree plane
    assert pytest.approx(65.38, abs=0.01) == LONGEST_INSIDE_MM


def test_a_30mm_sphere_fits_and_a_33mm_one_does_not() -> None:
    small = fit_cylinder(trimesh.creation.icosphere(4, 15.0).vertices)
    assert small.fits and 0.5 < small.margin_mm < 0.9  # 15.875 - 15 of room, less facets
    assert placeable(trimesh.creation.icosphere(4, 15.0).vertices, small.rotation)
    big = fit_cylinder(trimesh.creation.icosphere(4, 16.5).vertices)
    assert not big.fits
    assert big.margin_mm == pytest.approx(-(16.5 - RADIUS_MM), abs=0.1)
    assert "33.0 x 3" in big.explain("ball") and "does not fit" in big.explain("ball")


def test_a_60mm_thin_rod_follows_the_slanted_bottom() -> None:
    """60 mm is deeper than the deep side (57.15 mm) but shorter than the diagonal from the
    shallow rim to the deep corner (65.4 mm): leaning along it, a 3 mm rod fits."""
    upright = margins_mm(rod(60.0), np.eye(3)[None])[0]
    assert upright < 0  # standing straight up it sticks out of the rim
    leaning = fit_cylinder(rod(60.0))
    assert leaning.fits
    assert placeable(rod(60.0), leaning.rotation)
    axis = leaning.rotation @ np.array([0.0, 0.0, 1.0])
    tilt = np.degrees(np.arctan2(abs(axis[2]), np.hypot(axis[0], axis[1])))
    assert 45 < tilt < 75  # along the diagonal (atan(57.15 / 31.75) = 61 degrees), not upright
    assert not fit_cylinder(rod(67.0)).fits  # longer than the diagonal
    assert not fit_cylinder(rod(64.0)).fits  # the diagonal, less the rod's own thickness


def test_an_upright_rod_fits_up_to_the_deep_side_depth() -> None:
    """Standing straight up, a rod fits only where the bottom is deep enough: 40 mm does
    (towards the deep side), 58 mm does not (the deep side is 57.15 mm)."""
    upright = np.eye(3)
    assert margins_mm(rod(40.0, 2.0), upright[None])[0] >= 0
    assert placeable(rod(40.0, 2.0), upright)
    assert margins_mm(rod(58.0, 2.0), upright[None])[0] < 0
    assert not placeable(rod(58.0, 2.0), upright)


def test_a_flat_disc_wider_than_the_bore_does_not_fit() -> None:
    disc = trimesh.creation.cylinder(17.0, 2.0, sections=64).vertices  # 34 mm coin
    result = fit_cylinder(disc)
    assert not result.fits
    coin = trimesh.creation.cylinder(15.0, 2.0, sections=64).vertices  # 30 mm coin fits on edge
    assert fit_cylinder(coin).fits


@settings(max_examples=6, deadline=None)
@given(
    st.floats(4.0, 45.0), st.floats(2.0, 30.0), st.floats(1.0, 20.0),
)  # fmt: skip
def test_a_reported_fit_is_a_real_placement_and_shrinking_keeps_it(
    a: float, b: float, c: float
) -> None:
    box = trimesh.creation.box((a, b, c)).vertices
    result = fit_cylinder(box)
    if result.fits:
        assert placeable(box, result.rotation)
        assert fit_cylinder(box * 0.9).fits
    else:
        assert not fit_cylinder(box * 1.1).fits


def test_a_degenerate_part_is_a_clear_error() -> None:
    with pytest.raises(ComplianceError, match="at least 4"):
        fit_cylinder(np.zeros((2, 3)))
    with pytest.raises(ComplianceError, match="no extent"):
        fit_cylinder(np.zeros((10, 3)))
    with pytest.raises(ComplianceError, match="finite"):
        fit_cylinder(np.full((10, 3), np.nan))
