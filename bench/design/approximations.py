"""`.venv/bin/python -m bench.design.approximations [-v]`: the evidence for the reader's
MIN_SIMILARITY (engines/design/reader/approx.py).

For the hand-labelled nouns of tests/data/design_approximations.yaml that the reader does not
know (plus the lexicon's KIN words, labelled with their hand-picked close subjects), the MiniLM
nearest subject and its cosine similarity; per threshold, the share of nouns to approximate that
would be mapped, the share of those mapped to a subject a merchant accepts, and the share of nouns
to refuse (products, people, nonsense) that would wrongly be mapped. -v lists every noun.
A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import yaml

from engines.design.kit import vocab
from engines.design.reader.approx import MIN_SIMILARITY, nearest_subjects, similarity
from engines.design.reader.lexicon import KIN
from engines.design.reader.words import is_adjective, phrases, words_of

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "design_approximations.yaml"
THRESHOLDS = np.round(np.arange(0.40, 0.71, 0.02), 2)


def unknown(noun: str) -> bool:
    """Whether the reader meets the noun as an unknown noun or a KIN word (no subject)."""
    found = phrases(words_of(noun))
    if len(found) != 1:
        return False
    meaning = found[0].meaning
    if found[0].text in KIN:
        return meaning is None or meaning.subject is None
    return meaning is None and not is_adjective(found[0].text)


def table(rows: list[tuple[str, str, float, bool]], refuse: list[tuple[str, float]]) -> None:
    """The per-threshold shares."""
    sims = np.array([r[2] for r in rows])
    good = np.array([r[3] for r in rows])
    bad = np.array([s for _, s in refuse])
    print("  threshold  mapped  accepted-of-mapped  refuse-nouns-mapped")
    for t in THRESHOLDS:
        mapped = sims >= t
        ok = good[mapped].mean() if mapped.any() else float("nan")
        mark = "  <- MIN_SIMILARITY" if abs(t - MIN_SIMILARITY) < 1e-9 else ""
        print(f"  {t:9.2f}  {mapped.mean():6.0%}  {ok:18.0%}  {(bad >= t).mean():19.0%}{mark}")


def main(argv: list[str]) -> None:
    """Print the evidence."""
    data = yaml.safe_load(DATA.read_text())
    start = time.perf_counter()
    near = {w: tuple(s) for w, s in data["near"].items() if unknown(w) and w not in KIN}
    kin = [w for w in KIN if unknown(w) and w not in vocab.SUBJECTS]
    refuse = [w for w in data["refuse"] if unknown(w)]
    known = len(data["near"]) - len(near) + len(data["refuse"]) - len(refuse)
    rows = []
    for w, accepted in near.items():
        subject, sim = nearest_subjects(w, 1)[0]
        rows.append((w, subject, sim, subject in accepted))
    bad = [(w, nearest_subjects(w, 1)[0][1]) for w in refuse]
    picked = [(w, *max(((s, similarity(w, s)) for s in KIN[w]), key=lambda x: x[1])) for w in kin]
    took = time.perf_counter() - start
    print(
        f"{len(near)} labelled unknown nouns to approximate, {len(refuse)} to refuse, "
        f"{len(kin)} KIN words ({known} labelled nouns the reader already knows left out); "
        f"{took:.1f} s with loading the model"
    )
    print("labelled unknown nouns, nearest of all subjects:")
    table(rows, bad)
    print(
        "highest similarity of a noun to refuse: "
        + ", ".join(f"{w} {s:.2f}" for w, s in sorted(bad, key=lambda x: -x[1])[:6])
    )
    wrong = [r for r in rows if r[2] >= MIN_SIMILARITY and not r[3]]
    print(
        f"mapped at {MIN_SIMILARITY:.2f} to a subject not accepted: "
        + (", ".join(f"{w}→{s} {x:.2f}" for w, s, x, _ in wrong) or "none")
    )
    kin_sims = np.array([x for _, _, x in picked])
    print(
        "KIN words, the most similar of their three hand-picked close subjects: mapped "
        + ", ".join(
            f"{(kin_sims >= t).mean():.0%} at {t:.2f}" for t in (0.5, 0.55, MIN_SIMILARITY, 0.65)
        )
    )
    print(
        f"  mapped at {MIN_SIMILARITY:.2f}: "
        + ", ".join(
            f"{w}→{s} {x:.2f}"
            for w, s, x in sorted(picked, key=lambda r: -r[2])
            if x >= MIN_SIMILARITY
        )
    )
    print(
        "  refused: "
        + ", ".join(
            f"{w} ({s} {x:.2f})"
            for w, s, x in sorted(picked, key=lambda r: -r[2])
            if x < MIN_SIMILARITY
        )
    )
    if "-v" in argv:
        for w, s, x, ok in sorted(rows, key=lambda r: -r[2]):
            print(f"    {w:16s} {s:10s} {x:.2f} {'ok' if ok else 'NOT ACCEPTED'}")
        for w, x in sorted(bad, key=lambda r: -r[1]):
            print(f"    {w:16s} {'(refuse)':10s} {x:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
