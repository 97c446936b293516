"""The 16 CFR 1501 small-parts cylinder and whether a part fits it in any orientation (mm).

16 CFR 1501.4 (Figure 1): an open cylinder 1.25 in (31.75 mm) across whose bottom slants from
1.00 in (25.4 mm) deep on one side to 2.25 in (57.15 mm) on the other; the English dimensions
govern ("the metric approximations are included only for convenience"), hence 31.75 and 57.15
rather than the 31.7 and 57.1 of the figure's metric labels. An article (or any piece that
comes off it) fails when it fits *entirely* within the cylinder, uncompressed, in any
orientation. The slope is (57.15 - 25.4) / 31.75 = 1: the bottom is a 45 degree plane, so a
thin part longer than the deep side still fits leaning along the diagonal, which runs
sqrt(31.75^2 + 57.15^2) = 65.4 mm from the shallow rim to the deep corner.

The cylinder's inside is convex, so a part fits exactly when its convex hull does. For one
orientation the best placement is found in closed form in depth and by a concave 1-D search
across the bore; orientations are swept over SO(3) and the best refined locally.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.compliance.errors import ComplianceError

INCH_MM = 25.4
DIAMETER_MM = 1.25 * INCH_MM  # 31.75
SHALLOW_MM = 1.00 * INCH_MM  # 25.4, depth at the shallow side of the bore
DEEP_MM = 2.25 * INCH_MM  # 57.15, depth at the deep side
RADIUS_MM = DIAMETER_MM / 2
SLOPE = (DEEP_MM - SHALLOW_MM) / DIAMETER_MM  # bottom depth gained per mm towards the deep side
AXIS_DEPTH_MM = SHALLOW_MM + SLOPE * RADIUS_MM  # bottom depth on the axis, 41.275
LONGEST_INSIDE_MM = float(np.hypot(DIAMETER_MM, DEEP_MM))  # shallow rim to deep corner, 65.4
_NORM = float(np.hypot(1.0, SLOPE))  # length of the bottom plane's normal (slope, 0, 1)
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_STIFF = 1e3  # weight of the chord-overlap penalty in _reach_mm
MAX_HULL_POINTS = 160  # support directions of the hull the pose search runs on


@dataclass(frozen=True)
class CylinderFit:
    """Whether a part fits the small-parts cylinder, by how much, and how it was posed."""

    fits: bool
    margin_mm: float  # room left in the best pose (negative: how far it is from fitting)
    rotation: np.ndarray  # (3, 3) part frame -> cylinder frame (z up the bore, deep side +x)
    extents_mm: tuple[float, float, float]  # the part's box, longest first (its own axes)

    def explain(self, name: str) -> str:
        """One sentence naming the part, its size and the outcome."""
        a, b, c = self.extents_mm
        size = f"{a:.1f} x {b:.1f} x {c:.1f} mm"
        cyl = f"the 16 CFR 1501 cylinder ({DIAMETER_MM:.2f} mm across, {SHALLOW_MM:.1f}-{DEEP_MM:.2f} mm deep)"
        if self.fits:
            return f"'{name}' ({size}) fits entirely within {cyl} with {self.margin_mm:.1f} mm to spare"
        return f"'{name}' ({size}) does not fit {cyl}: {-self.margin_mm:.1f} mm too big in its best orientation"


def hull_points(vertices: np.ndarray, directions: int = 1024) -> np.ndarray:
    """The extreme points of a point set (mm) in `directions` evenly spread directions: a
    hull inside the true one (a part never looks bigger), within ~0.1 mm of it at 1024."""
    points = np.asarray(vertices, dtype=float).reshape(-1, 3)
    if len(points) < 4 or not np.isfinite(points).all():
        raise ComplianceError("a part needs at least 4 finite vertices to be measured")
    if np.ptp(points, axis=0).max() <= 0:
        raise ComplianceError("a part with no extent cannot be measured")
    return points[np.unique(np.argmax(points @ _sphere(directions).T, axis=0))]


def _sphere(n: int) -> np.ndarray:
    """(n, 3) unit vectors spread evenly over the sphere (Fibonacci lattice)."""
    k = np.arange(n) + 0.5
    z = 1.0 - 2.0 * k / n
    phi = np.pi * (1.0 + 5.0**0.5) * k
    s = np.sqrt(1.0 - z * z)
    return np.column_stack([s * np.cos(phi), s * np.sin(phi), z])


def width_mm(points: np.ndarray, directions: int = 2048) -> np.ndarray:
    """(min, max) extent of the points over sampled directions, mm (min is an upper bound)."""
    proj = points @ _sphere(directions).T
    ext = proj.max(axis=0) - proj.min(axis=0)
    return np.array([ext.min(), ext.max()])


def _to_axis(d: np.ndarray) -> np.ndarray:
    """(n, 3, 3) rotations taking each unit vector d to +z (Rodrigues, vectorised)."""
    z = np.array([0.0, 0.0, 1.0])
    v = np.cross(d, z)
    c = d @ z
    vx = np.zeros((len(d), 3, 3))
    vx[:, 0, 1], vx[:, 0, 2], vx[:, 1, 2] = -v[:, 2], v[:, 1], -v[:, 0]
    vx[:, 1, 0], vx[:, 2, 0], vx[:, 2, 1] = v[:, 2], -v[:, 1], v[:, 0]
    k = 1.0 / np.maximum(1.0 + c, 1e-9)
    r = np.eye(3)[None] + vx + (vx @ vx) * k[:, None, None]
    flip = c < -1.0 + 1e-9  # d = -z: turn half-way about x
    r[flip] = np.diag([1.0, -1.0, -1.0])
    return r


def _spin(angles: np.ndarray) -> np.ndarray:
    """(n, 3, 3) rotations about +z by angles (radians)."""
    c, s = np.cos(angles), np.sin(angles)
    r = np.zeros((len(angles), 3, 3))
    r[:, 0, 0], r[:, 0, 1], r[:, 1, 0], r[:, 1, 1], r[:, 2, 2] = c, -s, s, c, 1.0
    return r


def sweep_rotations(directions: int = 160, spins: int = 10) -> np.ndarray:
    """(directions * spins, 3, 3) orientations covering SO(3): each direction up the bore,
    turned about the bore's axis (the slanted bottom makes every turn differ)."""
    ups = _to_axis(_sphere(directions))
    turns = _spin(np.arange(spins) * 2 * np.pi / spins)
    return (turns[None, :] @ ups[:, None]).reshape(-1, 3, 3)


