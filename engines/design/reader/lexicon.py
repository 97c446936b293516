"""Words and phrases the reader knows, each mapped to canonical names of kit.vocab."""

from __future__ import annotations

from dataclasses import dataclass

from engines.design.kit import vocab


@dataclass(frozen=True)
class Meaning:
    """What one word or phrase can mean; the reader picks among the fields by context."""

    form: str | None = None  # a vocab.FORMS name
    subject: str | None = None  # a vocab.SUBJECTS name
    feature: tuple[str, str] | None = None  # (vocab.FEATURES key, variant)
    feature_material: str | None = None  # the feature's material ("straw hat")
    colour: str | None = None  # a vocab.COLOURS name
    material: str | None = None  # a vocab.MATERIALS name
    body_colour: str | None = None  # the subject's colour implied by an idiom ("polar bear")
    style: str | None = None
    pose: str | None = None
    expression: str | None = None
    also: tuple[tuple[str, str], ...] = ()  # further features ("crying": tears)
    lens: str | None = None  # a lens shape when it comes before glasses ("heart sunglasses")
    size_factor: float | None = None  # times the form's nominal size ("mini": 0.6)
    refuse: str | None = None  # a key of REFUSED: a product we do not make
    connector: str | None = None  # "attire", "content", "place", "purpose", "and"
    part: bool = False  # a body part of the subject ("ears", "face")
    filler: bool = False  # a word that carries no design meaning


# --- product forms -----------------------------------------------------------------------------
_FORM_WORDS: dict[str, tuple[str, ...]] = {
    "plush": (
        "plush", "plushie", "plushy", "plushies", "plush toy", "stuffed animal", "stuffed toy",
        "stuffed", "stuffie", "soft toy", "cuddly toy", "toy", "doll", "squishmallow",
        "stuffed plush", "plush doll", "pillow plush", "plush pillow", "plushie pillow",
        "amigurumi",
    ),
    "figurine": (
        "figurine", "figure", "statue", "statuette", "sculpture", "desk buddy", "desk figure",
        "action figure", "bust", "desk toy", "shelf buddy", "model", "articulated", "flexi",
        "print in place", "poseable", "fidget",
    ),
    "keychain": (
        "keychain", "key chain", "keyring", "key ring", "bag charm", "backpack charm", "charm",
        "key fob", "zipper pull", "phone charm", "purse charm", "keychain charm",
    ),
    "ornament": (
        "ornament", "christmas ornament", "tree ornament", "xmas ornament", "bauble",
        "hanging decoration", "tree decoration", "christmas decoration", "hanging ornament",
        "christmas tree ornament", "car hanger", "mirror hanger",
    ),
    "mug": (
        "mug", "cup", "tumbler", "coffee mug", "tea mug", "coffee cup", "tea cup", "teacup",
        "bubble tea cup", "boba cup", "boba tea cup", "milk tea cup", "latte mug", "cocoa mug",
    ),
    "planter": (
        "planter", "pot", "plant pot", "flower pot", "flowerpot", "succulent pot",
        "succulent planter", "plant holder", "herb pot", "herb planter", "planter pot",
    ),
    "pen_holder": (
        "pen holder", "pencil holder", "pen cup", "pencil cup", "pen pot", "pencil pot",
        "desk organizer", "desk organiser", "brush holder", "makeup brush holder", "pen stand",
    ),
    "phone_stand": (
        "phone stand", "phone holder", "phone dock", "phone rest", "tablet stand",
        "cell phone stand", "mobile stand", "phone mount",
    ),
    "headband": (
        "headband", "head band", "hairband", "hair band", "alice band", "ear headband",
        "ears headband", "hair hoop",
    ),
    "coaster": (
        "coaster", "coasters", "drink coaster", "drinks coaster", "cup coaster", "mug coaster",
        "coaster set", "set of coasters", "cup mat", "drink mat", "mug mat", "cup pad",
        "mug rug",
    ),
    "hair_clip": (
        "hair clip", "hairclip", "hair clips", "hairclips", "clip", "clips", "barrette",
        "barrettes", "hair barrette", "snap clip", "snap clips", "snap hair clip",
        "alligator clip", "alligator clips", "duckbill clip", "duckbill clips", "hair slide",
        "hair slides", "claw clip", "claw clips", "hair claw", "hair claws",
        "claw hair clip", "claw hair clips", "jaw clip", "jaw clips",
    ),
    "night_light": (
        "night light", "nightlight", "night lights", "nightlights", "night lamp", "lamp",
        "lamps", "led lamp", "led light", "led night light", "mood light", "mood lamp",
        "bedside lamp", "bedside light", "lamp shade", "lampshade", "light up", "light-up",
        "silicone lamp", "squishy lamp", "tap lamp", "touch lamp", "nursery light",
        "kids night light", "baby night light", "table lamp",
    ),
}  # fmt: skip

# Hat and glasses words are features on a subject, or the product when they head the phrase.
_HAT_WORDS: dict[str, tuple[str, ...]] = {
    "": ("hat",),
    "straw": ("straw hat", "sun hat", "sunhat", "farmer hat", "sombrero"),
    "bucket": ("bucket hat", "fishing hat", "fisherman hat"),
    "crown": (
        "crown",
        "tiara",
        "princess crown",
        "king crown",
        "queen crown",
        "prince",
        "princess",
        "king",
        "queen",
        "royal",
    ),
    "sailor": ("sailor hat", "sailor cap", "sailor"),
    "party": ("party hat", "birthday hat", "cone hat"),
    "helmet": ("helmet", "hard hat", "construction helmet"),
    "space": (
        "space helmet",
        "astronaut helmet",
        "astronaut",
        "astronauts",
        "spaceman",
        "spacewoman",
        "cosmonaut",
        "space suit",
        "spacesuit",
    ),
    "santa": ("santa hat", "christmas hat", "xmas hat", "santa", "elf hat"),
    "beanie": ("beanie", "knit hat", "winter hat", "bobble hat", "pom pom hat", "toque"),
    "cowboy": ("cowboy hat", "cowboy", "cowgirl", "stetson"),
    "top": ("top hat", "magician hat", "gentleman"),
    "witch": ("witch hat", "witch", "wizard hat", "wizard"),
    "chef": ("chef hat", "chef", "toque blanche", "baker hat"),
}
_GLASSES_WORDS: dict[str, tuple[str, ...]] = {
    "": ("glasses", "sunglasses", "shades", "eyeglasses", "spectacles", "eyewear", "sunnies"),
    "round": ("round glasses", "round sunglasses", "nerd glasses", "granny glasses"),
    "heart": ("heart glasses", "heart sunglasses", "heart shaped glasses", "heart shaped sunglasses"),
    "star": ("star glasses", "star sunglasses", "star shaped glasses", "star shaped sunglasses"),
}  # fmt: skip

