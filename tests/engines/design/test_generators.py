"""Plug-in generators: the example program run as a real subprocess over the JSON protocol, its
meshes repaired, checked, ranked and labelled with their source alongside the parametric engine;
broken, slow and hostile generators are skipped with a finding that says why; configuration."""

from __future__ import annotations

import sys
import textwrap
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import trimesh
from sqlmodel import Session, select
from temporalio.testing import ActivityEnvironment

from activities.design import DesignActivities
from engines.design.base import DesignError
from engines.design.generate import (
    fits_bed,
    generate_designs,
    glb_path,
    watertight_after_stl,
    write_variant_assets,
)
from engines.design.generators import (
    PROTOCOL,
    ExternalDesign,
    ExternalPart,
    GenerationRequest,
    GeneratorError,
    MeshSource,
    ParametricGenerator,
    ProcessGenerator,
    example_program,
    generators_from_config,
)
from engines.design.kit.spec import DesignSpec
from models.contracts import DesignRequest
from models.tables import DesignVariant, Trend
from tests.engines.design.standins import BUILDERS
from trendforge.settings import Settings

EXAMPLE = str(Path(example_program.__file__))
FROG = DesignSpec(text="pink frog figurine", form="figurine", subject="frog", body_colour="pink")
REQUEST = GenerationRequest(FROG, count=4, seed=1, size_mm=80.0)


def pebbles(*args: str, **kw: object) -> ProcessGenerator:
    """The shipped example program as a process generator."""
    return ProcessGenerator("pebbles", (sys.executable, EXAMPLE, *args), **kw)  # type: ignore[arg-type]


def script(body: str, **kw: object) -> ProcessGenerator:
    """A generator program given as Python source (run with this interpreter)."""
    return ProcessGenerator("rogue", (sys.executable, "-c", textwrap.dedent(body)), **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def mixed() -> list:
    gens = (ParametricGenerator(BUILDERS), MeshSource(pebbles()))
    return generate_designs(FROG, 12, seed=2, builders=BUILDERS, generators=gens)


def test_the_example_program_answers_the_protocol_with_files_and_inline() -> None:
    for args in ((), ("--inline",)):
        designs = pebbles(*args).designs(REQUEST)
        assert len(designs) == 4 and len({d.label for d in designs}) == 4
        for d in designs:
            assert [p.name for p in d.parts] == ["body", "head", "left ear", "right ear"]
            assert d.parts[0].colour == (244, 160, 190)  # the spec's pink body
            assert all(len(p.faces) > 0 and np.isfinite(p.vertices).all() for p in d.parts)


def test_external_meshes_are_ranked_with_the_parametric_ones_and_carry_their_source(
    mixed: list,
) -> None:
    sources = [v.source for v in mixed]
    assert set(sources) == {"parametric", "pebbles"} and mixed.skipped == []
    assert [v.rank for v in mixed] == list(range(1, 13))
    for v in mixed:
        assert v.family == "figurine" and v.printable and not v.findings
        assert watertight_after_stl(v.mesh) and fits_bed(v.mesh)
        assert max(v.dims_mm) == pytest.approx(80.0, rel=1e-3)  # scaled to the form's size
    ext = [v for v in mixed if v.source == "pebbles"]
    assert all(v.labels[0] == "pebbles" and v.labels[1].startswith("pebble ") for v in ext)
    assert all("by pebbles" in v.description for v in ext)
    assert all(len(v.parts) == 4 and len(v.owner) == len(v.mesh.faces) for v in ext)


def test_external_variants_write_stl_png_and_glb(mixed: list, tmp_path: Path) -> None:
    v = next(v for v in mixed if v.source == "pebbles")
    stl, png = write_variant_assets(v, tmp_path, "ext")
    back = trimesh.load_mesh(stl)
    assert back.is_watertight and Path(png).stat().st_size > 0
    assert len(trimesh.load(glb_path(stl)).geometry) == 4  # a node per part


def test_only_external_generators_can_design_alone() -> None:
    out = generate_designs(FROG, 6, seed=0, generators=(MeshSource(pebbles("--inline")),))
    assert len(out) == 6 and {v.source for v in out} == {"pebbles"}


@pytest.mark.parametrize(
    ("body", "limits", "reason"),
    [
        ("import time; time.sleep(30)", {"timeout_s": 1.0}, "no answer within 1 s"),
        ("print('hello there')", {}, "its answer is not JSON"),
        ("import sys; sys.stderr.write('out of GPU memory'); sys.exit(3)", {},
         "exited with code 3: out of GPU memory"),
        ("import sys\nwhile True: sys.stdout.write('x' * 65536)", {"max_output_bytes": 100_000},
         "its answer is over 100000 bytes"),
        (f"print('{{\"protocol\": \"{PROTOCOL}\", \"error\": \"no GPU\"}}')", {},
         "it declined: no GPU"),
        ("print('[1, 2]')", {}, "not a JSON object"),
        ("print('{\"designs\": []}')", {}, "does not say protocol"),
        (f"print('{{\"protocol\": \"{PROTOCOL}\", \"designs\": [{{\"parts\": [{{\"file\": \"../../etc/passwd\"}}]}}]}}')",
         {}, "is not a file in its out_dir"),
        ("import os, time; os.fork() or time.sleep(30); time.sleep(30)", {"timeout_s": 1.0},
         "no answer within 1 s"),  # a child it forked is ended with it
        ("open('big.stl', 'wb').write(b'x' * 300000)", {"max_file_bytes": 100_000},
         "File too large"),  # the file-size cap: Python sees EFBIG (others die of SIGXFSZ)
    ],
)  # fmt: skip
def test_a_broken_or_hostile_process_gives_a_clear_error(body, limits, reason) -> None:
    with pytest.raises(GeneratorError) as info:
        script(body, **limits).designs(REQUEST)
    assert reason in str(info.value)


def test_a_program_that_cannot_start_is_named() -> None:
    gen = ProcessGenerator("ghost", ("/nonexistent/generator",))
    with pytest.raises(GeneratorError, match="could not start '/nonexistent/generator'"):
        gen.designs(REQUEST)


def test_a_failing_generator_is_skipped_with_a_finding_and_the_design_goes_on() -> None:
    slow = MeshSource(script("import time; time.sleep(30)", timeout_s=1.0))
    out = generate_designs(
        FROG, 6, seed=0, builders=BUILDERS, generators=(ParametricGenerator(), slow)
    )
    assert len(out) == 6 and {v.source for v in out} == {"parametric"}
    assert out.skipped == ["generator rogue skipped: no answer within 1 s"]


def test_when_every_generator_fails_the_reason_names_them() -> None:
    broken = MeshSource(script("import sys; sys.exit(2)"))
    with pytest.raises(DesignError, match="no figurine design came from any generator: "
                       "generator rogue skipped: it exited with code 2"):  # fmt: skip
        generate_designs(FROG, 6, seed=0, generators=(broken,))


def _tetra(offset: float = 0.0, open_: bool = False) -> ExternalPart:
    """A closed tetrahedron (or one with a face missing), mm."""
    v = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], float) + offset
    f = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    return ExternalPart("tetra", v, f[:3] if open_ else f, (10, 200, 10))