def _reach_mm(x: np.ndarray, y: np.ndarray, rho: np.ndarray, iterations: int) -> np.ndarray:
    """(n,) the furthest shift towards the deep side (+x) that keeps every point (n, p) of
    each pose within a circle of radius rho (n,) about the axis; -inf where none does.
    Per sideways shift cy the shifts allowed are [low(cy), high(cy)], high concave and low
    convex, so high + K min(0, high - low) is concave and a golden-section search finds it."""
    lo = -y.min(axis=1) - rho
    hi = -y.max(axis=1) + rho
    ok = (hi >= lo) & (rho > 0)
    hi = np.where(ok, hi, lo)
    r2 = (np.where(ok, rho, 0.0) ** 2)[:, None]

    def reach(cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        off = cy[:, None] + y
        room = np.sqrt(np.maximum(r2 - off * off, 0.0))
        high, low = np.min(room - x, axis=1), np.max(-room - x, axis=1)
        return high + _STIFF * np.minimum(high - low, 0.0), high - low

    a = hi - _GOLDEN * (hi - lo)
    b = lo + _GOLDEN * (hi - lo)
    fa, fb = reach(a)[0], reach(b)[0]
    for _ in range(iterations):
        left = fa >= fb  # the maximum lies in [lo, b]: b becomes a, a new point below it
        hi = np.where(left, b, hi)
        lo = np.where(left, lo, a)
        a, b = (
            np.where(left, hi - _GOLDEN * (hi - lo), b),
            np.where(left, a, lo + _GOLDEN * (hi - lo)),
        )
        f_new = reach(np.where(left, a, b))[0]
        fa, fb = np.where(left, f_new, fb), np.where(left, fa, f_new)
    cy = np.where(fa >= fb, a, b)
    best, gap = reach(cy)
    return np.where(ok & (gap >= -1e-6), best, -np.inf)


def margins_mm(points: np.ndarray, rotations: np.ndarray, precision: str = "fine") -> np.ndarray:
    """(n,) for each orientation, the largest clearance (mm) the posed points keep from the
    cylinder's wall, rim and bottom at the best placement; >= 0 means the part fits."""
    q = np.einsum("nij,pj->npi", rotations, points)
    x, y, z = q[..., 0], q[..., 1], q[..., 2]
    # Depth in closed form: the part sits as high as the rim (less the clearance m) allows;
    # the bottom plane z + SLOPE x + AXIS_DEPTH >= m * |normal| then asks a shift tx >= need(m).
    low = np.min(z + SLOPE * x, axis=1) - z.max(axis=1)  # (n,) lowest point on the bottom axis

    def need(m: np.ndarray) -> np.ndarray:
        return (m * (_NORM + 1.0) - AXIS_DEPTH_MM - low) / SLOPE

    steps, golden = (16, 22) if precision == "fine" else (10, 14)  # ~0.005 mm; ~0.15 mm
    span = float(np.ptp(points, axis=0).max())
    lo = np.full(len(q), -(span + 1.0))  # grown by the part's size, anything fits
    hi = np.full(len(q), RADIUS_MM)
    for _ in range(steps):
        m = (lo + hi) / 2
        fits = _reach_mm(x, y, RADIUS_MM - m, golden) >= need(m)
        lo = np.where(fits, m, lo)
        hi = np.where(fits, hi, m)
    return lo


def _jitter(rotations: np.ndarray, scale_rad: float, count: int, rng: np.random.Generator):
    """(len * count, 3, 3) small random turns (up to ~scale) of each rotation."""
    axes = rng.normal(size=(len(rotations) * count, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    angle = rng.normal(scale=scale_rad, size=len(axes))
    k = np.zeros((len(axes), 3, 3))
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -axes[:, 2], axes[:, 1], -axes[:, 0]
    k -= np.transpose(k, (0, 2, 1))
    s, c = np.sin(angle)[:, None, None], np.cos(angle)[:, None, None]
    turn = np.eye(3)[None] + s * k + (1 - c) * (k @ k)
    return turn @ np.repeat(rotations, count, axis=0)


def fit_cylinder(vertices: np.ndarray, seed: int = 0) -> CylinderFit:
    """Whether a part (its vertices, mm) fits entirely within the small-parts cylinder in
    some orientation: the part's principal poses, else a sweep over SO(3) whose best poses
    are refined by shrinking random turns; searched on ~MAX_HULL_POINTS extreme points and
    judged on ~1000 (the verdict and its margin are those of the finer hull)."""
    fine = hull_points(vertices)
    centre = fine.mean(axis=0)
    fine = fine - centre
    ball = float(np.linalg.norm(np.asarray(vertices, float).reshape(-1, 3) - centre, axis=1).max())
    if ball <= RADIUS_MM:  # inside a ball no wider than the bore: fits against the deep side
        return CylinderFit(True, RADIUS_MM - ball, np.eye(3), _extents(fine))
    points = hull_points(fine, MAX_HULL_POINTS)
    extents = _extents(fine)
    least, most = width_mm(fine)
    if least > DIAMETER_MM * 1.01 or most > LONGEST_INSIDE_MM * 1.01:  # can never fit
        too = max(least - DIAMETER_MM, most - LONGEST_INSIDE_MM) / 2
        return CylinderFit(False, -float(too), np.eye(3), extents)
    quick = _principal_rotations(points)  # most parts that fit, fit lying along their axes
    best = quick[np.argsort(-margins_mm(points, quick))[:4]]
    score = margins_mm(fine, best)
    if score.max() >= 0.0:
        i = int(np.argmax(score))
        return CylinderFit(True, float(score[i]), best[i], extents)
    rotations = sweep_rotations()
    coarse = margins_mm(points, rotations, precision="coarse")
    best = rotations[np.argsort(-coarse)[:6]]
    best, _ = _refine(points, best, seed)
    score = margins_mm(fine, best)
    i = int(np.argmax(score))
    return CylinderFit(bool(score[i] >= 0.0), float(score[i]), best[i], extents)


def _refine(points: np.ndarray, best: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The poses improved by rounds of 16 random turns each, shrinking from ~11 degrees."""
    score = margins_mm(points, best)
    rng = np.random.default_rng(seed)
    rows = np.arange(len(best))
    for scale in (0.2, 0.1, 0.05, 0.025, 0.012):
        if score.max() >= 0.05:  # fits with room: no need to look further
            break
        trial = _jitter(best, scale, 16, rng).reshape(len(best), -1, 3, 3)
        got = margins_mm(points, trial.reshape(-1, 3, 3)).reshape(len(best), -1)
        pick = np.argmax(got, axis=1)
        better = got[rows, pick] > score
        best = np.where(better[:, None, None], trial[rows, pick], best)
        score = np.where(better, got[rows, pick], score)
    return best, score


def _principal_rotations(points: np.ndarray) -> np.ndarray:
    """(36, 3, 3) poses with the part's principal axes along the cylinder's, each turned 45
    degrees about the bore (a long part leans along the slanted bottom's diagonal)."""
    _, _, axes = np.linalg.svd(points - points.mean(axis=0), full_matrices=False)
    perms = [(0, 1, 2), (1, 2, 0), (2, 0, 1)]
    base = [np.array([axes[i] * sx, axes[j] * sy, np.cross(axes[i] * sx, axes[j] * sy)])
            for i, j, _ in perms for sx in (1.0, -1.0) for sy in (1.0, -1.0)]  # fmt: skip
    tilt = np.arctan2(DEEP_MM, DIAMETER_MM)  # the diagonal's angle from the rim plane
    lean = np.array(
        [[np.cos(tilt), 0.0, np.sin(tilt)], [0.0, 1.0, 0.0], [-np.sin(tilt), 0.0, np.cos(tilt)]]
    )
    ups = np.array(base)  # each principal axis across the bore (x), either way round
    quarter = _spin(np.array([np.pi / 2]))[0]
    return np.concatenate([ups, lean[None] @ ups, quarter[None] @ ups])


def _extents(points: np.ndarray) -> tuple[float, float, float]:
    """The points' extents along their principal axes, longest first (mm)."""
    centred = points - points.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    ext = np.ptp(centred @ axes.T, axis=0)
    a, b, c = sorted((float(e) for e in ext), reverse=True)
    return a, b, c