# --- subjects ---------------------------------------------------------------------------------
_SUBJECT_WORDS: dict[str, tuple[str, ...]] = {
    "cat": ("cat", "kitten", "kitty", "catto", "kitteh", "kitties", "kittens", "cats", "kitty cat", "tabby",
            "tabby cat", "calico", "calico cat", "siamese", "siamese cat", "maine coon"),
    "dog": ("dog", "puppy", "puppies", "pup", "pupper", "doggy", "doggie", "doggo", "pug", "dachshund", "wiener dog", "sausage dog", "golden retriever",
            "husky", "poodle", "frenchie", "french bulldog", "bulldog", "beagle", "labrador",
            "chihuahua", "pomeranian", "samoyed"),
    "shiba": ("shiba", "shiba inu", "shibas", "shiba dog", "doge", "akita"),
    "corgi": ("corgi", "corgis", "corgi dog", "welsh corgi"),
    "bear": ("bear", "teddy", "teddy bear", "bears", "brown bear", "grizzly", "cub", "bear cub"),
    "bunny": ("bunny", "rabbit", "bunnies", "rabbits", "hare", "bun", "easter bunny"),
    "frog": ("frog", "froggy", "froggie", "froggo", "frogs", "toad", "tadpole"),
    "duck": ("duck", "ducky", "duckie", "duckling", "ducks", "goose"),
    "penguin": ("penguin", "penguins", "pengu"),
    "capybara": ("capybara", "capy", "capybaras", "capibara"),
    "axolotl": ("axolotl", "axolotls", "axie"),
    "cow": ("cow", "cows", "calf", "bull", "moo"),
    "octopus": ("octopus", "octopi", "octopuses", "octo"),
    "horse": ("horse", "pony", "horses", "ponies", "stallion", "foal"),
    "pig": ("pig", "piggy", "piglet", "pigs", "hog"),
    "fox": ("fox", "foxes", "fennec", "fennec fox", "arctic fox"),
    "panda": ("panda", "pandas", "giant panda", "panda bear"),
    "owl": ("owl", "owls", "owlet"),
    "dinosaur": ("dinosaur", "dino", "dinos", "dinosaurs", "t rex", "trex", "tyrannosaurus",
                 "triceratops", "stegosaurus", "brontosaurus", "raptor"),
    "unicorn": ("unicorn", "unicorns"),
    "shark": ("shark", "sharks", "baby shark", "hammerhead"),
    "whale": ("whale", "whales", "orca", "blue whale", "killer whale"),
    "dolphin": ("dolphin", "dolphins", "bottlenose", "bottlenose dolphin", "porpoise"),
    "chick": ("chick", "chicks", "chicken", "hen", "baby chick", "chicky"),
    "hamster": ("hamster", "hamsters", "hammy", "gerbil"),
    "mouse": ("mouse", "mice", "rat", "mousey"),
    "monkey": ("monkey", "monkeys", "chimp", "chimpanzee", "ape"),
    "lion": ("lion", "lions", "lioness"),
    "tiger": ("tiger", "tigers", "tiger cub"),
    "sheep": ("sheep", "lamb", "lambs", "ewe"),
    "elephant": ("elephant", "elephants", "ellie"),
    "turtle": ("turtle", "turtles", "tortoise", "sea turtle"),
    "dragon": ("dragon", "dragons", "wyvern"),
    "koala": ("koala", "koalas", "koala bear"),
    "sloth": ("sloth", "sloths"),
    "seal": ("seal", "seals", "sea lion", "harp seal"),
    "hedgehog": ("hedgehog", "hedgehogs", "hedgie"),
    "raccoon": ("raccoon", "raccoons", "trash panda", "racoon"),
    "otter": ("otter", "otters", "sea otter", "sea otters"),
    "squirrel": ("squirrel", "squirrels", "red squirrel"),
    "crocodile": ("crocodile", "crocodiles", "croc", "alligator", "alligators", "gator"),
    "red_panda": ("red panda", "red pandas", "lesser panda", "red panda bear"),
    "highland_cow": ("highland cow", "highland cows", "highland coo", "hairy coo", "highland calf"),
    "salamander": ("salamander", "salamanders", "newt", "newts", "fire salamander"),
    "strawberry": ("strawberry", "strawberries"),
    "avocado": ("avocado", "avocados", "avo"),
    "cactus": ("cactus", "cacti", "cactuses", "saguaro"),
    "mushroom": ("mushroom", "mushrooms", "shroom", "toadstool"),
    "heart": ("heart", "hearts"),
    "star": ("star", "stars"),
    "cloud": ("cloud", "clouds"),
    "ghost": ("ghost", "ghosts", "ghostie", "spooky ghost"),
    "robot": ("robot", "robots", "bot", "droid"),
    "pumpkin": ("pumpkin", "pumpkins", "jack o lantern", "jackolantern"),
    "peach": ("peach", "peaches"),
    "banana": ("banana", "bananas"),
    "cupcake": ("cupcake", "cupcakes", "muffin"),
    "donut": ("donut", "doughnut", "donuts", "doughnuts"),
    "moon": ("moon", "crescent moon", "half moon", "crescent"),
    "sun": ("sun", "sunshine"),
}  # fmt: skip

