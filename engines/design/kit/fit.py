"""What fits a subject (data, read by engines.design.axes and the colourways of
engines.design.generate): the coats a natural subject plausibly comes in, the features it already
has as its own parts and the feature variants that never suit it."""

from __future__ import annotations

from engines.design.kit.vocab import FEATURES, SUBJECTS

RGB = tuple[int, int, int]

# The other coats a natural subject comes in, besides its own colour (the builder's): a
# colourway gives the parts of the subject's main colour one of these (in COLOURWAYS order after
# "natural", cycling), never a shade or hue swap of it. () = its own colour only (a chick is
# yellow). A subject not listed (a heart, a robot) is free: any colourway shades it.
COATS: dict[str, tuple[RGB, ...]] = {
    "cat": ((150, 150, 155), (245, 235, 210), (60, 58, 62), (245, 245, 240)),
    "dog": ((135, 90, 55), (245, 235, 210), (60, 55, 55), (245, 245, 240)),
    "bear": ((95, 62, 40), (245, 245, 240), (55, 50, 52), (190, 140, 95)),
    "bunny": ((170, 130, 95), (175, 175, 180), (245, 235, 210), (70, 65, 65)),
    "frog": ((70, 140, 70), (165, 205, 80), (50, 115, 60), (120, 160, 60)),  # greens only
    "duck": ((245, 245, 240), (255, 235, 140), (160, 120, 80)),
    "penguin": ((40, 40, 45), (90, 100, 120)),
    "capybara": ((200, 150, 100), (135, 95, 60)),
    "cow": ((245, 235, 210), (185, 125, 80), (120, 80, 50)),
    # a unicorn sells white or pastel: pink, lavender, mint, cream
    "unicorn": ((250, 215, 228), (225, 212, 245), (205, 240, 222), (250, 240, 215)),
    "horse": ((110, 70, 45), (245, 245, 240), (55, 50, 52), (225, 190, 120), (175, 175, 180)),
    "pig": ((250, 205, 205), (190, 130, 100), (245, 235, 210)),
    "fox": ((215, 90, 40), (245, 245, 240), (235, 200, 150)),
    "panda": ((245, 235, 210),),
    "owl": ((190, 130, 70), (245, 245, 240), (160, 155, 150)),
    "shark": ((150, 155, 165), (90, 110, 140), (175, 195, 215)),
    "whale": ((35, 50, 100), (150, 155, 165), (140, 200, 240), (90, 110, 140)),
    "dolphin": ((150, 155, 165), (245, 170, 190), (90, 110, 140)),
    "chick": ((255, 240, 160),),
    "hamster": ((245, 235, 210), (245, 245, 240), (175, 175, 180), (200, 135, 70)),
    "mouse": ((245, 245, 240), (150, 115, 85), (215, 215, 220)),
    "monkey": ((95, 62, 40), (190, 140, 90), (150, 140, 130)),
    "lion": ((215, 160, 90),),
    "tiger": ((248, 245, 238),),
    "sheep": ((245, 235, 210), (200, 200, 200), (60, 55, 55)),
    "elephant": ((150, 150, 155), (200, 200, 210)),
    "turtle": ((120, 160, 80), (70, 140, 70)),
    "koala": ((190, 190, 195), (150, 140, 135)),
    "sloth": ((190, 160, 120), (135, 115, 95)),
    "seal": ((245, 245, 240), (140, 140, 145), (150, 130, 110)),
    "hedgehog": ((245, 235, 210), (190, 150, 110)),
    "raccoon": ((120, 120, 128), (150, 135, 120)),
    "shiba": ((60, 55, 55), (245, 235, 210), (210, 120, 55)),
    "corgi": ((210, 120, 60), (60, 55, 55), (230, 190, 130)),
    "otter": ((110, 75, 50), (175, 130, 90)),
    "squirrel": ((150, 150, 155), (130, 85, 50)),
    "crocodile": ((70, 125, 65), (120, 140, 80)),
    "salamander": ((215, 75, 45), (240, 190, 60)),
    "red_panda": ((175, 70, 35),),
    "highland_cow": ((225, 195, 140), (55, 50, 50), (175, 80, 40)),
    "strawberry": ((200, 35, 50),),
    "avocado": ((45, 95, 40), (110, 80, 45)),
    "cactus": ((70, 145, 80), (130, 190, 110)),
    "mushroom": ((150, 95, 60), (240, 180, 60)),
    "pumpkin": ((245, 245, 240), (250, 190, 70)),
    "peach": ((255, 200, 175),),
    "banana": ((200, 215, 90),),
    "sun": ((250, 160, 50), (215, 175, 55)),
    "moon": ((245, 235, 210), (195, 200, 205)),
}

