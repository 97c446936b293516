"""The default mesh repair needs nothing GPL: pymeshfix (AGPL-3.0) is the optional extra
`trendforge[gpl-repair]`, imported only when a setting selects it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from engines.printprep import UnprintableMesh
from engines.printprep.repair import repair_mesh
from tests.helpers.meshes import mobius_strip

ROOT = Path(__file__).parents[2]

# pymeshfix blocked (importing it raises ImportError), then the whole default path: the
# engines, the prototype activity and the worker wiring load; what the default repair cannot
# close is refused with the reason; a mesh with two holes is repaired and prepared into a
# closed prototype; and selecting pymeshfix without the extra fails at worker start
BLOCKED = """
import sys
sys.modules["pymeshfix"] = None
import trimesh
import activities.prototype, trendforge.temporal
from engines.printprep import prepare
from engines.printprep.errors import UnprintableMesh
from engines.printprep.repair import repair_mesh
from tests.helpers.meshes import mobius_strip

try:
    repair_mesh(mobius_strip())
except UnprintableMesh as err:
    assert "still open" in str(err), err
else:
    raise AssertionError("a Möbius strip cannot be closed without pymeshfix")

sphere = trimesh.creation.icosphere(subdivisions=3, radius=15)
kept = [i for i in range(len(sphere.faces)) if i not in (5, 300)]
holed = trimesh.Trimesh(sphere.vertices, sphere.faces[kept], process=False)
assert not holed.is_watertight
fixed = repair_mesh(holed)
assert fixed.after.watertight and fixed.mesh.is_watertight, fixed.after.summary()
assert fixed.mesh.volume > 0.95 * sphere.volume
assert "filled 2 hole(s)" in fixed.actions, fixed.actions
holed.export(sys.argv[1] + "/holed.stl")
report = prepare(sys.argv[1] + "/holed.stl", sys.argv[1], target_size_mm=40.0, use_slicer=False)
assert any("filled" in a for a in report.repaired), report.repaired
assert not any("pymeshfix" in a for a in report.repaired), report.repaired
assert sys.modules["pymeshfix"] is None  # still blocked: nobody imported it
try:
    trendforge.temporal.build_workers(None, None, sys.argv[1], "q", "q-cpu", mesh_repair="pymeshfix")
except RuntimeError as err:
    assert "gpl-repair" in str(err), err
else:
    raise AssertionError("selecting pymeshfix without the extra must fail at start")
print("repaired without pymeshfix")
"""


def test_the_default_repair_runs_with_pymeshfix_unimportable(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, str(tmp_path)],
        cwd=ROOT,  # this checkout first on sys.path
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "repaired without pymeshfix" in done.stdout


def test_a_setting_selects_pymeshfix_for_what_the_default_cannot_close() -> None:
    pytest.importorskip("pymeshfix", reason="the optional trendforge[gpl-repair] extra")
    strip = mobius_strip()
    with pytest.raises(UnprintableMesh, match="still open"):
        repair_mesh(strip)
    closed = repair_mesh(strip, gpl_repair=True)
    assert closed.after.watertight and any("pymeshfix closed" in a for a in closed.actions)


def test_pymeshfix_is_an_optional_extra_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("pymeshfix") for d in project["dependencies"])
    assert any(d.startswith("pymeshfix") for d in project["optional-dependencies"]["gpl-repair"])
    assert not any("pymeshfix" in d for d in project["optional-dependencies"]["dev"])