# Idioms: a subject with a colour, or a subject wearing something, in one phrase.
_SUBJECT_IDIOMS: dict[str, Meaning] = {
    "polar bear": Meaning(subject="bear", body_colour="white"),
    "black cat": Meaning(subject="cat", body_colour="black"),
    "rubber duck": Meaning(subject="duck", body_colour="yellow"),
    "rubber ducky": Meaning(subject="duck", body_colour="yellow"),
    "rubber duckie": Meaning(subject="duck", body_colour="yellow"),
    "dalmatian": Meaning(subject="dog", body_colour="white", also=(("spots", "colour"),)),
    "strawberry cow": Meaning(
        subject="cow", body_colour="pink", also=(("hat", "strawberry"), ("spots", "colour"))
    ),
    "strawberry milk cow": Meaning(
        subject="cow", body_colour="pink", also=(("hat", "strawberry"), ("spots", "colour"))
    ),
    "strawberry frog": Meaning(subject="frog", body_colour="red", also=(("hat", "strawberry"),)),
    "strawberry bear": Meaning(subject="bear", body_colour="pink", also=(("hat", "strawberry"),)),
    "strawberry bunny": Meaning(subject="bunny", body_colour="pink", also=(("hat", "strawberry"),)),
    "strawberry cat": Meaning(subject="cat", body_colour="pink", also=(("hat", "strawberry"),)),
    "strawberry duck": Meaning(subject="duck", body_colour="pink", also=(("hat", "strawberry"),)),
    "pink cow": Meaning(subject="cow", body_colour="pink"),
    "golden retriever": Meaning(subject="dog", body_colour="gold"),
    "killer whale": Meaning(subject="whale", body_colour="black"),
    "orca": Meaning(subject="whale", body_colour="black"),
    "baby shark": Meaning(subject="shark", style="kawaii"),
    "snowy owl": Meaning(subject="owl", body_colour="white"),
    "arctic fox": Meaning(subject="fox", body_colour="white"),
    "sea turtle": Meaning(subject="turtle", body_colour="teal"),
    "axolotl pink": Meaning(subject="axolotl", body_colour="pink"),
    "jack o lantern": Meaning(subject="pumpkin", expression="happy"),
    "easter bunny": Meaning(subject="bunny", body_colour="white"),
    "teddy bear": Meaning(subject="bear", body_colour="brown"),
    "lizard": Meaning(subject="salamander", body_colour="green"),  # long, low, four legs
    "lizards": Meaning(subject="salamander", body_colour="green"),
    "gecko": Meaning(subject="salamander", body_colour="green"),
    # prints: their own colours on the body; a cow print whitens it, a leopard print tans it
    "cow print": Meaning(feature=("spots", "cow"), body_colour="white"),
    "cow spots": Meaning(feature=("spots", "cow"), body_colour="white"),
    "cow pattern": Meaning(feature=("spots", "cow"), body_colour="white"),
    "strawberry print": Meaning(feature=("spots", "strawberry")),
    "strawberry pattern": Meaning(feature=("spots", "strawberry")),
    "leopard print": Meaning(feature=("spots", "leopard"), body_colour="beige"),
    "cheetah print": Meaning(feature=("spots", "leopard"), body_colour="beige"),
    "leopard spots": Meaning(feature=("spots", "leopard"), body_colour="beige"),
}

# --- features ---------------------------------------------------------------------------------
_FEATURE_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("wings", ""): ("wings", "wing", "winged"),
    ("wings", "feathered"): ("feathered wings", "angel wings", "bird wings", "feathery wings"),
    ("wings", "bat"): ("bat wings", "demon wings", "devil wings", "dragon wings", "bat winged"),
    ("wings", "fairy"): ("fairy wings", "butterfly wings", "fairy", "pixie", "butterfly wing"),
    ("horns", ""): ("horns",),
    ("horns", "unicorn"): ("horn", "unicorn horn", "single horn"),
    ("horns", "devil"): ("devil horns", "devil", "devilish", "demon", "demon horns",
                         "little devil", "imp"),
    ("horns", "ram"): ("ram horns", "curly horns", "goat horns", "bull horns"),
    ("scarf", "plain"): ("scarf", "scarves", "neck scarf", "knitted scarf", "muffler"),
    ("bow", "head"): ("bow", "hair bow", "ribbon", "head bow", "bows", "ribbon bow"),
    ("bow", "neck"): ("bow tie", "bowtie", "neck bow", "neck ribbon", "collar bow"),
    ("teeth", ""): ("teeth", "tooth"),
    ("teeth", "buck"): ("buck teeth", "bucktooth", "bucktoothed", "buck toothed", "toothy",
                        "big teeth", "goofy teeth", "bunny teeth"),
    ("teeth", "fangs"): ("fangs", "fang", "vampire teeth", "sharp teeth", "vampire"),
    ("tears", "drops"): ("tears", "tear", "teardrops", "teary", "tearful", "crying tears"),
    ("eyes", "big"): ("big eyes", "huge eyes", "large eyes", "googly eyes", "sparkly eyes",
                      "anime eyes", "big eyed", "bug eyes", "wide eyes", "giant eyes"),
    ("eyes", "closed"): ("closed eyes", "eyes closed", "shut eyes"),
    ("eyes", "heart"): ("heart eyes", "heart eyed", "love eyes", "in love", "lovestruck"),
    ("spots", "colour"): ("spotted", "spots", "spotty", "dotted"),
    ("spots", "polka"): ("polka dot", "polka dots", "polka dotted", "polkadot"),
    ("spots", "relief"): ("bumpy spots", "raised spots", "warts", "warty", "bumpy"),
    ("stripes", "colour"): ("stripes", "striped", "stripy", "stripey", "tiger stripes",
                            "zebra print", "stripe"),
    ("stripes", "relief"): ("ridges", "ribbed", "raised stripes"),
    ("held", "heart"): ("heart in hand",),
    ("held", "flower"): ("flower", "flowers", "bouquet", "daisy", "rose flower", "tulip",
                         "sunflower"),
    ("held", "fish"): ("fish", "fishy", "salmon fish"),
    ("held", "carrot"): ("carrot", "carrots"),
    ("held", "balloon"): ("balloon", "balloons"),
    ("cape", "plain"): ("cape", "capes", "cloak", "superhero", "super hero", "hero cape",
                        "superhero cape"),
    ("blush", "cheeks"): ("blush", "blushing", "blushy", "rosy cheeks", "pink cheeks",
                          "blushed", "cheeks"),
}  # fmt: skip