# Plants that grow in a planter rather than decorate it (the planter builds them standing in
# soil): their pot is the product, free to take a pot colour of the colourway (real cactus
# planters sell in many), while the plant keeps to its coats.
PLANTS: tuple[str, ...] = ("cactus", "mushroom")
# The pot colours of each colourway (two-tone: the accent opposite the plant): one of them by
# the geometry, so the top 8 show white, terracotta, sage, blush, charcoal... (the top 8 are
# mostly the natural colourway of 8 shapes: its pot colours are the classic glazes).
POT_COLOURS: dict[str, tuple[RGB, ...]] = {
    "natural": ((235, 230, 220), (196, 112, 76), (135, 165, 115), (70, 70, 76)),  # white ...
    "pastel": ((175, 195, 160), (240, 195, 190), (170, 205, 235)),  # sage, blush, sky
    "bold": ((196, 112, 76), (225, 175, 60)),  # terracotta, mustard
    "deep": ((70, 70, 76), (45, 62, 100)),  # charcoal, navy
}

# Features a subject already has as its own part: an unworded one is that part (a cow with
# horns shows its own horns, never a unicorn's or a devil's), and never a sampled variant.
OWN_FEATURES: dict[str, frozenset[str]] = {
    "cow": frozenset({"horns"}),
    "dragon": frozenset({"horns"}),
    "unicorn": frozenset({"horns"}),
    "highland_cow": frozenset({"horns"}),
    "elephant": frozenset({"teeth"}),  # its tusks
}

# Feature variants that do not suit a subject: never sampled for it (only the words choose
# them). A shark has a shark's teeth, not buck teeth; a dragon's wings are a bat's.
UNFIT: dict[str, frozenset[tuple[str, str]]] = {
    "shark": frozenset({("teeth", "buck")}),
    "crocodile": frozenset({("teeth", "buck")}),
    "dinosaur": frozenset({("teeth", "buck")}),
    "dragon": frozenset({("teeth", "buck"), ("wings", "feathered"), ("wings", "fairy")}),
    "sheep": frozenset({("horns", "unicorn"), ("horns", "devil")}),
    "horse": frozenset({("horns", "devil"), ("horns", "ram")}),
}

assert set(COATS) | set(OWN_FEATURES) | set(UNFIT) | set(PLANTS) <= set(SUBJECTS)
assert all(f in FEATURES for fs in OWN_FEATURES.values() for f in fs)
assert all(v in FEATURES[f] for pairs in UNFIT.values() for f, v in pairs)


def fitting_variants(
    subject: str | None, feature: str, variants: tuple[str, ...]
) -> tuple[str, ...]:
    """The variants of an unworded feature that suit the subject (all when none is left)."""
    unfit = UNFIT.get(subject or "", frozenset())
    return tuple(v for v in variants if (feature, v) not in unfit) or variants


def coat(subject: str | None, way_index: int) -> RGB | None:
    """The coat of a natural subject in the colourway at way_index of COLOURWAYS (0: natural,
    None: its own colour); None too for a free subject (see COATS)."""
    coats = COATS.get(subject or "")
    if not coats or way_index <= 0:
        return None
    return coats[(way_index - 1) % len(coats)]


def natural_subject(subject: str | None) -> bool:
    """Whether colourways keep the subject within its coats (COATS) rather than shading it."""
    return (subject or "") in COATS


def potted(subject: str | None) -> bool:
    """Whether a planter of this subject holds it as a plant standing in the pot (PLANTS)."""
    return (subject or "") in PLANTS


def pot_colour(way: str, pick: int) -> RGB | None:
    """The pot colour of a potted plant in a colourway (POT_COLOURS; `pick` chooses among
    them); None for two-tone (its own rule: the accent)."""
    colours = POT_COLOURS.get(way)
    return colours[pick % len(colours)] if colours else None
