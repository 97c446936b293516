"""`.venv/bin/python -m bench.design.reader_accuracy [-v]`: spec-reader accuracy, dev and hold-out.

Reads tests/data/design_ideas.yaml (the set the reader was tuned on) and
tests/data/design_ideas_holdout.yaml (written once, never tuned on) and prints, per set, the share
of ideas whose form, subject, features, body colour, product colour and refusal are read as
labelled, the share with every field right, and the reading time per idea. -v lists the misses.
A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from engines.design.base import DesignError
from engines.design.kit.spec import DesignSpec
from engines.design.reader import read_spec

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
SETS = (("dev", "design_ideas.yaml"), ("hold-out", "design_ideas_holdout.yaml"))
FIELDS = ("refusal", "form", "subject", "features", "body_colour", "product_colour", "extras")
EXTRAS = ("lens_shape", "style", "pose", "expression", "size_mm", "material", "placement")


def feature_words(spec: DesignSpec) -> list[str]:
    """Features as the development set labels them (DesignSpec.feature_words)."""
    return spec.feature_words()


def approximated(spec: DesignSpec) -> list[str]:
    """The spec's approximations as 'word ≈ subject'."""
    return [f"{a.word} ≈ {a.subject}" for a in spec.approximations]


def load(name: str) -> list[dict[str, Any]]:
    """The labelled ideas of one set ([] when the file is missing)."""
    path = DATA / name
    return yaml.safe_load(path.read_text()) if path.exists() else []


def score(idea: dict[str, Any]) -> dict[str, bool]:
    """Per field, whether the reader read this idea as labelled."""
    try:
        spec = read_spec(idea["text"])
    except DesignError as err:
        words_ok = all(w.lower() in str(err).lower() for w in idea.get("reason", []))
        ok = bool(idea.get("refuse")) and words_ok
        return dict.fromkeys(FIELDS, ok)
    if idea.get("refuse"):
        return dict.fromkeys(FIELDS, False)
    extras = all(getattr(spec, k) == idea[k] for k in EXTRAS if k in idea)
    extras = extras and approximated(spec) == idea.get("approximated", [])
    return {
        "refusal": True,
        "form": spec.form == idea["form"],
        "subject": spec.subject == idea["subject"],
        "features": feature_words(spec) == sorted(idea["features"]),
        "body_colour": spec.body_colour == idea["body_colour"],
        "product_colour": spec.product_colour == idea["product_colour"],
        "extras": extras,
    }


def describe(idea: dict[str, Any]) -> str:
    """What the reader made of an idea, one line."""
    try:
        s = read_spec(idea["text"])
    except DesignError as err:
        return f"REFUSED: {err}"
    extras = {k: getattr(s, k) for k in EXTRAS if getattr(s, k) is not None}
    extras |= {"approximated": approximated(s)} if s.approximations else {}
    return (
        f"{s.form} | {s.subject} | {feature_words(s)} | body={s.body_colour} "
        f"product={s.product_colour} {extras}"
    )


def main(argv: list[str]) -> None:
    """Print the accuracy table (and the misses with -v)."""
    verbose = "-v" in argv
    for label, name in SETS:
        ideas = load(name)
        if not ideas:
            print(f"{label}: {name} missing")
            continue
        rows = [score(i) for i in ideas]
        start = time.perf_counter()
        for idea in ideas:
            with contextlib.suppress(DesignError):
                read_spec(idea["text"])
        ms = (time.perf_counter() - start) * 1000 / len(ideas)
        refused = sum(1 for i in ideas if i.get("refuse"))
        print(f"{label}: {len(ideas)} ideas ({refused} to refuse), {ms:.2f} ms per idea")
        for f in FIELDS:
            print(f"  {f:15s} {sum(r[f] for r in rows) / len(rows):6.1%}")
        print(f"  {'all fields':15s} {sum(all(r.values()) for r in rows) / len(rows):6.1%}")
        if verbose:
            for idea, r in zip(ideas, rows, strict=True):
                if not all(r.values()):
                    bad = ",".join(k for k, v in r.items() if not v)
                    print(f"    MISS [{bad}] {idea['text']!r}\n       got  {describe(idea)}")
                    if idea.get("refuse"):
                        print(f"       want refusal with {idea.get('reason')}")
                    else:
                        want = {k: idea.get(k) for k in ("form", "subject", "features")}
                        want |= {k: idea[k] for k in ("body_colour", "product_colour") if idea[k]}
                        want |= {k: idea[k] for k in (*EXTRAS, "approximated") if k in idea}
                        print(f"       want {want}")


if __name__ == "__main__":
    main(sys.argv[1:])
