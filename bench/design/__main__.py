"""`.venv/bin/python -m bench.design [runs] [rounds]`: design time per trend and learning replay.

Times 36 variants with meshes, PNG thumbnails and GLBs for five trends (median of `runs`, each
with a cold embedding cache; target < 5 s per trend) against two anchors measured in the same
run: building the 36 chosen meshes alone, and keyword-only generation (no embeddings); and the
plush trend guided by a reference mesh (an STL of a four-legged animal). Then
replays `rounds` selections of a simulated merchant with hidden tastes and prints how the rank
of the variant they pick moves as the preference model learns, beside a no-learning replay.
A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import trimesh

from engines.design import FAMILIES, embed, features, generate_variants, learn, write_variant_assets
from engines.design.preference import feature_names

TRENDS = (
    "viral crying horse plushie",
    "mini straw sun hat for your palm",
    "cat-shaped phone holder",
    "pink heart keychain charm for your bag",
    "oversized coffee mug with a round belly",
)
TARGET_S = 5.0
HIDDEN = {"topper=bunny": 2.0, "back_angle": -1.5, "base_width": 1.5, "cost": 0.5}  # off-default
REPLAY_TEXT, REPLAY_COUNT = "phone stand", 24


def _seconds(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _full(
    text: str, out: Path, embeddings: bool | None = None, reference: Path | None = None
) -> None:
    """36 variants with STL, PNG and GLB written."""
    _, variants = generate_variants(text, count=36, embeddings=embeddings, reference=reference)
    for v in variants:
        write_variant_assets(v, out, f"v{v.rank:03d}")


def _reference_pony(path: Path) -> Path:
    """A four-legged animal STL (egg body, legs, neck, head; 160 mm long) as a reference mesh."""
    body = trimesh.creation.icosphere(3, 1.0)
    body.apply_scale([80.0, 45.0, 40.0])
    body.apply_translation([0, 0, 90.0])
    legs = [trimesh.creation.cylinder(9.0, segment=[(x, y, 0), (x, y, 90)])
            for x in (-50, 50) for y in (-25, 25)]  # fmt: skip
    neck = trimesh.creation.cylinder(14.0, segment=[(60, 0, 100), (95, 0, 150)])
    head = trimesh.creation.icosphere(3, 26.0)
    head.apply_translation([100, 0, 160])
    trimesh.boolean.union([body, *legs, neck, head], engine="manifold").export(path)
    return path


def time_reference(runs: int, work: Path) -> None:
    """Median seconds of the plush trend guided by a reference mesh (loaded from file each run)."""
    pony = _reference_pony(work / "pony.stl")
    text = f"{TRENDS[0]} + reference mesh"
    _full(TRENDS[0], work / "ref", reference=pony)  # per-process family shape samples
    full = []
    for _ in range(runs):
        embed._cache.clear()
        full.append(_seconds(lambda: _full(TRENDS[0], work / "ref", reference=pony)))
    f = statistics.median(full)
    print(f"{text:42s} {f:7.2f}  (not in the median)  {'ok' if f < TARGET_S else 'SLOW'}")


def _meshes_only(text: str) -> Callable[[], object]:
    """A call that rebuilds the 36 chosen variants' meshes (the anchor)."""
    family, variants = generate_variants(text, count=36, embeddings=False)
    build, designs = FAMILIES[family].build, [v.design_params for v in variants]
    return lambda: [build(d) for d in designs]


def time_trends(runs: int, work: Path) -> None:
    """Median seconds per trend (cold embedding cache each run) and ratios to the anchors."""
    print(f"{'trend':42s} {'full s':>7s} {'meshes s':>8s} {'keyword s':>9s} "
          f"{'full/meshes':>11s} {'full/keyword':>12s}  target<{TARGET_S:.0f}s")  # fmt: skip
    totals = []
    for text in TRENDS:
        full, kw = [], []
        for _ in range(runs):
            embed._cache.clear()
            full.append(_seconds(lambda t=text: _full(t, work / "emb")))  # type: ignore[misc]
            kw.append(_seconds(lambda t=text: _full(t, work / "kw", embeddings=False)))  # type: ignore[misc]
        meshes = _meshes_only(text)
        mesh_s = statistics.median(_seconds(meshes) for _ in range(runs))
        f, k = statistics.median(full), statistics.median(kw)
        totals.append(f)
        ok = "ok" if f < TARGET_S else "SLOW"
        print(f"{text:42s} {f:7.2f} {mesh_s:8.2f} {k:9.2f} {f / mesh_s:11.2f} {f / k:12.2f}  {ok}")
    print(f"median over trends: {statistics.median(totals):.2f} s per trend of 36 variants")


def _merchant(family: str, variants: list, rng: np.random.Generator) -> int:
    """The shown variant a merchant with hidden tastes picks (utility + Gumbel noise)."""
    fam = FAMILIES[family]
    x = features(fam, [v.params for v in variants], [v.unit_cost_usd for v in variants])
    hidden = np.array([HIDDEN.get(n, 0.0) for n in feature_names(fam)])
    return int(np.argmax(x @ hidden + 0.5 * rng.gumbel(size=len(variants))))


def replay(rounds: int, learning: bool) -> list[int]:
    """Rank (1 = top) of the picked variant in each round of a simulated merchant's picks."""
    rng, model, ranks = np.random.default_rng(11), None, []
    for r in range(rounds):
        family, variants = generate_variants(
            REPLAY_TEXT, count=REPLAY_COUNT, seed=1000 + r, preference=model
        )
        chosen = _merchant(family, variants, rng)
        ranks.append(variants[chosen].rank)
        if learning:
            params, costs = [v.params for v in variants], [v.unit_cost_usd for v in variants]
            model = learn(model, family, params, costs, chosen)
    return ranks


def learning_report(rounds: int) -> None:
    """Mean rank of the merchant's pick early vs late, with and without learning."""
    k = max(1, min(5, rounds // 4))
    for learning in (False, True):
        ranks = replay(rounds, learning)
        early, late = float(np.mean(ranks[:k])), float(np.mean(ranks[-k:]))
        label = "with learning   " if learning else "without learning"
        print(
            f"{label}: mean rank of the picked variant (of {REPLAY_COUNT}) rounds 1-{k} {early:5.1f}"
            f"  rounds {rounds - k + 1}-{rounds} {late:5.1f}  late/early {late / early:4.2f}"
            f"  top-3 share late {np.mean(np.array(ranks[-k:]) <= 3):.0%}"
        )


def main(argv: list[str]) -> None:
    """Timing table, then the learning replay."""
    runs = int(argv[0]) if argv else 3
    rounds = int(argv[1]) if len(argv) > 1 else 50
    load_s = _seconds(embed.model)
    print(f"sentence model load (once per worker): {load_s:.2f} s; "
          f"embeddings {'on' if embed.available() else 'OFF (lexical fallback)'}")  # fmt: skip
    generate_variants("plush toy", count=2)  # per-process anchors (family prototypes, vocabulary)
    with tempfile.TemporaryDirectory() as tmp:
        time_trends(runs, Path(tmp))
        time_reference(runs, Path(tmp))
    learning_report(rounds)


if __name__ == "__main__":
    main(sys.argv[1:])
