"""A design's parts as compliance sees them: named point sets (mm) grouped into the components
a factory would make separately, each with how it is built (hard, soft, surface, integral).

The design engine names parts (engines.design.kit.parts.Part): a subject's "eye_l", "eye_l
shine", "nose", "mouth"; a feature's parts "<feature> <label>" ("hat brim", "held balloon");
a form's "base", "ring", "loop". Its GLB holds one node per part with that name ("name 2" for
a repeated name). Which of them come off in use is not in the geometry: it is the product
form's construction, the words ("bead eyes", "embroidered eyes") and the merchant's override.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from engines.compliance.errors import ComplianceError

Build = Literal["hard", "soft", "surface", "integral", "body"]
BUILDS: tuple[str, ...] = get_args(Build)
# hard: a separate rigid piece sewn or pushed on (safety eye, bead, plastic glasses): tested
#       as a piece that can come off; soft: fabric, felt, yarn (excluded from 1501.4(b)(2));
# surface: embroidered or printed marks (no piece at all); integral: printed in one piece
#       with the product (can break off only in abuse tests); body: the product itself.

SOFT_FORMS = frozenset({"plush"})  # sewn products: attached pieces are separate components
FEATURE_NAMES = (
    "hat",
    "wings",
    "horns",
    "scarf",
    "bow",
    "glasses",
    "teeth",
    "tears",
    "eyes",
    "spots",
    "stripes",
    "held",
    "cape",
    "blush",
    "straw",
)  # fmt: skip  (engines.design.kit.vocab.FEATURES keys; the test keeps them in step)
SURFACE_FEATURES = frozenset({"tears", "spots", "stripes", "blush", "teeth"})
SOFT_FEATURES = frozenset({"hat", "scarf", "bow", "cape", "wings"})  # fabric on a plush
_EYE = re.compile(r"^(eye_[lr]|eyes)\b(?! bump| patch| stripe)")
_NOSE = re.compile(r"^nose\b")
_MARKS = re.compile(r"^(mouth|blush|brow|tear|nostril|patch|eye patch|eye stripe|ear_[lr] inner)")
_REPEAT = re.compile(r"^(.*?) \d+$")  # the GLB's "name 2" for a repeated node name


@dataclass(frozen=True)
class PartShape:
    """One named part of a design: its vertices (mm) and its design role when known."""

    name: str
    vertices: np.ndarray  # (n, 3) mm
    role: str | None = None  # engines.design.kit.parts.ROLES, None from a GLB
    faces: np.ndarray | None = None  # (m, 3) when the part is a closed mesh
    detachable: bool | None = None  # the design's Part.detachable; None: the form decides


@dataclass(frozen=True)
class Component:
    """What a factory makes as one piece: a group of parts and how it is built."""

    name: str  # "eye_l", "nose", "hat", "held", "body"
    kind: str  # eye, nose, accessory, loop, mark, body
    build: str  # one of BUILDS
    parts: tuple[PartShape, ...]

    @property
    def vertices(self) -> np.ndarray:
        """(n, 3) all the component's vertices, mm."""
        return np.vstack([p.vertices for p in self.parts])


def parts_from_model(model: Any) -> list[PartShape]:
    """The parts of a design engine Model (engines.design.kit.parts), closed meshes, mm."""
    out = []
    for p in model.parts:
        mesh = p.mesh
        out.append(PartShape(p.name, np.asarray(mesh.vertices, float), p.role,
                             np.asarray(mesh.faces, np.int64), getattr(p, "detachable", None)))  # fmt: skip
    if not out:
        raise ComplianceError("the design has no parts to check")
    return out


def parts_from_glb(path: str | Path) -> list[PartShape]:
    """The parts of a variant's GLB (one node per part, engines.design.glb), mm. Each node is
    the part's visible surface only (the solid was split by owning part), so a hidden stem of
    a part reads as missing: a part never measures bigger than it is."""
    import trimesh

    file = Path(path)
    if not file.is_file():
        raise ComplianceError(f"no GLB at {file}")
    try:
        scene = trimesh.load(file, force="scene")
    except Exception as err:  # trimesh raises many kinds for a bad file
        raise ComplianceError(f"{file.name} is not a readable GLB: {err}") from err
    if not isinstance(scene, trimesh.Scene):
        raise ComplianceError(f"{file.name} is not a scene of parts")
    out = []
    for node in scene.graph.nodes_geometry:
        transform, geometry = scene.graph[node]
        mesh = scene.geometry[geometry]
        v = trimesh.transform_points(np.asarray(mesh.vertices, float), transform)
        repeat = _REPEAT.match(node)
        name = repeat.group(1) if repeat else node
        comes_off = mesh.metadata.get("detachable")  # the design's flag, from glTF extras
        detachable = comes_off if isinstance(comes_off, bool) else None
        out.append(PartShape(name, v, None, np.asarray(mesh.faces, np.int64), detachable))
    if not out:
        raise ComplianceError(f"{file.name} holds no part meshes")
    return out