# Things held, worn on the head or carried in the mouth that are other words elsewhere (a mug
# is a product, bubble tea and rock are kin subjects): read as held items only after a subject
# in a "holding" clause or before "on its head" / "in its mouth" (reader._held_variant).
HELD_WORDS: dict[str, str] = {
    "mug": "mug", "mugs": "mug", "coffee mug": "mug", "tea mug": "mug", "cup": "cup",
    "coffee cup": "cup", "tea cup": "cup", "teacup": "cup", "latte": "cup", "bubble tea": "bubble_tea",
    "boba": "bubble_tea", "rock": "rock",
    "rocks": "rock", "pebble": "rock", "pebbles": "rock", "stone": "rock", "stones": "rock",
    "pumpkins": "pumpkin", "jack o lantern": "pumpkin", "rubber duck": "duck",
    "duckling": "duck", "ducky": "duck",
}  # fmt: skip
# What after a held thing puts it on top of the head ("a duck on its head"), or at the mouth.
HELD_PLACES_AFTER: tuple[tuple[str, str], ...] = (
    ("head", r"(?:on top of |on )(?:its|his|her|the|their) head"),
    ("mouth", r"in (?:its|his|her|the|their) (?:mouth|beak|jaws|teeth)"),
)

# Words that are an expression and (sometimes) a feature that shows it.
_EXPRESSION_WORDS: dict[str, Meaning] = {
    "crying": Meaning(expression="crying", also=(("tears", "drops"),)),
    "cries": Meaning(expression="crying", also=(("tears", "drops"),)),
    "weeping": Meaning(expression="crying", also=(("tears", "drops"),)),
    "sobbing": Meaning(expression="crying", also=(("tears", "drops"),)),
    "sad": Meaning(expression="crying"),
    "sleepy": Meaning(expression="sleepy", also=(("eyes", "sleepy"),)),
    "sleepy eyes": Meaning(expression="sleepy", also=(("eyes", "sleepy"),)),
    "drowsy": Meaning(expression="sleepy", also=(("eyes", "sleepy"),)),
    "tired": Meaning(expression="sleepy", also=(("eyes", "sleepy"),)),
    "sleeping": Meaning(expression="sleepy", pose="lying", also=(("eyes", "closed"),)),
    "asleep": Meaning(expression="sleepy", pose="lying", also=(("eyes", "closed"),)),
    "napping": Meaning(expression="sleepy", pose="lying", also=(("eyes", "closed"),)),
    "happy": Meaning(expression="happy"),
    "smiling": Meaning(expression="happy"),
    "smiley": Meaning(expression="happy"),
    "smile": Meaning(expression="happy"),
    "cheerful": Meaning(expression="happy"),
    "laughing": Meaning(expression="happy"),
    "angry": Meaning(expression="angry"),
    "grumpy": Meaning(expression="angry"),
    "mad": Meaning(expression="angry"),
    "annoyed": Meaning(expression="angry"),
    "furious": Meaning(expression="angry"),
    "surprised": Meaning(expression="surprised"),
    "shocked": Meaning(expression="surprised"),
    "screaming": Meaning(expression="surprised"),
    "astonished": Meaning(expression="surprised"),
    "neutral": Meaning(expression="neutral"),
    "deadpan": Meaning(expression="neutral"),
    "unimpressed": Meaning(expression="neutral"),
    "angel": Meaning(feature=("wings", "feathered")),
    "angelic": Meaning(feature=("wings", "feathered")),
}

_STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "kawaii": ("kawaii", "kawaii style"),
    "chibi": ("chibi", "anime", "anime style", "chibi style"),
    "realistic": ("realistic", "lifelike", "life like", "realistically", "true to life"),
    "minimal": ("minimal", "minimalist", "minimalistic", "simple", "scandi"),
    "low-poly": ("low poly", "lowpoly", "low-poly", "low polygon", "geometric", "faceted",
                 "polygonal"),
    "cartoon": ("cartoon", "cartoony", "cartoonish", "toon", "comic"),
}  # fmt: skip
_POSE_WORDS: dict[str, tuple[str, ...]] = {
    "standing": ("standing", "stands", "standing up", "upright"),
    "sitting": ("sitting", "sits", "seated", "sitting down", "sat", "perched", "perching"),
    "lying": ("lying", "laying", "lying down", "laying down", "lies", "lounging", "flat"),
    "waving": ("waving", "waves", "wave", "waving hello", "saying hi"),
}

