"""Each product form's manufacturing rules: sizes, walls, overhangs, fixtures, processes, cost."""

from __future__ import annotations

from dataclasses import dataclass

from engines.design.base import PROCESS_COST_USD
from engines.design.kit.vocab import FORMS, MATERIALS

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class FormRule:
    """What a product form must respect to be made (lengths mm, angles degrees)."""

    form: str
    default_size_mm: float  # longest side of the product at its default size
    min_wall_mm: float  # thinnest wall / part the form's process holds
    max_overhang_deg: float  # steepest unsupported overhang from vertical the process takes
    subject_required: bool  # False: the form alone is a product (plain mug)
    fixtures: tuple[str, ...]  # names of the parts that make it this product (ring, handle ...)
    processes: tuple[str, ...]  # bill of processes for mass production (PROCESS_COST_USD keys)
    material_usd_per_cm3: float  # mass-production material cost per solid cm3, USD
    material: str  # default material (a vocab.MATERIALS name)
    colour: RGB  # default product colour

    def process_cost_usd(self) -> float:
        """Sum of the per-unit process costs, USD."""
        return float(sum(PROCESS_COST_USD[p] for p in self.processes))

    def processes_for(self, material: str | None) -> tuple[str, ...]:
        """The bill of processes when the product is made of `material` (straw hats are woven)."""
        if self.form == "hat" and material == "straw":
            return ("straw_weaving", "hat_blocking", "packaging")
        return self.processes


_MOULDED = ("injection_moulding", "printing", "assembly", "packaging")

FORM_RULES: dict[str, FormRule] = {
    r.form: r
    for r in (
        FormRule(
            "plush", 180.0, 6.0, 90.0, True, (),
            ("textile_cutting", "plush_sewing", "embroidery", "stuffing", "packaging"),
            0.0015, "plush", MATERIALS["plush"],
        ),
        FormRule("figurine", 100.0, 1.2, 45.0, True, ("base",), _MOULDED, 0.006, "resin",
                 (235, 232, 225)),
        FormRule("keychain", 50.0, 1.5, 45.0, True, ("ring",), _MOULDED, 0.004, "plastic",
                 (235, 235, 235)),
        FormRule("ornament", 80.0, 1.5, 45.0, True, ("loop",), _MOULDED, 0.004, "plastic",
                 (215, 175, 55)),
        FormRule("mug", 95.0, 3.0, 50.0, False, ("wall", "handle"),
                 ("ceramic_glazing", "printing", "packaging"), 0.003, "ceramic",
                 MATERIALS["ceramic"]),
        FormRule("planter", 100.0, 3.0, 45.0, False, ("pot",),
                 ("ceramic_glazing", "packaging"), 0.003, "ceramic", (235, 230, 220)),
        FormRule("pen_holder", 100.0, 2.0, 45.0, False, ("cup",), _MOULDED, 0.0025, "plastic",
                 (240, 240, 236)),
        FormRule("phone_stand", 140.0, 2.5, 45.0, False, ("stand",),
                 ("injection_moulding", "assembly", "packaging"), 0.0025, "plastic",
                 (240, 240, 236)),
        FormRule("headband", 145.0, 3.0, 50.0, False, ("band",),
                 ("injection_moulding", "assembly", "packaging"), 0.003, "plastic",
                 (40, 40, 45)),
        FormRule("hat", 200.0, 2.0, 50.0, False, ("crown", "brim"),
                 ("textile_cutting", "hat_blocking", "embroidery", "packaging"), 0.004, "felt",
                 (225, 205, 170)),
        FormRule("eyewear", 140.0, 2.0, 45.0, False, ("frame", "lens_l", "lens_r"),
                 ("injection_moulding", "assembly", "packaging"), 0.004, "plastic",
                 (245, 160, 185)),
        FormRule("coaster", 100.0, 2.0, 45.0, False, ("slab",),
                 ("ceramic_glazing", "printing", "packaging"), 0.003, "ceramic",
                 MATERIALS["ceramic"]),
        FormRule("hair_clip", 55.0, 1.5, 45.0, False, ("clip",),  # a bow alone tops it too
                 ("injection_moulding", "printing", "metal_stamping", "assembly", "packaging"),
                 0.004, "plastic", (195, 200, 205)),
        FormRule("night_light", 140.0, 1.5, 45.0, True, ("shell", "base"),
                 ("injection_moulding", "electronics_assembly", "assembly", "packaging"),
                 0.004, "plastic", (190, 150, 110)),
    )
}  # fmt: skip

assert set(FORM_RULES) == set(FORMS), "every canonical form has its rules"
