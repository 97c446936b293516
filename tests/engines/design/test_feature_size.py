"""Size words bound to a feature ("a tiny crochet bucket hat", "a big bow") size that feature,
recorded in the spec the reader builds, not the whole product."""

from __future__ import annotations

import numpy as np

from engines.design import axes
from engines.design.generate import build_candidate, default_builders, read
from engines.design.kit.spec import DesignSpec


def feature_to_head(text: str) -> float:
    """Width (across, y) of the feature's parts over the head's in the literal design."""
    spec = read(text)
    cand = build_candidate(spec, axes.default_choice(spec), 100.0, default_builders())
    parts = cand.model.parts
    feature = [p for p, o in zip(parts, cand.origin, strict=True) if o.startswith("feature")]
    head = next(p for p in parts if p.name == "head")
    width = np.ptp(np.vstack([p.mesh.vertices for p in feature])[:, 1])
    return float(width / np.ptp(head.mesh.vertices[:, 1]))


def test_the_reader_records_a_size_word_on_its_feature_not_the_product() -> None:
    spec = read("Cute frog plushie wearing a tiny crochet bucket hat")
    (hat,) = spec.features
    assert (hat.name, hat.variant, hat.material) == ("hat", "bucket", "crochet")
    assert hat.size < 0.7
    assert spec.size_mm is None  # the plush keeps its size
    assert spec.matched["tiny bucket hat"].startswith("bucket hat size")
    assert DesignSpec.from_json(spec.to_json()) == spec
    assert read("frog plush with a big bow").features[0].size > 1.2
    assert read("frog plush with a bow").features[0].size == 1.0
    assert read("tiny frog plush with a hat").features[0].size == 1.0  # the product is tiny


def test_a_tiny_hat_is_clearly_smaller_and_a_big_bow_larger_than_the_default() -> None:
    hat = feature_to_head("cute frog plushie wearing a crochet bucket hat")
    tiny = feature_to_head("Cute frog plushie wearing a tiny crochet bucket hat")
    assert tiny < 0.75 * hat
    bow = feature_to_head("bunny plush with a bow")
    big = feature_to_head("bunny plush with a big bow")
    assert big > 1.25 * bow


def test_sized_wings_stay_on_the_subject() -> None:
    from engines.design.generate import generate_designs

    for text in ("cat figurine with huge wings", "cat figurine with tiny wings"):
        variants = generate_designs(read(text), 8)
        assert len(variants) == 8 and all(v.printable for v in variants), text
