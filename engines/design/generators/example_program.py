#!/usr/bin/env python3
"""An example design generator speaking TrendForge's JSON protocol (trendforge-generator/1).

A stand-alone program (numpy and trimesh only, nothing downloaded): it reads one request from
stdin and answers on stdout with `count` rounded "pebble" figures of the spec's subject (a body,
a head and two ears), each written as STL files into the request's out_dir, or inline arrays with
--inline. Configure it with
    TRENDFORGE_DESIGN_GENERATORS='["parametric", {"name": "pebbles",
        "command": ["{python}", "engines/design/generators/example_program.py"]}]'
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import trimesh

PROTOCOL = "trendforge-generator/1"
COLOURS = {  # a few names of the spec's colours; anything else gets a seeded pastel
    "pink": (244, 160, 190), "green": (110, 180, 90), "brown": (150, 105, 70),
    "white": (240, 238, 230), "black": (40, 40, 45), "yellow": (245, 215, 90),
    "blue": (90, 140, 220), "red": (210, 60, 55), "orange": (240, 150, 60),
    "grey": (150, 150, 155), "purple": (150, 110, 200),
}  # fmt: skip
SHAPES = (("round", 1.0, 1.0), ("tall", 0.8, 1.35), ("squat", 1.25, 0.75), ("big head", 0.9, 1.0))


def pebble(rng: np.random.Generator, wide: float, tall: float) -> dict[str, trimesh.Trimesh]:
    """Body, head and ears of one figure (overlapping, so they join into one solid), mm."""
    body = trimesh.creation.icosphere(subdivisions=3, radius=20.0)
    body.apply_scale([wide, wide * 0.9, tall])
    body.apply_translation([0, 0, 20.0 * tall])
    head_r = 14.0 * rng.uniform(0.9, 1.2)
    head_z = 40.0 * tall + head_r * 0.6
    head = trimesh.creation.icosphere(subdivisions=3, radius=head_r)
    head.apply_translation([0, 0, head_z])
    parts = {"body": body, "head": head}
    for side, y in (("left ear", 1.0), ("right ear", -1.0)):
        ear = trimesh.creation.cone(radius=head_r * 0.35, height=head_r * 0.9, sections=16)
        ear.apply_translation([0, y * head_r * 0.5, head_z + head_r * 0.6])
        parts[side] = ear
    return parts


def answer(request: dict[str, Any], inline: bool) -> dict[str, Any]:
    """The answer to one request: `count` designs, files written into out_dir unless inline."""
    spec = request["spec"]
    count = max(1, min(int(request.get("count", 4)), 16))
    rng = np.random.default_rng(int(request.get("seed", 0)))
    colour = COLOURS.get(str(spec.get("body_colour")))
    out = Path(request["out_dir"])
    designs = []
    for k in range(count):
        name, wide, tall = SHAPES[k % len(SHAPES)]
        body_rgb = colour or tuple(int(c) for c in rng.integers(140, 245, 3))
        parts = []
        for part, mesh in pebble(rng, wide, tall).items():
            rgb = body_rgb if part != "head" or k % 2 == 0 else (240, 238, 230)
            entry: dict[str, Any] = {"name": part, "colour": list(rgb), "material": None}
            if inline:
                entry |= {"vertices": mesh.vertices.tolist(), "faces": mesh.faces.tolist()}
            else:
                file = f"d{k + 1}-{part.replace(' ', '-')}.stl"
                mesh.export(out / file)
                entry["file"] = file
            parts.append(entry)
        label = f"pebble {name}" + (f" no. {k // len(SHAPES) + 1}" if k >= len(SHAPES) else "")
        designs.append({"label": label, "parts": parts})
    return {"protocol": PROTOCOL, "designs": designs}


def main() -> int:
    """Read the request on stdin, answer on stdout; an error answer when it cannot."""
    try:
        request = json.load(sys.stdin)
        if request.get("protocol") != PROTOCOL:
            raise ValueError(f"protocol {request.get('protocol')!r} is not {PROTOCOL}")
        reply = answer(request, "--inline" in sys.argv[1:])
    except (ValueError, KeyError, TypeError) as err:
        reply = {"protocol": PROTOCOL, "error": str(err)}
    json.dump(reply, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