class InProcess:
    """A mesh generator object (the in-process plug-in kind)."""

    def __init__(self, name: str, designs: list[ExternalDesign]) -> None:
        self.name, self._designs = name, designs

    def designs(self, request: GenerationRequest) -> list[ExternalDesign]:
        return self._designs


def test_bad_designs_are_skipped_one_by_one_with_their_reason() -> None:
    far = ExternalDesign((_tetra(), _tetra(offset=100.0)), "apart")
    nan = ExternalPart("nan", np.full((4, 3), np.nan), np.array([[0, 1, 2]] * 4), (1, 2, 3))
    designs = [
        ExternalDesign((_tetra(),), "good"),
        far,
        ExternalDesign((nan,), "nan"),
        ExternalDesign((ExternalPart("c", _tetra().vertices, _tetra().faces, (300, 0, 0)),), "red"),
        ExternalDesign((), "empty"),
    ]
    proposal = MeshSource(InProcess("local", designs)).propose(replace(REQUEST, count=8))
    assert len(proposal.candidates) == 1 and proposal.candidates[0].source == "local"
    found = " | ".join(proposal.findings)
    assert "local, apart: skipped, the parts of this design do not touch" in found
    assert "local, nan: skipped, part 'nan': a vertex is not a finite number" in found
    assert "local, red: skipped, colour [300, 0, 0] is not three integers 0..255" in found
    assert "local, empty: skipped, a design needs 1 to 16 parts, not 0" in found


def test_an_open_mesh_is_repaired_before_it_is_used() -> None:
    proposal = MeshSource(InProcess("local", [ExternalDesign((_tetra(open_=True),), "open")])).propose(REQUEST)  # fmt: skip
    assert proposal.findings == [] and proposal.candidates[0].model.parts[0].mesh.is_watertight


