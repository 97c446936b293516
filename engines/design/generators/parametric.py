"""The embedded generator: the parametric engine's subjects, features and forms built at points
sampled on the merchant's axes (engines.design.axes)."""

from __future__ import annotations

from dataclasses import dataclass

from engines.design.base import DesignError
from engines.design.generators.base import PARAMETRIC, GenerationRequest, Proposal


@dataclass(frozen=True)
class ParametricGenerator:
    """Builds candidates with the given builders (engines.design.generate.Builders), else the
    default ones; raises the builders' own DesignError when not one could be built."""

    builders: object | None = None  # a generate.Builders; object keeps this module import-light
    name: str = PARAMETRIC

    def propose(self, request: GenerationRequest) -> Proposal:
        """Candidates at geometry_count(count) distinct sampled choices, the literal default
        first."""
        from engines.design import generate as g

        spec, b = request.spec, self.builders or g.default_builders()
        assert isinstance(b, g.Builders)
        # no two that differ only by colourway: those build one shape twice (twins in the top 8)
        choices = g.distinct_geometries(spec, g.geometry_count(request.count), request.seed)
        built = g.build_many(spec, choices, request.size_mm, b)
        found = [c for c in built if c is not None]
        if not found:  # the builders' own reason ("a keychain needs a subject to show")
            g.build_candidate(spec, choices[0], request.size_mm, b)
            raise DesignError(f"no {spec.form.replace('_', ' ')} design could be built")
        return Proposal(found)
