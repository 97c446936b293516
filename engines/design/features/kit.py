"""What every feature builder needs: the subject's anchors, head size and centre, the thinnest
printable line, and the colour the words chose (mm)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import trimesh

from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import volume_mm3
from engines.design.subjects.geom import Ellipsoid

RGB = tuple[int, int, int]
MIN_LINE = 0.0105  # thinnest line radius as a fraction of the model height (2.1 mm at 100 mm)


@dataclass
class Ctx:
    """A model being decorated and the feature's colour."""

    model: Model
    colour: RGB | None
    material: str | None
    place: str = ""  # a held item's place (vocab.HELD_PLACES): "" paws, "head", "mouth"
    name: str = ""
    new_parts: list[Part] = field(default_factory=list)
    removed: set[int] = field(default_factory=set)
    _surface: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, model: Model, colour: RGB | None, material: str | None, place: str = "") -> Ctx:
        """A context for one feature on a model."""
        return cls(model, colour, material, place)

    def anchor(self, name: str) -> Anchor:
        """A subject anchor (falls back to the face for a missing one)."""
        return self.model.anchors.get(name) or self.model.anchors["face"]

    @property
    def head_w(self) -> float:
        """Half the head's width, mm."""
        return float(self.anchor("head_top").size_mm)

    @property
    def head_c(self) -> np.ndarray:
        """The head's centre, mm."""
        a = self.model.anchors.get("head_centre")
        if a is not None:
            return np.asarray(a.point, dtype=float)
        top, face = self.anchor("head_top").point, self.anchor("face").point
        return np.array([top[0], top[1], face[2]])

    @property
    def head_h(self) -> float:
        """Half the head's height (centre to top), mm."""
        return max(float(self.anchor("head_top").point[2] - self.head_c[2]), 0.3 * self.head_w)

    @property
    def head(self) -> Ellipsoid:
        """An ellipsoid standing in for the head surface, mm."""
        face = self.anchor("face").point
        hx = max(float(face[0] - self.head_c[0]), 0.4 * self.head_w)
        return Ellipsoid.of(self.head_c, (hx, self.head_w, self.head_h))

    @property
    def height(self) -> float:
        """The model's height (z extent), mm."""
        lo, hi = self.model.bounds
        return float(hi[2] - lo[2])

    @property
    def line(self) -> float:
        """The thinnest line radius that prints, mm."""
        return max(MIN_LINE * self.height, 0.045 * self.head_w)

    @property
    def eye_top(self) -> float:
        """The highest point of the eyes (z), mm."""
        eyes = [self.anchor(k) for k in ("eye_l", "eye_r")]
        return max(float(e.point[2] + 1.8 * e.size_mm) for e in eyes)

    def pick(self, default: RGB) -> RGB:
        """The worded colour, else the part's default."""
        return self.colour if self.colour is not None else default

    def add(
        self, label: str, mesh: trimesh.Trimesh, default: RGB, role: str = "feature", fixed=False
    ) -> None:
        """Add a feature part; `fixed` parts keep their default colour (a hat's band)."""
        colour = default if fixed else self.pick(default)
        self.new_parts.append(Part(f"{self.name} {label}".strip(), mesh, colour, role))

    def snap(self, point: np.ndarray, lift: float = 0.0) -> np.ndarray:
        """The nearest corner of the subject's body parts to a point, lifted along its normal
        (puts a mark on the real surface, whatever the head's shape), mm."""
        if self._surface is None:
            meshes = [p.mesh for p in self.model.parts if p.role == "body"] or [
                p.mesh for p in self.model.parts
            ]
            self._surface = (
                np.vstack([m.vertices for m in meshes]),
                np.vstack([m.vertex_normals for m in meshes]),
            )
        v, n = self._surface
        i = int(np.argmin(np.sum((v - point) ** 2, axis=1)))
        return v[i] + n[i] * lift

    def peg(self, point: np.ndarray, radius: float, colour: RGB) -> None:
        """A short tube from a feature point into the nearest body surface, so the feature
        never floats whatever the subject's shape (hidden under the feature)."""
        from engines.design.subjects.geom import tube

        target = self.snap(point, lift=-radius)
        if float(np.linalg.norm(target - point)) > 1e-3:
            self.add("peg", tube([point, target], radius), colour, fixed=True)

    def parts_named(self, *prefixes: str) -> list[Part]:
        """The model's parts whose names start with one of the prefixes."""
        return [p for p in self.model.parts if p.name.startswith(prefixes)]

    def body_part(self) -> Part:
        """The main body part (the largest one by volume)."""
        named = self.parts_named("body")
        pool = named or [p for p in self.model.parts if p.role == "body"] or self.model.parts
        return max(pool, key=lambda p: volume_mm3(p.mesh))


def darker(colour: RGB, k: float = 0.7) -> RGB:
    """A darker shade of a colour."""
    return (int(colour[0] * k), int(colour[1] * k), int(colour[2] * k))


def support(mesh: trimesh.Trimesh, centre: np.ndarray, direction: np.ndarray):
    """The mesh vertex farthest along a direction from a centre, and its vertex normal."""
    v = np.asarray(mesh.vertices)
    i = int(np.argmax((v - centre) @ direction))
    return v[i], np.asarray(mesh.vertex_normals[i])
