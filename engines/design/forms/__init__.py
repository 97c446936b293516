"""Product forms: a subject Model made into a product (mug, keychain, headband ...), mm.

`build_form(form, subject, ...)` returns the product's Model (named, coloured parts; anchor
"base" at its bottom centre); `FORM_RULES[form]` holds each form's manufacturing rules.
The list of forms is data: each module registers its builders in `BUILDERS`.
"""

from __future__ import annotations

import numpy as np

from engines.design.base import DesignError
from engines.design.forms.clips import BUILDERS as _CLIPS
from engines.design.forms.coaster import BUILDERS as _COASTERS
from engines.design.forms.context import BED_MM, FormContext, fits_bed
from engines.design.forms.figures import BUILDERS as _FIGURES
from engines.design.forms.lights import BUILDERS as _LIGHTS
from engines.design.forms.place import attached
from engines.design.forms.rules import FORM_RULES, FormRule
from engines.design.forms.stand import BUILDERS as _STANDS
from engines.design.forms.vessels import BUILDERS as _VESSELS
from engines.design.forms.wearables import BUILDERS as _WEARABLES
from engines.design.kit.parts import Anchor, Model
from engines.design.kit.spec import DesignSpec
from engines.design.kit.vocab import COLOURS, FORMS, MATERIALS

BUILDERS = {**_FIGURES, **_VESSELS, **_STANDS, **_WEARABLES, **_COASTERS, **_CLIPS, **_LIGHTS}
assert set(BUILDERS) == set(FORMS), "every canonical form has a builder"

__all__ = ["BED_MM", "BUILDERS", "FORM_RULES", "FormRule", "build_form", "fits_bed"]


def build_form(
    form: str,
    subject: Model | None,
    *,
    size_mm: float | None = None,
    product_colour: tuple[int, int, int] | None = None,
    material: str | None = None,
    knobs: dict[str, float] | None = None,
    spec: DesignSpec | None = None,
) -> Model:
    """The product `form` built around `subject` (None: the plain product), mm."""
    if form not in BUILDERS:
        raise DesignError(f"we can't make a {form} yet; we make {', '.join(FORMS)}")
    rule = FORM_RULES[form]
    if subject is None and rule.subject_required:
        raise DesignError(f"a {form} needs a subject to show")
    size = float(size_mm or (spec.size_mm if spec else None) or rule.default_size_mm)
    material = material or (spec.material if spec else None) or rule.material
    colour = _colour(rule, product_colour, material, spec)
    ctx = FormContext(form, rule, subject, size, colour or rule.colour, material,
                      dict(knobs or {}), spec, colour_given=colour is not None)  # fmt: skip
    model = attached(BUILDERS[form](ctx))
    model = model.transform(_moved(np.array([0.0, 0.0, -model.bounds[0][2]])))
    base = model.anchors.get("base")  # the product stands on z = 0 whatever sank below it
    if base is not None:
        point = np.array([base.point[0], base.point[1], 0.0])
        model.anchors["base"] = Anchor(point, np.array([0.0, 0.0, -1.0]), base.size_mm)
    return model


def _colour(
    rule: FormRule,
    colour: tuple[int, int, int] | None,
    material: str | None,
    spec: DesignSpec | None,
) -> tuple[int, int, int] | None:
    """The product's colour: given, worded, the worded material's, else None (free)."""
    if colour is not None:
        return colour
    named = spec.product_colour if spec else None
    if named in COLOURS:
        return COLOURS[named]
    if named in MATERIALS:
        return MATERIALS[named]
    if material and material != rule.material and material in MATERIALS:
        return MATERIALS[material]
    return None


def _moved(offset: np.ndarray) -> np.ndarray:
    """4x4 translation by `offset` mm."""
    m = np.eye(4)
    m[:3, 3] = offset
    return m
