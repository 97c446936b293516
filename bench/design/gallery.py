"""`.venv/bin/python -m bench.design.gallery [n]`: the design gallery, one contact sheet per
development idea (tests/data/design_ideas.yaml) that is not refused: the top 8 of 36 variants in
colour, each with its label, as docs/design-gallery/<slug>.webp, and an index README.md with the
idea's words and how they were read (the spec). Refused ideas are listed with their reason."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, ImageFont

from engines.design.base import DesignError
from engines.design.generate import generate_designs, read
from engines.design.kit.spec import DesignSpec
from engines.design.render import render_preview

IDEAS_YAML = Path("tests/data/design_ideas.yaml")
OUT = Path("docs/design-gallery")
TILE_PX, LABEL_PX, COLUMNS, TOP = 176, 43, 4, 8
WEBP_QUALITY = 62
BACKGROUND = (244, 245, 247)


def slug(text: str) -> str:
    """A file name of an idea's words ("Pink axolotl keychain!" -> "pink-axolotl-keychain")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "idea"


def ideas(path: Path = IDEAS_YAML) -> list[str]:
    """The idea texts of the development set."""
    data = yaml.safe_load(path.read_text())
    rows = data.get("ideas", data) if isinstance(data, dict) else data
    return [r["text"] if isinstance(r, dict) else str(r) for r in rows]


def _font(size: int) -> Any:
    """A TrueType font if the system has one, else PIL's default."""
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _wrapped(text: str, draw: Any, font: Any, lines: int = 2) -> list[str]:
    """The text broken at ' · ' into at most `lines` lines that fit a tile (the last cut
    with an ellipsis)."""
    out, words = [""], text.split(" · ")
    for word in words:
        joined = f"{out[-1]} · {word}" if out[-1] else word
        if draw.textlength(joined, font=font) <= TILE_PX - 8 or not out[-1]:
            out[-1] = joined
        elif len(out) < lines:
            out.append(word)
        else:
            out[-1] = out[-1] + " …"
            break
    return out


