"""Per-creature anatomy parameters: one row of data per creature for the shared template
(engines.design.subjects.creature). Sizes are nominal mm for a kawaii figure ~100 mm tall."""

from __future__ import annotations

from dataclasses import dataclass, field

RGB = tuple[int, int, int]

DARK: RGB = (35, 30, 35)
PINK_INNER: RGB = (245, 170, 185)
BLUSH: RGB = (250, 150, 165)
MOUTH: RGB = (70, 40, 45)
ORANGE: RGB = (245, 150, 40)


@dataclass(frozen=True)
class Anatomy:
    """The template's parameters for one creature (nominal mm, angles in degrees)."""

    layout: str = "upright"  # upright | quad | swim | octopus
    body: tuple[float, float, float] = (24.0, 26.0, 28.0)  # semi-axes x, y, z
    head: tuple[float, float, float] = (24.0, 28.0, 25.0)
    head_boxy: float = 1.0  # < 1: a squarer head (capybara)
    ears: str = "none"  # pointy upright round long floppy tiny side fan tuft big_round
    ear_size: float = 1.0
    snout: str = "none"  # muzzle dog square beak bill pig long horse reptile trunk pointy wide
    # rostrum (the snout kinds above; a rostrum is a dolphin's long beak)
    snout_size: float = 1.0
    eyes: str = "face"  # face | top (frog)
    eye_az: float = 30.0
    eye_el: float = 6.0
    eye_size: float = 1.0
    limbs: str = "paws"  # paws legs flippers wings tentacles fins none
    feet: str = "paw"  # paw webbed hoof none
    tail: str = "none"  # stub long bushy curly pompom fin fluke flat thick tuft ringed hair taper
    tail_len: float = 1.0
    extras: tuple[str, ...] = ()
    colours: dict[str, RGB] = field(default_factory=dict)
    legs: float = 1.0  # leg length factor (quad layout)
    head_role: str = "body"  # colour role of the head (sheep: a dark face)
    eye_white: bool = False  # always white-ringed eyes (panda, raccoon: dark eye patches)
    sits_up: bool = True  # a quad sits up on its haunches (a salamander sits as it stands)
    leaps: bool = False  # a swimmer that sits up in a leap, nose up (a dolphin)
    neck: float = 0.0  # a neck rising forward-up from the chest, its length / the body's
    # (a horse's; 0: the head sits on the body)


def _c(body: RGB, **more: RGB) -> dict[str, RGB]:
    """A colour table: body plus named roles."""
    return {"body": body, **more}


