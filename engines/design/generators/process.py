"""A generator run as a separate local process, speaking JSON over stdin/stdout.

The protocol (docs/architecture.md, "Plug-in generators"): the adapter starts the configured
command in an empty working folder, writes one JSON request to its stdin and closes it:

    {"protocol": "trendforge-generator/1", "spec": {...DesignSpec...}, "count": 8, "seed": 0,
     "size_mm": 80.0, "bed_mm": [250, 210, 220], "out_dir": "/tmp/tf-gen-..."}

and reads one JSON answer from its stdout once it exits with code 0:

    {"protocol": "trendforge-generator/1", "designs": [{"label": "round", "parts": [
        {"name": "body", "colour": [120, 200, 90], "material": null, "file": "d1-body.stl"},
        {"name": "hat", "colour": [230, 200, 120], "vertices": [[x, y, z], ...],
         "faces": [[0, 1, 2], ...]}]}]}

or {"protocol": "trendforge-generator/1", "error": "why it cannot make this"}. Each part is a
mesh file the process wrote inside out_dir (STL, OBJ, PLY, 3MF: +Z up; GLB: +Y up) or inline
arrays; units are free (designs are scaled to size_mm). The process gets timeout_s, its stdout
max_output_bytes and each file it writes max_file_bytes; a process that breaks a limit, exits
non-zero or answers badly is skipped with a finding saying so.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import trimesh

from engines.design.generators.base import (
    ExternalDesign,
    ExternalPart,
    GenerationRequest,
    GeneratorError,
)
from engines.printprep.errors import UnprintableMesh
from engines.printprep.meshio import load_mesh

PROTOCOL = "trendforge-generator/1"
MAX_TIMEOUT_S = 45.0  # under the design activity's 60 s heartbeat timeout
MESH_SUFFIXES = (".stl", ".obj", ".ply", ".3mf", ".glb")
STDERR_KEPT = 600  # characters of the process's stderr quoted in a finding
CHUNK = 65_536


@dataclass(frozen=True)
class ProcessGenerator:
    """A local program answering the JSON protocol; its designs are labelled with `name`."""

    name: str
    command: tuple[str, ...]
    timeout_s: float = 30.0
    max_designs: int = 8
    max_output_bytes: int = 20_000_000
    max_file_bytes: int = 50_000_000
    max_triangles: int = 200_000  # per mesh file
    env: Mapping[str, str] = field(default_factory=dict)  # added to the worker's environment

    def designs(self, request: GenerationRequest) -> list[ExternalDesign]:
        """Run the program once for the request; GeneratorError naming what went wrong."""
        count = min(request.count, self.max_designs)
        with tempfile.TemporaryDirectory(prefix="tf-gen-") as work:
            message = {
                "protocol": PROTOCOL, "spec": request.spec.to_json(), "count": count,
                "seed": request.seed, "size_mm": request.size_mm, "bed_mm": list(request.bed_mm),
                "out_dir": work,
            }  # fmt: skip
            answer = self._run(json.dumps(message).encode(), Path(work))
            return self._parse(answer, Path(work))[:count]

    # ------------------------------------------------------------------ running

    def _run(self, request: bytes, work: Path) -> bytes:
        """The process's stdout once it exited 0 within the limits; GeneratorError otherwise."""
        try:
            proc = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, cwd=work, env={**os.environ, **self.env},
                start_new_session=True,  # its own process group: a timeout ends all of it
            )  # fmt: skip
        except OSError as err:
            raise GeneratorError(f"could not start {self.command[0]!r}: {err.strerror}") from err
        _limit_files(proc.pid, self.max_file_bytes)
        out, err_tail, over = bytearray(), bytearray(), threading.Event()
        threads = [
            threading.Thread(target=_feed, args=(proc.stdin, request), daemon=True),
            threading.Thread(
                target=_read, args=(proc.stdout, out, self.max_output_bytes, over, proc),
                daemon=True,
            ),
            threading.Thread(target=_read, args=(proc.stderr, err_tail, None, None, None),
                             daemon=True),
        ]  # fmt: skip
        for t in threads:
            t.start()
        try:
            code = proc.wait(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise GeneratorError(f"no answer within {self.timeout_s:g} s") from None
        finally:
            _kill(proc)  # children it left behind hold the pipes open
            for t in threads:
                t.join(timeout=2.0)
        if over.is_set():
            raise GeneratorError(f"its answer is over {self.max_output_bytes} bytes")
        if code != 0:
            raise GeneratorError(_exit_reason(code, bytes(err_tail)))
        return bytes(out)

    # ------------------------------------------------------------------ reading the answer

    def _parse(self, raw: bytes, work: Path) -> list[ExternalDesign]:
        """The designs of the answer; GeneratorError for an answer that breaks the protocol."""
        try:
            answer = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            shown = raw[:80].decode("utf-8", "replace")
            raise GeneratorError(f"its answer is not JSON ({err}): {shown!r}") from None
        if not isinstance(answer, dict):
            raise GeneratorError("its answer is not a JSON object")
        if answer.get("protocol") != PROTOCOL:
            raise GeneratorError(f"its answer does not say protocol {PROTOCOL!r}")
        if "error" in answer:
            raise GeneratorError(f"it declined: {str(answer['error'])[:300]}")
        designs = answer.get("designs")
        if not isinstance(designs, list) or not designs:
            raise GeneratorError("its answer has no 'designs' list")
        return [self._design(d, k, work) for k, d in enumerate(designs, start=1)]

    def _design(self, data: Any, k: int, work: Path) -> ExternalDesign:
        """One design of the answer."""
        if not isinstance(data, dict) or not isinstance(data.get("parts"), list):
            raise GeneratorError(f"design {k} is not an object with a 'parts' list")
        parts = tuple(self._part(p, k, work) for p in data["parts"])
        return ExternalDesign(parts, str(data.get("label", "")))

    def _part(self, data: Any, k: int, work: Path) -> ExternalPart:
        """One part: a mesh file inside the working folder, or inline arrays."""
        if not isinstance(data, dict):
            raise GeneratorError(f"design {k}: a part is not an object")
        name = str(data.get("name", "part"))
        colour = data.get("colour", (200, 200, 200))
        if not isinstance(colour, list | tuple) or not all(isinstance(c, int) for c in colour):
            raise GeneratorError(f"design {k}, part {name!r}: colour must be [r, g, b] integers")
        material = data.get("material")
        if "file" in data:
            vertices, faces = self._file(data["file"], k, work)
        elif "vertices" in data and "faces" in data:
            vertices, faces = _inline(data["vertices"], data["faces"], k, name)
        else:
            raise GeneratorError(f"design {k}, part {name!r}: give a 'file' or 'vertices'+'faces'")
        return ExternalPart(
            name, vertices, faces, tuple(colour), str(material) if material else None
        )  # type: ignore[arg-type]

    def _file(self, name: Any, k: int, work: Path) -> tuple[np.ndarray, np.ndarray]:
        """Vertices and faces of a mesh file the process wrote in its working folder (+Z up)."""
        path = (work / str(name)).resolve()
        if not path.is_relative_to(work.resolve()) or not path.is_file():
            raise GeneratorError(f"design {k}: {str(name)[:80]!r} is not a file in its out_dir")
        if path.suffix.lower() not in MESH_SUFFIXES:
            raise GeneratorError(
                f"design {k}: {path.name} is not one of {', '.join(MESH_SUFFIXES)}"
            )
        try:
            mesh = load_mesh(path, max_bytes=self.max_file_bytes, max_triangles=self.max_triangles)
        except UnprintableMesh as err:
            raise GeneratorError(f"design {k}: {err.reason}") from err
        if path.suffix.lower() == ".glb":  # glTF is +Y up: turn it to +Z up
            mesh.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
        return np.asarray(mesh.vertices), np.asarray(mesh.faces)


def _inline(vertices: Any, faces: Any, k: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Inline arrays as numbers; GeneratorError when they are not (n, 3) numbers."""
    try:
        v = np.asarray(vertices, dtype=np.float64)
        f = np.asarray(faces, dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as err:
        raise GeneratorError(f"design {k}, part {name!r}: arrays are not numbers ({err})") from None
    return v, f


def _feed(pipe: IO[bytes] | None, data: bytes) -> None:
    """Write the request and close stdin (a process that does not read it is its business)."""
    if pipe is None:
        return
    try:
        pipe.write(data)
        pipe.close()
    except (BrokenPipeError, OSError):
        pass


def _read(
    pipe: IO[bytes] | None,
    into: bytearray,
    limit: int | None,
    over: threading.Event | None,
    proc: subprocess.Popen[bytes] | None,
) -> None:
    """Read a pipe to its end: stdout up to `limit` (then end the process), stderr keeping
    its last STDERR_KEPT bytes."""
    if pipe is None:
        return
    while chunk := pipe.read1(CHUNK) if hasattr(pipe, "read1") else pipe.read(CHUNK):
        into.extend(chunk)
        if limit is None:
            del into[: max(0, len(into) - STDERR_KEPT)]
        elif len(into) > limit:
            if over is not None:
                over.set()
            if proc is not None:
                _kill(proc)
            return


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """End the process and its group (it was started in its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.poll()


def _limit_files(pid: int, max_bytes: int) -> None:
    """Cap the size of any file the process writes (Linux; elsewhere load_mesh's limit only)."""
    if sys.platform != "linux":
        return
    import resource

    with contextlib.suppress(OSError, ValueError):
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


def _exit_reason(code: int, stderr: bytes) -> str:
    """Why the process failed, with the end of what it wrote to stderr."""
    said = " ".join(stderr.decode("utf-8", "replace").split())[-STDERR_KEPT:]
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        what = (
            "wrote a file over the size limit"
            if -code == signal.SIGXFSZ
            else f"was killed ({name})"
        )
    else:
        what = f"exited with code {code}"
    return f"it {what}" + (f": {said}" if said else "")
