"""`.venv/bin/python -m bench.design.distinct [ideas...]`: how distinct the top 8 are, per form.

Per idea: seconds (wall, CPU) for 36 variants with STL, coloured PNG and GLB; the mean and max
pairwise three-view silhouette IoU of the top 8 (ranking.IOU_THRESHOLD is the bar); the number
of top-8 pairs at or over the bar; duplicate labels among all 36; the top-8 labels.
A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from engines.design import ranking, workers
from engines.design.generate import generate_designs, read, write_all_assets

IDEAS = (
    "frog mug",
    "cat mug with ears and a tail handle",
    "pink pig coffee mug",
    "cat-ear headband",
    "bunny ears headband",
    "cat planter",
    "desk cactus planter",
    "heart-shaped sunglasses",
    "round glasses frame",
    "frog bucket hat",
    "axolotl keychain",
    "strawberry cow figurine",
)
COUNT = 36


def top_iou(meshes: list) -> tuple[float, float, int]:
    """Mean, max and count over the bar of pairwise silhouette IoU of the first 8 meshes."""
    top = meshes[: ranking.TOP_DISTINCT]
    frame = max(float(m.extents.max()) for m in top)
    iou = ranking.iou_matrix(np.stack([ranking.silhouettes([m], frame) for m in top]))
    pairs = iou[np.triu_indices(len(top), 1)]
    return float(pairs.mean()), float(pairs.max()), int((pairs >= ranking.IOU_THRESHOLD).sum())


def main(argv: list[str]) -> None:
    """The table for the given ideas (default IDEAS)."""
    ideas = tuple(argv) or IDEAS
    generate_designs(read(ideas[0]), 8)  # warm up: imports, caches, thread pool
    print(f"{'idea':40s} {'form':10s} {'s':>5s} {'cpu':>5s} {'mean':>5s} {'max':>5s} "
          f"{'>=bar':>5s} {'dup':>3s}  top-8 labels")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for text in ideas:
            spec = read(text)
            wall, cpu = time.perf_counter(), workers.cpu_seconds()
            variants = generate_designs(spec, COUNT)
            write_all_assets(variants, Path(tmp), [f"v{v.rank:03d}" for v in variants])
            wall = time.perf_counter() - wall
            cpu = workers.cpu_seconds() - cpu
            mean, most, over = top_iou([v.mesh for v in variants])
            labels = [v.label for v in variants]
            dup = len(labels) - len(set(labels))
            print(f"{text[:40]:40s} {spec.form:10s} {wall:5.2f} {cpu:5.1f} {mean:5.2f} "
                  f"{most:5.2f} {over:5d} {dup:3d}  {' | '.join(labels[:8])}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