ANATOMY: dict[str, Anatomy] = {
    "cat": Anatomy(
        ears="pointy", tail="long", extras=("belly", "muzzle_patch"),
        colours=_c((240, 165, 90), belly=(252, 235, 210), nose=(235, 120, 140)),
    ),
    "dog": Anatomy(
        ears="floppy", snout="dog", tail="long", tail_len=0.7, extras=("belly",),
        colours=_c((215, 160, 100), belly=(250, 235, 210), accent=(150, 95, 55), nose=DARK),
    ),
    "bear": Anatomy(
        ears="round", snout="muzzle", tail="stub", extras=("belly",),
        colours=_c((150, 100, 62), belly=(225, 190, 145)),
    ),
    "bunny": Anatomy(
        ears="long", tail="pompom", extras=("belly",), ear_size=1.1,
        colours=_c((246, 242, 238), belly=(255, 255, 255), nose=(240, 130, 150)),
    ),
    "frog": Anatomy(
        body=(24.0, 28.0, 22.0), head=(22.0, 33.0, 19.0), eyes="top", feet="webbed",
        eye_az=38.0, extras=("belly",),
        colours=_c((105, 190, 85), belly=(215, 240, 160)),
    ),
    "duck": Anatomy(
        snout="bill", limbs="wings", feet="webbed", tail="stub", head=(22.0, 23.0, 22.0),
        colours=_c((252, 215, 60), beak=ORANGE, feet=ORANGE),
    ),
    "penguin": Anatomy(
        body=(24.0, 26.0, 32.0), head=(21.0, 23.0, 21.0), snout="beak", limbs="flippers",
        feet="webbed", extras=("belly", "face_white"),
        colours=_c((45, 50, 65), belly=(250, 250, 250), beak=ORANGE, feet=ORANGE),
        eye_white=False,
    ),
    "capybara": Anatomy(
        layout="quad", legs=0.7, body=(36.0, 23.0, 21.0), head=(28.0, 19.0, 19.0), head_boxy=0.6,
        ears="tiny", snout="square", tail="none", eye_az=42.0, eye_el=14.0, eye_size=0.8,
        colours=_c((170, 120, 75), nose=(70, 45, 35), accent=(150, 100, 60)),
    ),
    "axolotl": Anatomy(
        layout="quad", legs=0.55, body=(32.0, 20.0, 15.0), head=(22.0, 30.0, 18.0), limbs="legs",
        tail="flat", extras=("gills",), eye_az=40.0, eye_el=8.0,
        colours=_c((250, 175, 195), accent=(230, 90, 130), belly=(255, 215, 225)),
    ),
    "cow": Anatomy(
        layout="quad", legs=1.15, body=(34.0, 24.0, 22.0), head=(22.0, 22.0, 21.0), ears="side",
        snout="wide", tail="tuft", feet="hoof", extras=("patches", "horns"),
        colours=_c((248, 246, 240), pattern=(40, 38, 40), nose=(245, 170, 175),
                   horn=(240, 225, 180), accent=(40, 38, 40)),
    ),
    "octopus": Anatomy(
        layout="octopus", head=(30.0, 32.0, 32.0), limbs="tentacles", eye_az=24.0,
        eye_el=-12.0, colours=_c((240, 120, 140), belly=(252, 190, 200)),
    ),
    "horse": Anatomy(  # a long head ending in a muzzle, ears standing up, a mane
        layout="quad", legs=1.7, body=(34.0, 20.0, 21.0), head=(20.0, 15.0, 18.0), ears="upright",
        ear_size=0.9, snout="horse", tail="hair", feet="hoof", extras=("mane",), eye_az=40.0,
        eye_el=18.0, neck=0.5,
        colours=_c((165, 110, 70), accent=(80, 50, 35), nose=(120, 80, 55)),
    ),
    "pig": Anatomy(
        layout="quad", legs=0.75, body=(32.0, 26.0, 24.0), head=(22.0, 25.0, 22.0), ears="pointy",
        ear_size=0.75, snout="pig", tail="curly", feet="hoof", eye_az=32.0, eye_el=14.0,
        colours=_c((248, 175, 185), nose=(240, 140, 160), accent=(220, 120, 140)),
    ),
    "fox": Anatomy(
        ears="pointy", ear_size=1.25, snout="pointy", tail="bushy", extras=("belly",),
        colours=_c((240, 130, 50), belly=(252, 245, 235), feet=(70, 50, 45)),
    ),
    "panda": Anatomy(
        ears="round", snout="muzzle", snout_size=0.8, tail="stub", limbs="paws",
        extras=("eye_patches",), eye_white=True,
        colours=_c((248, 248, 245), accent=(40, 40, 45), feet=(40, 40, 45),
                   limbs=(40, 40, 45), ears=(40, 40, 45)),
    ),
    "owl": Anatomy(
        body=(26.0, 27.0, 30.0), head=(23.0, 27.0, 22.0), ears="tuft", snout="beak",
        snout_size=0.6, limbs="wings", feet="paw", extras=("belly", "facial_disc"),
        eye_white=True, eye_size=1.2,
        colours=_c((150, 105, 70), belly=(235, 210, 170), beak=ORANGE, feet=ORANGE),
    ),
    "dinosaur": Anatomy(
        body=(26.0, 25.0, 28.0), head=(26.0, 24.0, 21.0), snout="muzzle", snout_size=1.2,
        tail="thick", tail_len=1.3, extras=("belly", "spikes"), eye_az=34.0,
        colours=_c((120, 195, 110), belly=(230, 235, 170), accent=(250, 170, 70)),
    ),
    "unicorn": Anatomy(
        layout="quad", legs=1.7, body=(33.0, 20.0, 21.0), head=(20.0, 15.0, 18.0), ears="upright",
        ear_size=0.9, snout="horse", tail="hair", feet="hoof", extras=("mane", "horn"),
        eye_az=40.0, eye_el=18.0, neck=0.5,
        colours=_c((250, 248, 250), accent=(200, 140, 225), horn=(240, 200, 80),
                   nose=(245, 200, 210)),
    ),
    "shark": Anatomy(
        layout="swim", body=(42.0, 20.0, 20.0), head=(26.0, 19.0, 18.0), limbs="fins",
        tail="fin", extras=("belly", "dorsal"), eye_az=48.0, eye_el=12.0, eye_size=0.8,
        colours=_c((120, 150, 180), belly=(248, 248, 248)),
    ),
    "whale": Anatomy(
        layout="swim", body=(38.0, 28.0, 26.0), head=(30.0, 28.0, 25.0), limbs="fins",
        tail="fluke", extras=("belly",), eye_az=50.0, eye_el=0.0,
        colours=_c((85, 140, 205), belly=(225, 235, 245)),
    ),
    "dolphin": Anatomy(  # slim and streamlined: a long beak, a curved dorsal fin, flat flukes
        layout="swim", body=(46.0, 16.0, 17.0), head=(20.0, 15.5, 15.0), snout="rostrum",
        limbs="fins", tail="fluke", tail_len=0.9, extras=("belly", "dorsal_curved"),
        eye_az=46.0, eye_el=8.0, eye_size=0.85, leaps=True,
        colours=_c((125, 150, 175), belly=(228, 234, 242)),
    ),
    "chick": Anatomy(
        body=(27.0, 28.0, 27.0), head=(22.0, 24.0, 21.0), snout="beak", snout_size=0.6,
        limbs="wings", feet="webbed", extras=("tuft",),
        colours=_c((255, 225, 90), beak=ORANGE, feet=ORANGE),
    ),
    "hamster": Anatomy(
        body=(26.0, 29.0, 26.0), head=(24.0, 29.0, 23.0), ears="round", ear_size=0.7,
        tail="stub", extras=("belly", "cheek_pouches"),
        colours=_c((235, 170, 95), belly=(255, 245, 230), nose=(240, 140, 150)),
    ),
    "mouse": Anatomy(
        ears="big_round", snout="pointy", snout_size=0.7, tail="long", tail_len=1.3,
        extras=("belly",), colours=_c((175, 175, 185), belly=(240, 235, 235),
                                      nose=(240, 140, 160), inner=(245, 175, 190)),
    ),
    "monkey": Anatomy(
        ears="side", snout="muzzle", tail="long", tail_len=1.4, extras=("face_light", "belly"),
        colours=_c((140, 95, 60), belly=(235, 200, 160)),
    ),
    "lion": Anatomy(
        ears="round", ear_size=0.75, snout="muzzle", tail="tuft", extras=("mane_ring",),
        colours=_c((235, 185, 95), belly=(250, 230, 185), accent=(190, 105, 45)),
    ),
    "tiger": Anatomy(
        ears="round", ear_size=0.85, snout="muzzle", tail="long", extras=("stripes", "belly"),
        colours=_c((245, 145, 45), belly=(252, 245, 235), pattern=(45, 40, 40)),
    ),
    "sheep": Anatomy(
        layout="quad", legs=0.95, body=(30.0, 25.0, 24.0), head=(18.0, 17.0, 19.0), ears="side",
        snout="none", tail="stub", feet="hoof", extras=("wool",), head_role="accent",
        colours=_c((250, 247, 238), accent=(70, 62, 62), feet=(70, 62, 62)),
    ),
    "elephant": Anatomy(
        layout="quad", legs=1.05, body=(32.0, 27.0, 25.0), head=(24.0, 24.0, 23.0), ears="fan",
        snout="trunk", tail="tuft", tail_len=0.7, extras=("tusks",),
        colours=_c((165, 175, 195), inner=(240, 180, 195), horn=(250, 248, 240)),
    ),
    "turtle": Anatomy(
        layout="quad", legs=0.5, body=(30.0, 26.0, 14.0), head=(15.0, 15.0, 14.0), limbs="legs",
        tail="stub", extras=("shell",), eye_az=40.0,
        colours=_c((170, 210, 110), accent=(80, 150, 85), pattern=(55, 115, 65)),
    ),
    "dragon": Anatomy(  # a reptile's head: a long snout, swept-back horns and no ears
        body=(26.0, 25.0, 28.0), head=(25.0, 21.0, 20.0), ears="none",
        snout="reptile", tail="thick", tail_len=1.3,
        extras=("belly", "spikes", "dragon_horns", "small_wings"), eye_az=34.0, eye_el=14.0,
        colours=_c((150, 110, 200), belly=(250, 220, 140), accent=(250, 200, 90),
                   horn=(250, 230, 170)),
    ),
    "koala": Anatomy(
        ears="big_round", ear_size=1.15, snout="koala", tail="none",
        extras=("belly",), colours=_c((160, 165, 175), belly=(235, 235, 238),
                                     inner=(245, 245, 248), nose=(45, 40, 45)),
    ),
    "sloth": Anatomy(
        ears="none", snout="none", tail="none", limbs="paws", extras=("face_light", "sloth_eyes"),
        eye_white=False, colours=_c((160, 125, 90), belly=(235, 215, 180), accent=(95, 70, 50),
                                    nose=(60, 40, 35)),
    ),
    "seal": Anatomy(
        layout="swim", body=(38.0, 22.0, 20.0), head=(22.0, 23.0, 21.0), limbs="fins",
        tail="fluke", tail_len=0.7, snout="muzzle", snout_size=0.8, extras=("seal_head",),
        colours=_c((200, 205, 215), belly=(240, 240, 245), nose=(50, 45, 50)),
    ),
    "hedgehog": Anatomy(
        body=(26.0, 27.0, 26.0), head=(22.0, 24.0, 21.0), ears="round", ear_size=0.55,
        snout="pointy", extras=("quills", "belly"),
        colours=_c((235, 205, 165), belly=(250, 235, 210), accent=(120, 80, 55)),
    ),
    "raccoon": Anatomy(
        ears="pointy", snout="pointy", snout_size=0.8, tail="ringed", eye_white=True,
        extras=("mask", "belly"),
        colours=_c((150, 150, 160), belly=(235, 235, 238), accent=(50, 48, 55)),
    ),
    "shiba": Anatomy(
        ears="pointy", snout="pointy", snout_size=0.85, tail="curly", extras=("belly", "muzzle_patch"),
        colours=_c((235, 150, 70), belly=(252, 245, 232)),
    ),
    "corgi": Anatomy(
        layout="quad", legs=0.5, body=(34.0, 22.0, 20.0), head=(22.0, 24.0, 21.0), ears="pointy",
        ear_size=1.0, snout="pointy", snout_size=0.9, tail="stub",
        colours=_c((240, 160, 80), belly=(252, 245, 232), feet=(252, 245, 232)),
    ),
    "otter": Anatomy(  # long and low: a slim body, a flat broad head, small ears, a flat tail
        body=(21.0, 21.0, 33.0), head=(21.0, 23.0, 17.0), ears="tiny", snout="muzzle",
        snout_size=0.8, tail="flat", tail_len=0.9, extras=("face_light", "belly"),
        colours=_c((150, 105, 70), belly=(235, 210, 175)),
    ),
    "squirrel": Anatomy(
        ears="pointy", ear_size=0.9, snout="muzzle", snout_size=0.7, tail="bushy", tail_len=1.5,
        extras=("belly",), colours=_c((200, 115, 55), belly=(250, 235, 210)),
    ),
    "crocodile": Anatomy(
        layout="quad", legs=0.5, limbs="legs", body=(36.0, 20.0, 14.0), head=(30.0, 17.0, 12.0),
        snout="long", snout_size=0.9, tail="thick", tail_len=1.6, eye_az=50.0, eye_el=40.0,
        extras=("spikes",), colours=_c((95, 155, 80), belly=(205, 225, 150), accent=(70, 120, 60)),
    ),
    "salamander": Anatomy(  # lizard-like: long and low, four splayed legs, a long tail
        layout="quad", legs=0.6, limbs="legs", body=(34.0, 15.0, 11.0), head=(16.0, 14.0, 9.5),
        tail="taper", tail_len=3.8, eye_az=42.0, eye_el=28.0, eye_size=1.1, sits_up=False,
        colours=_c((245, 125, 45), belly=(255, 205, 90), accent=(200, 80, 30)),
    ),
    "red_panda": Anatomy(  # russet, a white face mask and cheeks, dark legs, a ringed tail
        ears="round", ear_size=1.05, snout="muzzle", snout_size=0.8, tail="ringed", tail_len=1.3,
        extras=("face_marks",), eye_white=True,
        colours=_c((200, 85, 40), belly=(250, 246, 238), accent=(130, 50, 25),
                   limbs=(60, 35, 30), feet=(60, 35, 30), ears=(250, 246, 238),
                   inner=(130, 50, 25)),
    ),
    "highland_cow": Anatomy(  # shaggy ginger coat, a fringe over the eyes, long upswept horns
        layout="quad", legs=0.95, body=(34.0, 26.0, 24.0), head=(22.0, 23.0, 21.0), ears="side",
        snout="wide", tail="tuft", feet="hoof", extras=("shaggy", "fringe", "long_horns"),
        colours=_c((200, 105, 50), nose=(120, 75, 60), horn=(240, 225, 185),
                   accent=(160, 80, 35), hooves=(70, 50, 40)),
    ),
}  # fmt: skip

BASE_COLOURS: dict[str, RGB] = {
    "eyes": DARK,
    "nose": DARK,
    "mouth": MOUTH,
    "blush": BLUSH,
    "inner": PINK_INNER,
    "beak": ORANGE,
    "horn": (245, 230, 190),
}


def colours_of(name: str, override: dict[str, RGB] | None = None) -> dict[str, RGB]:
    """The creature's colour roles (body, belly, accent, nose, eyes ...), `override` first;
    roles derived from the body (limbs, ears, feet) follow an overridden body."""
    a = ANATOMY[name]
    out = dict(BASE_COLOURS)
    out.update(a.colours)
    out.update(override or {})
    out.setdefault("belly", out["body"])
    out.setdefault("accent", out["body"])
    out.setdefault("feet", out["body"])
    out.setdefault("pattern", out["accent"])
    out.setdefault("limbs", out["body"])
    out.setdefault("ears", out["body"])
    return out
