"""Canonical names the words are read into and the builders must build (one list, one truth).

The spec reader (engines.design.spec) only ever emits names listed here; the geometry
(subjects, features, forms) must build every name listed here. Synonyms live with the reader.
"""

from __future__ import annotations

# Product forms: what the merchant sells. Each has its own body and printability rules.
FORMS: tuple[str, ...] = (
    "plush",  # soft toy: the subject itself, stuffed (printed prototype is solid)
    "figurine",  # desk figure: the subject on a small plinth
    "keychain",  # flat-backed charm of the subject with a ring loop
    "ornament",  # hanging decoration (tree ornament): the subject with a hanging loop on top
    "mug",  # drinking mug with handle; the subject as a relief face / ears / handle
    "planter",  # pot with a cavity (and drain hole); the subject's face and ears on it
    "pen_holder",  # open cup for pens, the subject wrapped around / sitting beside it
    "phone_stand",  # slanted stand with a lip; the subject sits on it
    "headband",  # wearable band (arc) with the subject's ears / features on top
    "hat",  # wearable hat (bucket, beanie ...); the subject as decoration on the crown
    "eyewear",  # novelty sunglasses frame; lens shape from the words (heart, star, round)
    "coaster",  # drinks coaster: a flat slab, the subject in low relief on top or its outline
    "hair_clip",  # flat-backed topper of the subject glued on a metal clip (alligator, snap ...)
    "night_light",  # the subject as a hollow translucent shell on a base seating an LED puck
)

# Flat charms that show only the subject's head when the words say so ("cat face coaster")
PORTRAIT_FORMS: tuple[str, ...] = ("keychain", "coaster", "hair_clip")

# Subjects: what the product shows. Creatures share an anatomy template (head, body, ears,
# snout, eyes, limbs, tail); the rest are objects with a face.
CREATURES: tuple[str, ...] = (
    "cat", "dog", "bear", "bunny", "frog", "duck", "penguin", "capybara", "axolotl",
    "cow", "octopus", "horse", "pig", "fox", "panda", "owl", "dinosaur", "unicorn",
    "shark", "whale", "dolphin", "chick", "hamster", "mouse", "monkey", "lion", "tiger", "sheep",
    "elephant", "turtle", "dragon", "koala", "sloth", "seal", "hedgehog", "raccoon",
    "shiba", "corgi", "otter", "squirrel", "crocodile", "red_panda", "salamander",
    "highland_cow",
)  # fmt: skip
OBJECTS: tuple[str, ...] = (
    "strawberry", "avocado", "cactus", "mushroom", "heart", "star", "cloud", "ghost",
    "robot", "pumpkin", "peach", "banana", "cupcake", "donut", "moon", "sun",
)  # fmt: skip
SUBJECTS: tuple[str, ...] = CREATURES + OBJECTS

# Attachable features: each attaches at a named anchor of the subject (see parts.ANCHORS).
FEATURES: dict[str, tuple[str, ...]] = {
    # feature name -> its variants (the first is the default)
    "hat": (
        "straw",
        "bucket",
        "crown",
        "sailor",
        "party",
        "helmet",
        "santa",
        "beanie",
        "cowboy",
        "top",
        "witch",
        "chef",
        "strawberry",  # a strawberry cap (leaf crown on top): "strawberry cow", "strawberry frog"
        "space",  # an astronaut's round helmet around the head, the face showing
        "frog",  # a bucket hat with frog eyes on its crown: "cat wearing a frog hat"
        "mushroom",  # a wide spotted mushroom cap: "frog with a mushroom hat"
    ),  # noqa: E501
    "wings": ("feathered", "bat", "fairy"),
    "horns": ("unicorn", "devil", "ram"),
    "scarf": ("plain",),
    "bow": ("head", "neck"),
    "glasses": ("round", "heart", "star"),
    "teeth": ("buck", "fangs"),
    "tears": ("drops",),
    "eyes": ("big", "closed", "sleepy", "heart"),
    "spots": ("relief", "colour", "cow", "strawberry", "leopard", "polka"),  # the last: prints
    "stripes": ("relief", "colour"),
    # things a subject holds (at its paws), wears on its head or carries in its mouth
    "held": (
        "heart",
        "flower",
        "star",
        "fish",
        "carrot",
        "balloon",
        "mug",
        "cup",
        "bubble_tea",
        "pumpkin",
        "rock",
        "duck",
    ),
    "cape": ("plain",),
    "blush": ("cheeks",),
    "straw": ("boba",),  # a drinking straw standing in a cup (FORM_FEATURES: the cup builds it)
}

# Features the product form builds rather than the subject (a drinking straw stands in the cup,
# not on the bear): feature -> the forms that build it; the words read it only for those.
FORM_FEATURES: dict[str, frozenset[str]] = {"straw": frozenset({"mug"})}
# Features a product builds as its topper when no subject is worded (a bow hair clip); with a
# subject, the subject wears them as usual: feature -> the forms.
TOPPER_FEATURES: dict[str, frozenset[str]] = {"bow": frozenset({"hair_clip"})}

# Where a held item goes: "" at the paws (the hand anchor), on top of the head, at the mouth.
HELD_PLACES: tuple[str, ...] = ("", "head", "mouth")

# Variants only the words choose (a print, a frog hat): an unworded feature never samples them.
WORDED_ONLY: frozenset[tuple[str, str]] = frozenset(
    {
        ("spots", "cow"),
        ("spots", "strawberry"),
        ("spots", "leopard"),
        ("spots", "polka"),
        ("hat", "frog"),
        ("hat", "mushroom"),
    }
)

# Named colours the words may use, RGB 0-255.
COLOURS: dict[str, tuple[int, int, int]] = {
    "white": (245, 245, 240), "black": (40, 40, 45), "grey": (150, 150, 155),
    "red": (215, 45, 50), "pink": (245, 160, 185), "orange": (240, 140, 50),
    "yellow": (250, 210, 60), "green": (90, 170, 80), "mint": (160, 225, 190),
    "blue": (60, 120, 210), "navy": (35, 50, 100), "sky": (140, 200, 240),
    "purple": (140, 90, 190), "lavender": (190, 170, 230), "brown": (135, 90, 55),
    "beige": (225, 205, 170), "cream": (245, 235, 210), "gold": (215, 175, 55),
    "silver": (195, 200, 205), "teal": (40, 150, 150), "peach": (250, 195, 160),
    "straw": (225, 195, 120), "rainbow": (200, 120, 200), "transparent": (220, 235, 240),
}  # fmt: skip

# Materials the words may name; the part that carries them gets their colour unless a colour
# word is given for it.
MATERIALS: dict[str, tuple[int, int, int]] = {
    "straw": (225, 195, 120), "wood": (170, 125, 80), "ceramic": (240, 238, 232),
    "plush": (230, 225, 215), "crochet": (235, 225, 205), "felt": (200, 190, 180),
    "resin": (230, 230, 235), "metal": (180, 185, 190), "glass": (215, 235, 240),
    "plastic": (235, 235, 235), "wool": (235, 228, 210), "clay": (190, 120, 90),
}  # fmt: skip

STYLES: tuple[str, ...] = ("kawaii", "chibi", "realistic", "minimal", "cartoon", "low-poly")
# the styles sampled when none is worded (low-poly, a faceted look, only when asked for)
SAMPLED_STYLES: tuple[str, ...] = STYLES[:5]
POSES: tuple[str, ...] = ("standing", "sitting", "lying", "waving")
EXPRESSIONS: tuple[str, ...] = ("happy", "crying", "sleepy", "angry", "surprised", "neutral")
