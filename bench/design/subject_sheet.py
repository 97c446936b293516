"""Contact sheets of subjects (and of features on a subject) as PNGs, to look at the geometry.

.venv/bin/python bench/design/subject_sheet.py [--style kawaii] [--pose standing]
    [--subjects cat,frog] [--features frog] [--out /tmp/subjects]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from engines.design.kit.parts import Model
from engines.design.kit.spec import FeatureSpec
from engines.design.kit.vocab import FEATURES, SUBJECTS
from engines.design.render import render_preview

TILE_PX = 256


def tile(model: Model, label: str, folder: Path) -> Image.Image:
    """One labelled preview tile of a model."""
    path = folder / f"{abs(hash(label))}.png"
    mesh, owner = model.solid()  # what prints: the union, each face coloured by its part
    render_preview(mesh, path, TILE_PX, face_colours=model.face_colours(owner))
    image = Image.open(path).convert("RGB")
    ImageDraw.Draw(image).text((6, 4), label, fill=(20, 20, 20))
    return image


def sheet(tiles: list[Image.Image], path: Path, columns: int = 8) -> None:
    """Tiles in a grid, written as a PNG."""
    rows = (len(tiles) + columns - 1) // columns
    out = Image.new("RGB", (columns * TILE_PX, rows * TILE_PX), (255, 255, 255))
    for i, image in enumerate(tiles):
        out.paste(image, ((i % columns) * TILE_PX, (i // columns) * TILE_PX))
    out.save(path)


def subjects_sheet(
    names: list[str], style: str, pose: str, expression: str, out: Path, wear: str = ""
) -> Path:
    """A sheet of subjects in one style, pose and expression, each wearing `wear`
    ("hat:straw"; "" for none)."""
    from engines.design.features import attach_feature
    from engines.design.subjects import build_subject

    tiles = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            model = build_subject(name, style=style, pose=pose, expression=expression)
            if wear:
                feature, _, variant = wear.partition(":")
                attach_feature(model, FeatureSpec(feature, variant))
            faces = sum(len(p.mesh.faces) for p in model.parts)
            tiles.append(tile(model, f"{name} {style} {pose} {faces}f", Path(tmp)))
    path = (
        out
        / f"subjects_{style}_{pose}_{expression}{'_' + wear.replace(':', '_') if wear else ''}.png"
    )
    sheet(tiles, path)
    return path


def features_sheet(subject: str, out: Path) -> Path:
    """A sheet of every feature variant on one subject."""
    from engines.design.features import attach_feature
    from engines.design.subjects import build_subject

    tiles = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, variants in FEATURES.items():
            for variant in variants:
                model = build_subject(subject)
                attach_feature(model, FeatureSpec(name, variant))
                tiles.append(tile(model, f"{name}:{variant}", Path(tmp)))
    path = out / f"features_{subject}.png"
    sheet(tiles, path)
    return path


def main() -> None:
    """Write the sheets named on the command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--style", default="kawaii")
    parser.add_argument("--pose", default="standing")
    parser.add_argument("--expression", default="happy")
    parser.add_argument("--subjects", default=",".join(SUBJECTS))
    parser.add_argument("--features", default="", help="subjects to show every feature on")
    parser.add_argument("--wear", default="", help="one feature on every subject: hat:straw")
    parser.add_argument("--out", default="/tmp/subjects")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if args.features:
        for subject in args.features.split(","):
            print(features_sheet(subject, out))
    else:
        names = args.subjects.split(",")
        print(subjects_sheet(names, args.style, args.pose, args.expression, out, args.wear))
    print(f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