# --- colours and materials ----------------------------------------------------------------------
_COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "white": ("white", "snow white", "off white"),
    "black": ("black", "jet black"),
    "grey": ("grey", "gray", "silvery grey", "charcoal", "dark grey", "dark gray", "light grey",
             "light gray"),
    "red": ("red", "crimson", "scarlet", "maroon", "burgundy", "cherry red", "dark red"),
    "pink": ("pink", "hot pink", "pastel pink", "baby pink", "rose", "light pink", "bubblegum",
             "bubblegum pink", "magenta", "fuchsia", "blush pink", "pinky"),
    "orange": ("orange", "tangerine", "ginger", "rust"),
    "yellow": ("yellow", "lemon yellow", "mustard", "butter yellow", "pastel yellow"),
    "green": ("green", "lime", "olive", "dark green", "forest green", "emerald", "matcha",
              "kelly green", "frog green"),
    "mint": ("mint", "mint green", "sage", "sage green", "pastel green", "light green",
             "seafoam"),
    "blue": ("blue", "royal blue", "cobalt", "bright blue"),
    "navy": ("navy", "navy blue", "dark blue", "midnight blue"),
    "sky": ("sky blue", "light blue", "baby blue", "pastel blue", "powder blue", "sky"),
    "purple": ("purple", "violet", "plum", "dark purple"),
    "lavender": ("lavender", "lilac", "light purple", "pastel purple", "periwinkle"),
    "brown": ("brown", "chocolate", "dark brown", "mocha", "coffee brown", "caramel", "tan brown"),
    "beige": ("beige", "tan", "khaki", "sand", "oatmeal", "latte"),
    "cream": ("cream", "ivory", "eggshell", "vanilla", "creamy"),
    "gold": ("gold", "golden", "gold coloured", "gold colored"),
    "silver": ("silver", "chrome", "metallic"),
    "teal": ("teal", "turquoise", "aqua", "cyan", "aquamarine"),
    "peach": ("peach coloured", "peach colored", "peachy", "coral", "salmon", "apricot"),
    "rainbow": ("rainbow", "multicolour", "multicolor", "multicoloured", "multicolored",
                "pastel rainbow", "colourful", "colorful"),
    "transparent": ("transparent", "clear", "see through", "translucent"),
}  # fmt: skip
_MATERIAL_WORDS: dict[str, tuple[str, ...]] = {
    "straw": ("straw", "woven", "wicker", "rattan", "raffia"),
    "wood": ("wood", "wooden", "timber", "bamboo", "walnut", "oak"),
    "ceramic": ("ceramic", "ceramics", "porcelain", "stoneware", "pottery", "marble", "marbled"),
    "plush": ("fuzzy", "furry", "velvet", "velvety", "minky"),
    "crochet": ("crochet", "crocheted", "knit", "knitted", "knitting", "amigurumi style"),
    "felt": ("felt", "needle felted", "felted"),
    "resin": ("resin", "epoxy"),
    "metal": ("metal", "steel", "aluminium", "aluminum", "enamel", "brass"),
    "glass": ("glass",),
    "plastic": ("plastic", "acrylic", "pla", "vinyl", "pvc", "silicone", "rubber"),
    "wool": ("wool", "woolen", "woollen", "wooly", "woolly"),
    "clay": ("clay", "terracotta", "terra cotta", "polymer clay"),
}  # fmt: skip

# --- sizes --------------------------------------------------------------------------------------
_SIZE_WORDS: dict[float, tuple[str, ...]] = {
    0.5: ("tiny", "teeny", "teeny tiny", "itty bitty", "micro", "pocket", "pocket sized",
          "pocket size", "palm sized", "palm size"),
    0.6: ("mini", "miniature", "minis", "mini size"),
    0.8: ("small", "smol", "little small"),
    1.4: ("big", "large", "xl", "oversized", "chonky", "chunky", "extra large"),
    1.7: ("huge", "giant", "jumbo", "massive", "gigantic", "enormous", "life size", "life sized",
          "xxl"),
}  # fmt: skip
# Longest side of each form at the nominal size, mm (the size words scale it).
FORM_NOMINAL_MM: dict[str, float] = {
    "plush": 120.0, "figurine": 90.0, "keychain": 50.0, "ornament": 75.0, "mug": 110.0,
    "planter": 100.0, "pen_holder": 100.0, "phone_stand": 110.0, "headband": 150.0,
    "hat": 190.0, "eyewear": 140.0, "coaster": 100.0, "hair_clip": 55.0, "night_light": 140.0,
}  # fmt: skip
SIZE_WORD_MAX_MM = 210.0  # a size word never asks for more than the bed's narrowest side

# --- products we do not make -------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A product we do not make: its name, why (optional), and the forms that come closest."""

    noun: str
    close: tuple[str, ...]
    why: str = ""