SURFACE_WORDS = ("embroidered", "embroidery", "stitched", "sewn", "felt", "printed", "painted")
HARD_WORDS = ("bead", "beads", "beaded", "button", "safety", "plastic", "glass", "acrylic",
              "gem", "gems", "rhinestone", "wooden", "metal")  # fmt: skip
_TARGETS = {"eye": "eyes", "eyes": "eyes", "nose": "nose", "face": "face"}


def construction_words(text: str) -> dict[str, str]:
    """Builds the words name for eyes and nose: the nearest build word up to 4 words before
    ("bead eyes" -> eyes: hard; "embroidered eyes and nose" -> both surface; an
    "embroidered face" -> both)."""
    words = re.findall(r"[a-z]+", text.lower())
    out: dict[str, str] = {}
    for i, word in enumerate(words):
        target = _TARGETS.get(word)
        if target is None:
            continue
        for back in words[max(0, i - 4) : i][::-1]:
            build = "surface" if back in SURFACE_WORDS else "hard" if back in HARD_WORDS else None
            if build is not None:
                for t in ("eyes", "nose") if target == "face" else (target,):
                    out.setdefault(t, build)
                break
    if re.search(r"\bno small parts\b", text.lower()):
        out.setdefault("eyes", "surface")
        out.setdefault("nose", "surface")
    return out


def components(
    parts: Iterable[PartShape], form: str, builds: Mapping[str, str] | None = None
) -> list[Component]:
    """The design's parts grouped into components, each with its build: the form's default,
    then `builds` (kind or component name -> build, from the words or the merchant)."""
    groups: dict[str, list[PartShape]] = {}
    kinds: dict[str, str] = {}
    for part in parts:
        name, kind = _group(part)
        groups.setdefault(name, []).append(part)
        kinds[name] = kind
    chosen = dict(builds or {})
    for key, build in chosen.items():
        if build not in BUILDS:
            raise ComplianceError(f"build {build!r} for {key!r} is not one of {', '.join(BUILDS)}")
    out = []
    for name, members in groups.items():
        kind = kinds[name]
        build = (
            chosen.get(name)
            or chosen.get(_plural(kind))
            or _designed_build(members, kind, form)
            or _default_build(name, kind, form)
        )
        out.append(Component(name, kind, build, tuple(members)))
    return out


def _designed_build(members: list[PartShape], kind: str, form: str) -> str | None:
    """The build the design says (its parts' `detachable`): a piece that comes off is hard
    (on a plush a sewn fabric accessory stays soft), one printed in one piece is integral;
    None when the design did not say."""
    flags = [p.detachable for p in members if p.detachable is not None]
    if not flags or kind in ("body", "mark"):
        return None
    if not any(flags):
        return "integral"
    if (
        form in SOFT_FORMS
        and kind == "accessory"
        and members[0].name.split(" ")[0] in SOFT_FEATURES
    ):
        return "soft"
    return "hard"


def _plural(kind: str) -> str:
    """'eye' -> 'eyes' (how the words name a kind)."""
    return {"eye": "eyes"}.get(kind, kind)


def _group(part: PartShape) -> tuple[str, str]:
    """(component name, kind) a part belongs to."""
    name = part.name.strip().lower()
    eye = _EYE.match(name)
    if eye:
        return eye.group(1), "eye"
    if _NOSE.match(name):
        return "nose", "nose"
    first = name.split(" ", 1)[0]
    if first in FEATURE_NAMES and (" " in name or part.role == "feature"):
        return first, "mark" if first in SURFACE_FEATURES else "accessory"
    if _MARKS.match(name) or part.role == "detail":
        return name, "mark"
    if name in ("ring", "loop", "hanger"):  # keychain ring, ornament loop (a hole: finger check)
        return name, "loop"
    return "body", "body"


def _default_build(name: str, kind: str, form: str) -> str:
    """How a component is built when nobody said: a plush has hard eyes and nose (safety
    eyes) and sewn fabric accessories; a print is one piece."""
    if kind == "body":
        return "body"
    if kind == "mark":
        return "surface"
    if form not in SOFT_FORMS:
        return "integral"
    if kind in ("eye", "nose"):
        return "hard"
    if kind == "accessory":
        return "soft" if name in SOFT_FEATURES else "hard"
    return "hard"
