"""The spatial index behind the self-intersection and wall checks finds every nearby pair."""

from __future__ import annotations

import numpy as np
import trimesh
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.printprep.rays import candidate_pairs, overlapping_boxes, self_intersecting_edges


def brute_pairs(a_lo: np.ndarray, a_hi: np.ndarray, b_lo: np.ndarray, b_hi: np.ndarray) -> set:
    """Every overlapping (i, j) by comparing all pairs."""
    hit = (a_lo[:, None] <= b_hi[None]).all(axis=2) & (b_lo[None] <= a_hi[:, None]).all(axis=2)
    return {(int(i), int(j)) for i, j in zip(*np.nonzero(hit), strict=True)}


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), big=st.integers(0, 5), flat=st.booleans())
def test_grid_pairs_equal_all_pairs_with_mixed_sizes(seed: int, big: int, flat: bool) -> None:
    rng = np.random.default_rng(seed)
    a_lo = rng.uniform(0, 100, (300, 3))
    a_hi = a_lo + rng.exponential(2.0, (300, 3))
    b_lo = rng.uniform(0, 100, (200, 3))
    b_hi = b_lo + rng.exponential(2.0, (200, 3))
    b_hi[:big] = b_lo[:big] + rng.uniform(30, 100, (big, 3))  # a few boxes spanning the part
    if flat:
        a_hi[:, 2] = a_lo[:, 2]  # zero-thickness boxes, as for edges in a flat cap
    i, j = overlapping_boxes(a_lo, a_hi, b_lo, b_hi)
    found = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(found) == len(set(found))  # each pair once
    assert set(found) == brute_pairs(a_lo, a_hi, b_lo, b_hi)


def test_one_huge_triangle_does_not_make_every_ray_a_candidate() -> None:
    sphere = trimesh.creation.icosphere(subdivisions=4, radius=20)
    sheet = trimesh.Trimesh([[-200, -200, 50], [200, -200, 50], [0, 200, 50]], [[0, 1, 2]])
    mesh = trimesh.util.concatenate([sphere, sheet])
    origins = np.asarray(sphere.vertices)
    ray, _ = candidate_pairs(mesh, origins, 0.8)
    assert len(ray) < 20 * len(origins)  # old bound paired every ray with every face


def test_self_intersections_are_found_with_a_spanning_triangle() -> None:
    a = trimesh.creation.box((20, 20, 20))
    b = trimesh.creation.box((20, 20, 20)).apply_translation([10, 10, 10])
    assert self_intersecting_edges(trimesh.util.concatenate([a, b])) > 0
    assert (
        self_intersecting_edges(trimesh.util.concatenate([a, b.apply_translation([50, 0, 0])])) == 0
    )