def test_a_plug_in_that_raises_is_a_finding() -> None:
    class Crashing(InProcess):
        def designs(self, request: GenerationRequest) -> list[ExternalDesign]:
            raise RuntimeError("CUDA error")

    proposal = MeshSource(Crashing("gpu", [])).propose(REQUEST)
    assert proposal.findings == ["generator gpu skipped: it failed (RuntimeError('CUDA error'))"]


def test_configuration_builds_generators_and_names_bad_entries() -> None:
    gens = generators_from_config(
        ["parametric", {"name": "pebbles", "command": ["{python}", EXAMPLE], "timeout_s": 20}]
    )
    assert [g.name for g in gens] == ["parametric", "pebbles"]
    process = gens[1].generator  # type: ignore[attr-defined]
    assert process.command == (sys.executable, EXAMPLE) and process.timeout_s == 20
    bad = [
        ([], "list at least one"),
        (["magic"], "'magic' is not 'parametric' or an object"),
        ([{"name": "Bad Name", "command": ["x"]}], "name 'Bad Name' must be"),
        ([{"name": "a", "command": "x --y"}], "command must be a list of strings"),
        ([{"name": "a", "command": ["x"], "timeout_s": 600}], "timeout_s must be in (0, 45]"),
        ([{"name": "a", "command": ["x"], "retries": 3}], "unknown keys retries"),
        ([{"name": "a", "kind": "cloud"}], "kind 'cloud' is not process or python"),
        ([{"name": "a", "kind": "python", "factory": "no.such:thing"}], "factory 'no.such:thing' failed"),
        ([{"name": "a", "command": ["x"]}, {"name": "a", "command": ["y"]}], "'a' is used twice"),
    ]  # fmt: skip
    for entries, reason in bad:
        with pytest.raises(GeneratorError) as info:
            generators_from_config(entries)
        assert reason in str(info.value), entries


def test_in_process_plug_ins_are_made_by_their_factory() -> None:
    (gen,) = generators_from_config(
        [{"kind": "python", "name": "local", "factory": f"{__name__}:InProcess",
          "options": {"designs": [ExternalDesign((_tetra(),), "tetra")]}}]
    )  # fmt: skip
    assert gen.name == "local" and len(gen.propose(REQUEST).candidates) == 1


def test_the_setting_reads_json_from_the_environment(monkeypatch) -> None:
    assert Settings().design_generators == ["parametric"]
    monkeypatch.setenv(
        "TRENDFORGE_DESIGN_GENERATORS",
        f'["parametric", {{"name": "pebbles", "command": ["{{python}}", "{EXAMPLE}"]}}]',
    )
    entries = Settings().design_generators
    assert entries[1] == {"name": "pebbles", "command": ["{python}", EXAMPLE]}
    assert [g.name for g in generators_from_config(entries)] == ["parametric", "pebbles"]


@pytest.mark.db
def test_the_design_activity_stores_the_source_and_notes_skipped_generators(
    engine, tmp_path
) -> None:
    gens = generators_from_config(
        ["parametric", {"name": "pebbles", "command": ["{python}", EXAMPLE]},
         {"name": "broken", "command": ["{python}", "-c", "import sys; sys.exit(4)"]}]
    )  # fmt: skip
    with Session(engine) as s:
        trend = Trend(dedup_key=uuid.uuid4().hex, text="pink frog figurine", merchant_id="m-gen")
        s.add(trend)
        s.commit()
        trend_id = trend.id
    assert trend_id is not None
    req = DesignRequest(workflow_id=f"trend-{trend_id}", trend_id=trend_id,
                        text="pink frog figurine", count=12)  # fmt: skip
    result = ActivityEnvironment().run(
        DesignActivities(engine, tmp_path, gens).design_variants, req
    )
    assert result.notes == ["generator broken skipped: it exited with code 4"]
    assert {v.source for v in result.variants} == {"parametric", "pebbles"}
    with Session(engine) as s:
        rows = s.exec(select(DesignVariant).where(DesignVariant.trend_id == trend_id)).all()
    assert {r.source for r in rows} == {"parametric", "pebbles"}
    assert all(Path(r.mesh_path).is_file() for r in rows)


def test_a_generator_whose_propose_raises_is_skipped_and_the_design_goes_on() -> None:
    class Exploding:
        name = "exploding"

        def propose(self, request: GenerationRequest) -> object:
            raise RuntimeError("service unreachable")

    out = generate_designs(
        FROG, 4, seed=0, builders=BUILDERS, generators=(ParametricGenerator(), Exploding())
    )
    assert len(out) == 4 and {v.source for v in out} == {"parametric"}
    assert out.skipped == ["generator exploding skipped: it failed (service unreachable)"]
