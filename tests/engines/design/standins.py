"""Small stand-in builders (subject, feature, form, rules) for the pipeline's tests: just enough
geometry that style, pose and feature variants change the silhouette (mm)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.design.axes import Choice
from engines.design.generate import Builders
from engines.design.kit.parts import Anchor, Model
from engines.design.kit.spec import DesignSpec, FeatureSpec
from engines.design.kit.vocab import COLOURS
from engines.design.shapes import capsule, cone, cylinder, ellipsoid, sphere

GREEN = (90, 170, 80)


@dataclass(frozen=True)
class StandInRule:
    """The fields of a form rule the pipeline reads."""

    default_size_mm: float = 80.0
    min_wall_mm: float = 1.2
    material_usd_per_cm3: float = 0.006

    def processes_for(self, material: str | None) -> tuple[str, ...]:
        return ("injection_moulding", "printing", "packaging")


def subject(spec: DesignSpec, c: Choice) -> Model:
    """A creature: body, head, eyes; chibi has a big head, lying is long, waving lifts an arm."""
    colour = COLOURS.get(spec.body_colour or "", GREEN)
    head_r = {"chibi": 20.0, "kawaii": 16.0, "realistic": 11.0}.get(c.style, 14.0)
    head_r *= 0.75 + 0.5 * c.knob("head_ratio")
    body = {"sitting": (16.0, 16.0, 14.0), "lying": (28.0, 14.0, 10.0)}.get(c.pose, (13, 13, 22))
    m = Model()
    m.add("body", ellipsoid((0, 0, body[2]), body), colour)
    top = 2 * body[2] + head_r * 0.8
    m.add("head", sphere((body[0] * 0.3, 0, top), head_r), colour)
    for side in (-1, 1):
        m.add(
            "eye",
            sphere((body[0] * 0.3 + head_r * 0.9, side * 5, top + 3), 2.5),
            (30, 30, 30),
            "detail",
        )
    if c.pose == "waving":
        m.add("arm", capsule((0, 10, body[2] * 1.4), (0, 22, body[2] * 2.6), 4.0), colour)
    m.anchors["head_top"] = Anchor(
        np.array([body[0] * 0.3, 0, top + head_r]), np.array([0, 0, 1.0]), head_r
    )
    return m


def feature(model: Model, f: FeatureSpec, c: Choice) -> Model:
    """A hat at head_top: a brimmed straw hat, a tall cone (party) or a crown ring."""
    a = model.anchors["head_top"]
    p, r = a.point, a.size_mm
    colour = COLOURS.get(f.colour or f.material or "", (225, 195, 120))
    out = Model(list(model.parts), dict(model.anchors))
    if f.variant == "party":
        out.add("party hat", cone(p - (0, 0, 3), p + (0, 0, 2.2 * r), 0.6 * r), colour, "feature")
    elif f.variant == "crown":
        out.add("crown", cylinder(p - (0, 0, 3), p + (0, 0, 0.5 * r), 0.55 * r), colour, "feature")
    else:
        out.add("hat brim", cylinder(p - (0, 0, 3), p - (0, 0, 1), 1.5 * r), colour, "feature")
        out.add(
            "hat crown", cylinder(p - (0, 0, 2), p + (0, 0, 0.6 * r), 0.7 * r), colour, "feature"
        )
    return out


def form(spec: DesignSpec, model: Model | None, c: Choice, size_mm: float) -> Model:
    """A figurine: the subject on a round base."""
    out = Model(list(model.parts) if model else [], dict(model.anchors) if model else {})
    lo, hi = out.bounds if out.parts else (np.zeros(3), np.ones(3))
    radius = 0.6 * float(max(hi[0] - lo[0], hi[1] - lo[1]))
    out.add(
        "base", cylinder((0, 0, lo[2] - 4), (0, 0, lo[2] + 1), radius), (235, 232, 225), "fixture"
    )
    lo, hi = out.bounds
    return out.transform(np.diag([*[size_mm / float((hi - lo).max())] * 3, 1.0]))  # longest side


BUILDERS = Builders(subject, feature, form, lambda name: StandInRule())