_WEAR = ("hat", "headband", "keychain")
_DISH = ("planter", "pen_holder", "mug")
_FLAT = ("keychain", "ornament", "figurine")
REFUSED: dict[str, Refusal] = {}
_REFUSED_WORDS: tuple[tuple[Refusal, tuple[str, ...]], ...] = (
    (Refusal("water bottle", ("mug", "pen_holder", "planter"), "we don't make closed bottles"),
     ("bottle", "water bottle", "drink bottle", "flask", "thermos", "sports bottle",
      "bottles", "canteen", "shaker bottle")),
    (Refusal("vase", ("planter", "pen_holder", "mug"), "we don't make watertight vases"),
     ("vase", "vases", "bud vase", "flower vase")),
    (Refusal("desk lamp", ("night_light", "figurine"),
             "we make night-lights (a shell over an LED on a base), not arm or floor lamps"),
     ("desk lamp", "reading lamp", "floor lamp", "arm lamp", "study lamp", "ceiling light",
      "pendant light", "chandelier")),
    (Refusal("string of lights", ("night_light", "ornament"),
             "we make night-lights that stand on a base, not strings or strips of LEDs"),
     ("fairy lights", "string lights", "led strip", "led strips", "light strip",
      "christmas lights", "neon sign")),
    (Refusal("lantern", ("night_light", "ornament"),
             "we make night-lights that stand on a base, not hanging lanterns"),
     ("lantern", "lanterns", "paper lantern", "camping lantern")),
    (Refusal("box", ("planter", "pen_holder", "mug"), "we don't make closed boxes or jars"),
     ("box", "jar", "jewelry box", "jewellery box", "trinket box", "lunch box", "lunchbox",
      "storage box", "container", "piggy bank", "money box", "coin bank", "music box",
      "tissue box", "cookie jar", "boxes")),
    (Refusal("phone case", ("phone_stand", "keychain")),
     ("phone case", "iphone case", "airpods case", "airpod case", "case", "earbuds case")),
    (Refusal("scrunchie", ("hair_clip", "headband"), "we don't make fabric hair ties"),
     ("scrunchie", "scrunchies", "hair tie", "hair ties", "hair scrunchie", "hair elastic")),
    (Refusal("bobby pin", ("hair_clip", "headband"), "we don't make hair pins"),
     ("bobby pin", "bobby pins", "hairpin", "hairpins", "hair pin", "hair pins", "hair stick",
      "hair grip", "hair grips", "kirby grip")),
    (Refusal("piece of jewellery", ("keychain", "ornament")),
     ("earrings", "earring", "necklace", "pendant", "bracelet", "ring", "brooch", "jewelry",
      "jewellery", "anklet", "choker")),
    (Refusal("pin", ("keychain", "ornament")),
     ("pin", "pins", "enamel pin", "badge", "button pin", "lapel pin", "patch")),
    (Refusal("magnet", _FLAT), ("magnet", "fridge magnet", "magnets")),
    (Refusal("sticker", _FLAT, "we only make 3D products"),
     ("sticker", "stickers", "decal", "poster", "art print", "painting", "canvas", "wallpaper",
      "card", "greeting card", "postcard")),
    (Refusal("piece of clothing", _WEAR, "we don't make clothing"),
     ("t shirt", "tshirt", "shirt", "tee", "hoodie", "sweater", "sweatshirt", "jumper",
      "jacket", "socks", "sock", "pajamas", "pyjamas", "onesie", "costume", "dress", "apron",
      "mittens", "gloves", "slippers", "shoes", "sneakers", "crocs", "leggings", "bib")),
    (Refusal("shoe charm", ("keychain",)), ("shoe charm", "croc charm", "jibbitz")),
    (Refusal("pillow", ("plush",), "we make stuffed toys, not cushions"),
     ("pillow", "cushion", "throw pillow", "blanket", "rug", "mat", "towel", "bath mat",
      "doormat", "pillows", "bean bag")),
    (Refusal("bag", ("keychain", "pen_holder")),
     ("backpack", "bag", "tote", "tote bag", "purse", "wallet", "pouch", "pencil case",
      "handbag", "crossbody bag", "coin purse", "bags")),
    (Refusal("paddle", ("plush", "figurine", "keychain")),
     ("paddle", "pickleball paddle", "racket", "racquet", "ball", "skateboard", "surfboard",
      "frisbee", "golf ball", "tennis ball", "yo yo")),
    (Refusal("mask", ("hat", "headband", "eyewear")), ("mask", "face mask", "masks")),
    (Refusal("bowl", _DISH),
     ("bowl", "plate", "dish", "tray", "trinket dish", "ring dish", "soap dish", "jewelry dish",
      "spoon rest", "ashtray", "saucer", "pet bowl", "dog bowl", "cat bowl", "bowls")),
    (Refusal("candle", ("figurine", "planter"), "we don't make candles"),
     ("candle", "candles", "candle holder", "tealight holder", "tea light holder")),
    (Refusal("clock", ("figurine", "phone_stand")),
     ("clock", "watch", "speaker", "charger", "alarm clock", "wall clock")),
    (Refusal("bookend", ("figurine", "phone_stand")), ("bookend", "bookends", "book end")),
    (Refusal("teapot", ("mug",)), ("teapot", "kettle", "tea pot", "coffee pot", "jug", "pitcher")),
    (Refusal("cookie cutter", ("keychain", "figurine")),
     ("cookie cutter", "cookie cutters", "stamp", "mold", "mould", "soap mold")),
    (Refusal("toothbrush holder", ("pen_holder", "planter")),
     ("toothbrush holder", "soap dispenser", "tissue holder", "toilet paper holder",
      "toothbrush")),
    (Refusal("piece of furniture", ("figurine", "phone_stand")),
     ("chair", "table", "shelf", "stool", "furniture", "wall shelf", "hook", "wall hook",
      "coat hook", "hanger", "mirror", "wall art", "wall decor", "sign")),
    (Refusal("cake topper", ("figurine",)),
     ("cake topper", "cupcake topper", "pencil topper", "pen topper", "straw topper",
      "topper")),
    (Refusal("snow globe", ("ornament", "figurine")), ("snow globe", "snowglobe")),
    (Refusal("cap", ("hat", "headband")),
     ("cap", "baseball cap", "trucker hat", "trucker cap", "snapback", "visor", "beret",
      "headscarf", "bandana")),
    (Refusal("pen", ("pen_holder", "keychain")), ("pen", "pencil", "pens", "pencils")),
    (Refusal("umbrella", _FLAT), ("umbrella", "fan", "hand fan")),
    (Refusal("soap", _FLAT), ("soap", "bath bomb", "bath bombs", "soaps")),
    (Refusal("dice", _FLAT), ("dice", "chess set", "chess piece", "puzzle", "game")),
    (Refusal("drone", ("figurine", "keychain")), ("drone", "bike", "scooter", "skateboard deck")),
)  # fmt: skip

