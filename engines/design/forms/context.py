"""What a form builder gets: the rule, the subject, the size and the colour (mm)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engines.design.forms.rules import RGB, FormRule
from engines.design.kit.parts import Model
from engines.design.kit.spec import DesignSpec

BED_MM = (250.0, 210.0, 220.0)  # the default printer's bed, X x Y x Z
DETAIL_MIN_MM = 1.2  # thinnest painted / relief detail (eye disc, blush) a mould holds


@dataclass
class FormContext:
    """One build request: form, rule, subject, product size (mm), colour, material, knobs."""

    form: str
    rule: FormRule
    subject: Model | None
    size_mm: float
    colour: RGB
    material: str
    knobs: dict[str, float]
    spec: DesignSpec | None
    colour_given: bool = True  # False: the form may take the subject's colour for its body

    @property
    def scale(self) -> float:
        """Product size over the form's default size."""
        return self.size_mm / self.rule.default_size_mm

    def mm(self, default_mm: float) -> float:
        """A length given at the default size, at this size, mm."""
        return default_mm * self.scale

    def wall(self, default_mm: float) -> float:
        """A wall given at the default size, at this size but never under the min wall, mm."""
        return max(self.rule.min_wall_mm, default_mm * self.scale)

    def body_colour(self) -> RGB:
        """The product body's colour: the given one, else the subject's own colour."""
        if self.colour_given or self.subject is None:
            return self.colour
        from engines.design.forms.place import main_colour

        return main_colour(self.subject)

    def knob(self, name: str, default: float) -> float:
        """A design knob (0..1 unless said otherwise) or its default."""
        return float(self.knobs.get(name, default))

    def feature_variant(self, feature: str) -> str | None:
        """The variant of a worded feature (e.g. the hat's 'bucket'), if the spec names it."""
        for f in self.spec.features if self.spec else ():
            if f.name == feature:
                return f.variant or None
        return None

    def words(self) -> str:
        """The idea's words in lower case ('' without a spec)."""
        return self.spec.text.lower() if self.spec else ""


Builder = Callable[[FormContext], Model]


def fits_bed(model: Model, bed_mm: tuple[float, float, float] = BED_MM) -> bool:
    """Whether the model's bounds fit the bed (X, Y, Z), mm."""
    lo, hi = model.bounds
    return bool(np.all(hi - lo <= np.asarray(bed_mm) + 1e-6))