def contact_sheet(variants: list[Any], path: Path, work: Path) -> None:
    """A grid of the variants' coloured previews with their rank and label underneath (WebP)."""
    rows = -(-len(variants) // COLUMNS)
    sheet = Image.new("RGB", (COLUMNS * TILE_PX, rows * (TILE_PX + LABEL_PX)), BACKGROUND)
    draw, font = ImageDraw.Draw(sheet), _font(11)
    for k, v in enumerate(variants):
        png = work / f"t{k}.png"
        render_preview(v.mesh, png, TILE_PX, face_colours=v.face_colours)
        x, y = (k % COLUMNS) * TILE_PX, (k // COLUMNS) * (TILE_PX + LABEL_PX)
        sheet.paste(Image.open(png), (x, y))
        for k, line in enumerate(_wrapped(f"{v.rank}. {v.label}", draw, font)):
            draw.text((x + 4, y + TILE_PX + 1 + 13 * k), line, fill=(40, 40, 45), font=font)
        cost = f"${v.unit_cost_usd:.2f} · {max(v.dims_mm):.0f} mm" + ("" if v.printable else " · !")
        draw.text((x + 4, y + TILE_PX + 28), cost, fill=(110, 110, 115), font=font)
    sheet.save(path, format="WEBP", quality=WEBP_QUALITY, method=6)


def spec_line(spec: DesignSpec) -> str:
    """The spec in one Markdown line (what the words were read as)."""
    parts = [f"form **{spec.form}**"]
    if spec.subject:
        parts.append(f"subject **{spec.subject}**")
    for f in spec.features:
        place = {"head": "on the head", "mouth": "in the mouth"}.get(f.place, "")
        what = " ".join(x for x in (f.colour, f.material, f.variant, f.name, place) if x)
        parts.append(f"feature **{what}**")
    parts += [f"{part} colour **{colour}**" for part, colour in spec.part_colours]
    for name in ("body_colour", "product_colour", "material", "style", "pose", "expression"):
        if getattr(spec, name):
            parts.append(f"{name.replace('_', ' ')} **{getattr(spec, name)}**")
    if spec.portrait:
        parts.append("shows **the head alone**")
    if spec.placement == "on":
        parts.append("placement **sitting on the rim**")
    if spec.size_mm:
        parts.append(f"size **{spec.size_mm:g} mm**")
    return ", ".join(parts)


def build(texts: list[str], out: Path = OUT, count: int = 36) -> list[tuple[str, str]]:
    """Contact sheets and the index page for the ideas (the index is rewritten after each
    idea, so an interrupted build leaves a consistent gallery); the ideas that failed to
    build, with the error."""
    out.mkdir(parents=True, exist_ok=True)
    made: list[tuple[str, DesignSpec, str]] = []
    refused: list[tuple[str, str]] = []
    failed: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for text in texts:
            try:
                spec = read(text)
                variants = generate_designs(spec, count)[:TOP]
            except DesignError as err:
                refused.append((text, str(err)))
                continue
            except Exception as err:  # noqa: BLE001 - a builder bug: listed, not hidden
                failed.append((text, repr(err)))
                continue
            name = f"{slug(text)}.webp"
            contact_sheet(variants, out / name, Path(tmp))
            made.append((text, spec, name))
            print(f"{name}: {(out / name).stat().st_size / 1024:.0f} KB", flush=True)
            index(made, refused, failed, out, count)
    index(made, refused, failed, out, count)
    return failed


def refresh(texts: list[str], out: Path = OUT, count: int = 36) -> list[tuple[str, str]]:
    """The sheets of `texts` only, then the index of every development idea from the sheets
    on disk (an idea with no sheet yet is listed as not built); the ideas that failed."""
    failed = build(texts, out, count)
    broken = {text for text, _ in failed}
    made: list[tuple[str, DesignSpec, str]] = []
    refused: list[tuple[str, str]] = []
    missing: list[tuple[str, str]] = list(failed)
    for text in ideas():
        try:
            spec = read(text)
        except DesignError as err:
            refused.append((text, str(err)))
            continue
        name = f"{slug(text)}.webp"
        if text in broken:
            continue
        if (out / name).exists():
            made.append((text, spec, name))
        else:
            missing.append((text, "no sheet yet: run the gallery for this idea"))
    index(made, refused, missing, out, count)
    return failed


def index(
    made: list[tuple[str, DesignSpec, str]],
    refused: list[tuple[str, str]],
    failed: list[tuple[str, str]],
    out: Path,
    count: int,
) -> None:
    """The gallery's README.md: each idea's words, how they were read, its sheet."""
    lines = [
        "# Design gallery",
        "",
        f"The top {TOP} of {count} variants of each development idea",
        "(`tests/data/design_ideas.yaml`) in colour, each with its rank, label, unit cost and",
        "longest side (`!` = not printable as is), under how the words were read.",
        f"Made by `.venv/bin/python -m bench.design.gallery --count {count}`.",
        "",
    ]
    for text, spec, name in made:
        lines += [f"## {text}", "", spec_line(spec), "", f"![{text}]({name})", ""]
    if refused:
        lines += ["## Refused", ""] + [f"- *{t}*: {why}" for t, why in refused] + [""]
    if failed:
        lines += ["## Not built (a bug to fix)", ""]
        lines += [f"- *{t}*: `{why}`" for t, why in failed] + [""]
    (out / "README.md").write_text("\n".join(lines))


def main(argv: list[str]) -> None:
    """`[--count N] [first K ideas | --only IDEA ...]`: the gallery of the development ideas;
    `--only` remakes the named ideas' sheets and the index of all (the rest kept)."""
    count = 36
    if argv[:1] == ["--count"]:
        count, argv = int(argv[1]), argv[2:]
    if argv[:1] == ["--only"]:
        failed = refresh(argv[1:], count=count)
    else:
        texts = ideas()
        failed = build(texts[: int(argv[0])] if argv else texts, count=count)
    for text, why in failed:
        print(f"not built: {text}: {why}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