# --- unknown subjects: the known subjects that come closest, by kind -------------------------------
KIN: dict[str, tuple[str, ...]] = {
    "quokka": ("capybara", "hamster", "koala"),
    "otter": ("seal", "capybara", "raccoon"),
    "sea otter": ("seal", "capybara", "raccoon"),
    "giraffe": ("horse", "cow", "unicorn"),
    "zebra": ("horse", "unicorn", "cow"),
    "kangaroo": ("bunny", "mouse", "koala"),
    "wallaby": ("bunny", "mouse", "koala"),
    "squirrel": ("hamster", "mouse", "raccoon"),
    "chipmunk": ("hamster", "mouse", "raccoon"),
    "beaver": ("capybara", "hamster", "raccoon"),
    "guinea pig": ("hamster", "capybara", "mouse"),
    "ferret": ("raccoon", "fox", "mouse"),
    "skunk": ("raccoon", "cat", "fox"),
    "badger": ("raccoon", "hedgehog", "bear"),
    "mole": ("hamster", "mouse", "hedgehog"),
    "opossum": ("raccoon", "mouse", "hamster"),
    "possum": ("raccoon", "mouse", "hamster"),
    "platypus": ("duck", "seal", "capybara"),
    "wolf": ("dog", "fox", "cat"),
    "deer": ("horse", "unicorn", "sheep"),
    "reindeer": ("horse", "unicorn", "cow"),
    "moose": ("horse", "cow", "bear"),
    "llama": ("sheep", "horse", "unicorn"),
    "alpaca": ("sheep", "horse", "unicorn"),
    "camel": ("horse", "cow", "sheep"),
    "goat": ("sheep", "cow", "horse"),
    "donkey": ("horse", "unicorn", "cow"),
    "rhino": ("elephant", "cow", "dinosaur"),
    "hippo": ("elephant", "pig", "cow"),
    "hippopotamus": ("elephant", "pig", "cow"),
    "gorilla": ("monkey", "bear", "sloth"),
    "lemur": ("monkey", "raccoon", "sloth"),
    "bat": ("owl", "mouse", "dragon"),
    "bee": ("chick", "owl", "duck"),
    "bumblebee": ("chick", "owl", "duck"),
    "butterfly": ("owl", "chick", "star"),
    "ladybug": ("strawberry", "mushroom", "turtle"),
    "ladybird": ("strawberry", "mushroom", "turtle"),
    "snail": ("turtle", "mushroom", "axolotl"),
    "slug": ("axolotl", "turtle", "frog"),
    "crab": ("octopus", "turtle", "shark"),
    "lobster": ("octopus", "shark", "turtle"),
    "shrimp": ("octopus", "axolotl", "shark"),
    "jellyfish": ("octopus", "ghost", "cloud"),
    "squid": ("octopus", "shark", "whale"),
    "narwhal": ("whale", "unicorn", "seal"),
    "manatee": ("seal", "whale", "capybara"),
    "walrus": ("seal", "whale", "elephant"),
    "pufferfish": ("shark", "whale", "octopus"),
    "goldfish": ("shark", "whale", "axolotl"),
    "koi": ("shark", "whale", "axolotl"),
    "seahorse": ("dragon", "horse", "shark"),
    "stingray": ("shark", "whale", "octopus"),
    "starfish": ("star", "octopus", "turtle"),
    "flamingo": ("duck", "chick", "owl"),
    "swan": ("duck", "chick", "penguin"),
    "parrot": ("owl", "chick", "duck"),
    "toucan": ("owl", "chick", "penguin"),
    "pigeon": ("duck", "chick", "owl"),
    "crow": ("owl", "penguin", "duck"),
    "eagle": ("owl", "duck", "chick"),
    "rooster": ("chick", "duck", "owl"),
    "turkey": ("chick", "duck", "owl"),
    "bird": ("chick", "owl", "duck"),
    "blue jay": ("chick", "owl", "duck"),
    "jay": ("chick", "owl", "duck"),
    "robin": ("chick", "owl", "duck"),
    "cardinal": ("chick", "owl", "duck"),
    "sparrow": ("chick", "owl", "duck"),
    "hummingbird": ("chick", "owl", "duck"),
    "peacock": ("chick", "owl", "duck"),
    "dove": ("duck", "chick", "owl"),
    "snake": ("dragon", "dinosaur", "axolotl"),
    "chameleon": ("dinosaur", "frog", "axolotl"),
    "iguana": ("dinosaur", "dragon", "axolotl"),
    "crocodile": ("dinosaur", "dragon", "shark"),
    "alligator": ("dinosaur", "dragon", "shark"),
    "worm": ("axolotl", "turtle", "frog"),
    "caterpillar": ("axolotl", "frog", "turtle"),
    "spider": ("octopus", "ghost", "robot"),
    "pegasus": ("unicorn", "horse", "dragon"),
    "phoenix": ("dragon", "chick", "owl"),
    "griffin": ("dragon", "lion", "owl"),
    "mermaid": ("axolotl", "whale", "shark"),
    "yeti": ("bear", "monkey", "sheep"),
    "bigfoot": ("bear", "monkey", "sloth"),
    "alien": ("robot", "ghost", "frog"),
    "monster": ("dinosaur", "ghost", "dragon"),
    "skull": ("ghost", "pumpkin", "moon"),
    "skeleton": ("ghost", "robot", "pumpkin"),
    "zombie": ("ghost", "robot", "pumpkin"),
    "snowman": ("cloud", "ghost", "penguin"),
    "santa claus": ("penguin", "bear", "dog"),
    "father christmas": ("penguin", "bear", "dog"),
    "elf": ("penguin", "bear", "cat"),
    "gnome": ("mushroom", "ghost", "robot"),
    "fairy": ("unicorn", "star", "cloud"),
    "apple": ("peach", "strawberry", "pumpkin"),
    "cherry": ("strawberry", "peach", "heart"),
    "lemon": ("banana", "peach", "sun"),
    "pineapple": ("strawberry", "cactus", "banana"),
    "watermelon": ("strawberry", "peach", "avocado"),
    "pear": ("avocado", "peach", "strawberry"),
    "tomato": ("strawberry", "peach", "pumpkin"),
    "broccoli": ("cactus", "mushroom", "avocado"),
    "corn": ("banana", "cactus", "avocado"),
    "egg": ("chick", "cloud", "moon"),
    "sushi": ("donut", "cupcake", "avocado"),
    "taco": ("donut", "banana", "avocado"),
    "pizza": ("donut", "cupcake", "star"),
    "burger": ("donut", "cupcake", "mushroom"),
    "croissant": ("moon", "banana", "donut"),
    "bread": ("donut", "cupcake", "cloud"),
    "toast": ("donut", "cupcake", "cloud"),
    "cookie": ("donut", "cupcake", "moon"),
    "macaron": ("donut", "cupcake", "cloud"),
    "dumpling": ("cloud", "donut", "ghost"),
    "onigiri": ("cloud", "ghost", "donut"),
    "ice cream": ("cupcake", "donut", "cloud"),
    "cake": ("cupcake", "donut", "strawberry"),
    "boba": ("donut", "cupcake", "cloud"),
    "bubble tea": ("donut", "cupcake", "cloud"),
    "tree": ("cactus", "mushroom", "cloud"),
    "plant": ("cactus", "mushroom", "avocado"),
    "succulent": ("cactus", "mushroom", "avocado"),
    "rock": ("cloud", "ghost", "turtle"),
    "planet": ("moon", "sun", "star"),
    "rocket": ("robot", "star", "moon"),
    "fish": ("shark", "whale", "axolotl"),
    "flower": ("cactus", "mushroom", "strawberry"),
    "carrot": ("banana", "cactus", "strawberry"),
    "balloon": ("heart", "star", "cloud"),
}


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a text block."""
    return frozenset(text.split())


# Words that carry no design meaning (or only taste the reader does not model).
FILLER: frozenset[str] = _words(
    """a an the my your our their his her its it this that these those some any one two three
    pair set cute adorable lovely sweet little lil viral trending trend tiktok
    instagram aesthetic funny silly cool awesome nice pretty beautiful fun fluffy chubby fat
    soft desk kitchen office home gift gifts kids kid children child baby adult adults
    christmas xmas halloween easter valentine valentines birthday spooky holiday shaped shape
    style styled themed theme inspired version design designs idea ideas product products
    please i we want need make made making custom personalized personalised 3d printed
    printing handmade hand super very really so extra cozy cosy classic new trendy popular
    unique perfect best quality premium decor decoration decorative gift accessory
    accessories item thing things collectible collectable squishy squish stackable
    everyday daily dainty fancy elegant retro vintage modern boho cottagecore coquette y2k
    goth gothic pastel pastels bright dark light sparkly glitter glittery shiny matte glossy
    tall wide long high deep size sized edition limited series collection mascot character
    shelf bedroom nursery room car dashboard window garden outdoor indoor plants my
    also just but or too own will would can could should be is are was
    wears wear dressed dressing outfit look looking looks kind sort type
    chonk cutie cuties buddy buddies friend friends lover lovers fan fans
    lol omg pls plz idk tbh ok okay yes gonna wanna kinda sorta something anything get got
    sell selling shop etsy amazon merch cheap sale bundle pack piece pieces each lot lots mom
    mum dad teen teens girls boys women men girl boy people everyone someone me us you them
    what how why when where if then than there here up down out about around all every
    wall hanging bathroom travel camping espresso tea coffee beer wine soup cereal ramen self
    watering drainage hole holes gaming gamer nerdy study school dumb weird odd bold calm wild
    wee mega warm fresh proud brave good bad evil shy chill zen smug rich posh rude punk emo
    meme memes derp blep mlem vibe vibes mood moody
    matching couple couples twin twins family bestie besties bff bffs
    print prints way ways bit totally literally basically actually plain basic blank animal animals
    creature creatures pet pets
    hexagon hexagonal hex
    """
)
FILLER_PHRASES: tuple[str, ...] = (
    "looking for", "look for", "i want", "i need", "would like", "want to", "how about",
    "to sell", "to make", "ideas for", "idea for", "something like", "kind of", "sort of",
    "on top", "on its head", "on his head", "on her head", "on the head", "on it", "on them",
    "to", "in the shape of", "in the form of", "air plant", "self watering",
)  # fmt: skip
PARTS: frozenset[str] = _words(
    """ear ears eye eyes face head tail paw paws nose snout body belly feet foot leg legs arm
    arms whisker whiskers handle mouth beak fin fins shell lens lenses frame frames butt bum booty bottom tummy
    mane manes"""
)
CONNECTORS: dict[str, str] = {
    "with": "attire", "wearing": "attire", "in": "attire", "holding": "held",
    "hugging": "attire", "carrying": "held", "holds": "held", "has": "attire", "having": "attire",
    "sporting": "attire", "w": "attire", "wit": "attire", "and": "and", "plus": "and",
    "of": "content", "featuring": "content", "shaped like": "content", "like": "content",
    "showing": "content", "depicting": "content", "as": "content", "on": "place",
    "riding": "place", "inside": "place", "under": "place", "over": "place", "at": "place",
    "for": "purpose", "that": "attire", "which": "attire", "who": "attire", "from": "purpose",
    "by": "purpose",
}  # fmt: skip


def _add(table: dict[tuple[str, ...], Meaning], phrase: str, meaning: Meaning) -> None:
    """Add a phrase (space separated) to the table; the first meaning added wins."""
    key = tuple(phrase.replace("-", " ").split())
    table.setdefault(key, meaning)


def _build() -> dict[tuple[str, ...], Meaning]:
    """The phrase table: phrase words -> Meaning."""
    table: dict[tuple[str, ...], Meaning] = {}
    for phrase, idiom in _SUBJECT_IDIOMS.items():
        _add(table, phrase, idiom)
    for (name, variant), phrases in _FEATURE_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(feature=(name, variant)))
    for variant, phrases in _HAT_WORDS.items():
        material = "straw" if variant == "straw" else None
        for phrase in phrases:
            _add(table, phrase, Meaning(feature=("hat", variant), feature_material=material))
    for variant, phrases in _GLASSES_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(feature=("glasses", variant), lens=variant or None))
    for phrase, meaning in _EXPRESSION_WORDS.items():
        _add(table, phrase, meaning)
    for form, phrases in _FORM_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(form=form))
    # Shape words that are subjects too: "heart" before glasses is a lens, in a hand it is held.
    for subject, phrases in _SUBJECT_WORDS.items():
        lens = subject if subject in ("heart", "star") else None
        colour = subject if subject in vocab.COLOURS else None
        for phrase in phrases:
            _add(table, phrase, Meaning(subject=subject, lens=lens, colour=colour))
    for shape in ("round", "circle", "circular"):  # a lens shape when the product is eyewear
        _add(table, shape, Meaning(lens="round"))
    for style, phrases in _STYLE_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(style=style))
    for pose, phrases in _POSE_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(pose=pose))
    for colour, phrases in _COLOUR_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(colour=colour))
        for suffix in ("coloured", "colored", "colour", "color", "toned", "ish"):
            _add(table, f"{colour} {suffix}", Meaning(colour=colour))
    for material, phrases in _MATERIAL_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(material=material))
    for factor, phrases in _SIZE_WORDS.items():
        for phrase in phrases:
            _add(table, phrase, Meaning(size_factor=factor))
    for refusal, phrases in _REFUSED_WORDS:
        REFUSED[refusal.noun] = refusal
        for phrase in phrases:
            REFUSED.setdefault(phrase, Refusal(phrase, refusal.close, refusal.why))
            _add(table, phrase, Meaning(refuse=phrase))
    for kin in KIN:
        _add(table, kin, Meaning(refuse=kin))
    for phrase, kind in CONNECTORS.items():
        _add(table, phrase, Meaning(connector=kind))
    for word in PARTS:
        _add(table, word, Meaning(part=True))
    for word in FILLER:
        _add(table, word, Meaning(filler=True))
    for phrase in FILLER_PHRASES:
        _add(table, phrase, Meaning(filler=True))
    return table


PHRASES: dict[tuple[str, ...], Meaning] = _build()
KNOWN_WORDS: frozenset[str] = frozenset(w for key in PHRASES for w in key)
MAX_PHRASE = max(len(key) for key in PHRASES)
