"""The age grade a product is meant for, read from the words and the product form, with the
reason shown ("'baby' -> under 3") and the merchant's override kept as such."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engines.compliance.errors import ComplianceError

GRADES: tuple[str, ...] = ("under_3", "3_to_13", "14_plus", "adult")  # youngest first
LABELS = {"under_3": "under 3", "3_to_13": "3–13", "14_plus": "14+", "adult": "adult"}

# Words about the person it is for (the youngest named wins: a baby gift is a baby's toy).
PERSON_WORDS: dict[str, tuple[str, ...]] = {
    "under_3": ("baby", "babies", "infant", "infants", "newborn", "newborns", "toddler",
                "toddlers", "nursery", "crib", "cot", "teether", "teething", "rattle",
                "first toy", "baby shower", "bath toy"),
    "3_to_13": ("kid", "kids", "child", "children", "childrens", "children's", "boys",
                "girls", "preschool", "school", "party favor", "party favour", "toy", "toys"),
    "14_plus": ("teen", "teens", "teenager", "collector", "collectors", "collectible",
                "collectable", "display", "desk", "office"),
    "adult": ("adult", "adults", "grown-up", "grownup", "for him", "for her", "wedding",
              "gag gift"),
}  # fmt: skip

# What the product form is when nobody says who it is for, and why.
FORM_GRADES: dict[str, tuple[str, str]] = {
    "plush": ("under_3", "a soft stuffed toy is commonly given to infants (CPSC age-determination guidelines)"),
    "figurine": ("14_plus", "a desk figure is decoration, not a toy"),
    "keychain": ("14_plus", "a keychain is a general-use accessory"),
    "ornament": ("14_plus", "a tree ornament is seasonal decoration"),
    "mug": ("adult", "a mug is general-use tableware"),
    "planter": ("adult", "a planter is home decor"),
    "pen_holder": ("adult", "a pen holder is office ware"),
    "phone_stand": ("adult", "a phone stand is an accessory"),
    "headband": ("14_plus", "a headband is a general-use accessory"),
    "hat": ("14_plus", "a hat is apparel"),
    "eyewear": ("14_plus", "novelty eyewear is a general-use accessory"),
    "coaster": ("adult", "a coaster is tableware"),
    "hair_clip": ("14_plus", "a hair clip is a general-use accessory"),
    "night_light": ("14_plus", "a night-light is a household luminaire, not a toy"),
}  # fmt: skip
DEFAULT_FORM_GRADE = ("3_to_13", "an unknown product form is treated as a children's product")

_AGES = re.compile(
    r"\bages?\s*(\d{1,2})\s*(?:\+|plus|(?:-|–|to)\s*\d{1,2})?"  # ages 3+, age 3-5, ages 8
    r"|\b(\d{1,2})\s*(?:\+|plus)(?!\w)"  # 3+, 14 plus
    r"|\b(\d{1,2})\s*(?:-|–|to)\s*\d{1,2}\s*(?:y|yrs?|years?)\b"  # 3-5 years
    r"|\b(\d{1,2})\s*(?:m|mo|months?)\s*\+"  # 18m+
)


@dataclass(frozen=True)
class AgeGrade:
    """The grade, the reasons behind it (words first) and whether a person set it."""

    grade: str  # one of GRADES
    reasons: tuple[str, ...]
    overridden: bool = False

    @property
    def label(self) -> str:
        """'under 3', '3–13', '14+' or 'adult'."""
        return LABELS[self.grade]

    @property
    def children(self) -> bool:
        """Whether it is a children's product (under 14: ASTM F963, CPSIA, EN 71 scope)."""
        return self.grade in ("under_3", "3_to_13")


def check_grade(grade: str) -> str:
    """The grade itself, or ComplianceError naming the ones there are."""
    if grade not in GRADES:
        raise ComplianceError(f"age grade {grade!r} is not one of {', '.join(GRADES)}")
    return grade


def grade_of_years(low: int) -> str:
    """The grade that holds a product for ages `low` and up (years)."""
    return "under_3" if low < 3 else "3_to_13" if low < 14 else "14_plus" if low < 18 else "adult"


def infer_age_grade(text: str, form: str, override: str | None = None) -> AgeGrade:
    """The age grade from the idea's words and its product form; an override wins and says so."""
    if override is not None:
        inferred = infer_age_grade(text, form)
        why = f"set by the merchant (inferred: {inferred.label}, {inferred.reasons[0]})"
        return AgeGrade(check_grade(override), (why,), True)
    words = " " + re.sub(r"\s+", " ", text.lower()) + " "
    stated = _stated_ages(words)
    if stated is not None:
        return AgeGrade(
            grade_of_years(stated[0]), (f"'{stated[1]}' → {LABELS[grade_of_years(stated[0])]}",)
        )
    for grade in GRADES:  # youngest first
        hits = [
            w
            for w in PERSON_WORDS[grade]
            if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", words)
        ]
        if hits:
            reasons = [f"'{w}' → {LABELS[grade]}" for w in hits]
            older = [g for g in GRADES[GRADES.index(grade) + 1 :] if _named(words, g)]
            if older:
                reasons.append(
                    f"also worded for {', '.join(LABELS[g] for g in older)}: the youngest applies"
                )
            return AgeGrade(grade, tuple(reasons))
    grade, why = FORM_GRADES.get(form, DEFAULT_FORM_GRADE)
    return AgeGrade(grade, (f"'{form.replace('_', ' ')}' → {LABELS[grade]}: {why}",))


def _named(words: str, grade: str) -> bool:
    """Whether any word of a grade is in the text."""
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", words) for w in PERSON_WORDS[grade])


def _stated_ages(words: str) -> tuple[int, str] | None:
    """(youngest age in years, the words) of an explicit age ('ages 3+', '0-3', '18m+')."""
    m = _AGES.search(words)
    if not m:
        return None
    if m.group(4) is not None:
        return int(m.group(4)) // 12, m.group(0).strip()
    years = next(g for g in m.groups()[:3] if g is not None)
    return int(years), m.group(0).strip()
