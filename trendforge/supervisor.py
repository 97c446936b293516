"""`trendforge up`: the API and each worker as separate processes under a small supervisor.

Temporal (the embedded dev server, unless TRENDFORGE_TEMPORAL_ADDRESS names one), the API, the
light worker and the CPU worker each run as a child process. A child that dies is started
again after a backoff (1 s, doubling to 30 s; reset once it has run for a minute), and the log
says why it died. Every child gets the parent-death signal, so a SIGKILL of `up` takes them
all with it. A dev server left behind by an earlier `up` that could not clean up (its pid is
kept in the data folder) is stopped before a new one starts; any other program on the port is
an error that says so.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from services.processes import die_with_parent
from trendforge.settings import Settings
from trendforge.temporal import dev_server_command, port_open

log = logging.getLogger("trendforge.supervisor")
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
HEALTHY_AFTER_S = 60.0  # a child that ran this long has its backoff reset
STOP_GRACE_S = 15.0


@dataclass
class Child:
    """One supervised process: its command, environment, log file and restart bookkeeping."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    failures: int = 0  # deaths in a row, for the backoff
    next_start: float = 0.0
    history: list[str] = field(default_factory=list)

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.popen = subprocess.Popen(
                self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )  # fmt: skip
        self.started_at = time.monotonic()
        log.info("%s started (pid %d)", self.name, self.popen.pid)

    def died(self) -> str | None:
        """Why it ended, once it has (exit code or signal), else None."""
        if self.popen is None or self.popen.poll() is None:
            return None
        code = self.popen.returncode
        return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with {code}"

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def _pid_file(settings: Settings) -> Path:
    return settings.data_dir / "temporal.pid"


def _ours(pid: int) -> bool:
    """Whether pid is alive and is a `temporal server start-dev` (ours, left behind)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(part.endswith(b"temporal") for part in cmdline[:1]) and b"start-dev" in cmdline


def clear_stale_dev_server(settings: Settings) -> None:
    """Stop a dev server an earlier `up` left on our port; an error if someone else holds it."""
    if not port_open("127.0.0.1", settings.temporal_port):
        return
    pid_file = _pid_file(settings)
    pid = int(pid_file.read_text()) if pid_file.exists() else None
    if pid is None or not _ours(pid):
        raise RuntimeError(
            f"port {settings.temporal_port} is taken by another program: set "
            "TRENDFORGE_TEMPORAL_PORT, or TRENDFORGE_TEMPORAL_ADDRESS to use that server"
        )
    log.warning("stopping the dev server an earlier run left behind (pid %d)", pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    while port_open("127.0.0.1", settings.temporal_port) and time.monotonic() < deadline:
        time.sleep(0.2)
    if port_open("127.0.0.1", settings.temporal_port):
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)


def _children(settings: Settings, address: str, ui_url: str | None) -> list[Child]:
    """The API and the two workers, each `trendforge <command>` with Temporal's address."""
    env = {**os.environ, "TRENDFORGE_TEMPORAL_ADDRESS": address}
    if ui_url:
        env["TRENDFORGE_TEMPORAL_UI_URL"] = ui_url
    cli = [sys.executable, "-m", "trendforge.cli"]
    logs = settings.data_dir
    return [
        Child("api", [*cli, "api"], env, logs / "api.log"),
        Child("worker-light", [*cli, "worker", "--queue", "light"], env, logs / "worker-light.log"),
        Child("worker-cpu", [*cli, "worker", "--queue", "cpu"], env, logs / "worker-cpu.log"),
    ]


def _prepare(settings: Settings) -> None:
    """Migrate the database, make the first admin and seed the network once, before the
    children start (so they never race to do it)."""
    from models.db import make_engine
    from services.factory import ensure_factory
    from services.suppliers import seed_suppliers
    from trendforge import dbmigrate
    from trendforge.stack import ensure_first_admin

    settings.resolved_jwt_secret()  # made once here, so the children never race to make it
    settings.resolved_payload_key()
    url = settings.resolved_database_url
    dbmigrate.upgrade(url)
    engine = make_engine(url)
    ensure_first_admin(engine, settings)
    seed_suppliers(engine, settings.supplier_count, settings.supplier_seed)
    ensure_factory(engine)
    engine.dispose()


def _wait_for_port(port: int, proc: Child, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not port_open("127.0.0.1", port):
        if why := proc.died():
            raise RuntimeError(f"{what} {why}; see {proc.log_path}")
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{what} did not answer within {timeout_s:.0f} s; see {proc.log_path}"
            )
        time.sleep(0.2)


def _tend(children: list[Child]) -> None:
    """Restart the children that died, each after its backoff."""
    now = time.monotonic()
    for c in children:
        why = c.died()
        if why is None:
            if c.failures and now - c.started_at > HEALTHY_AFTER_S:
                c.failures = 0
            continue
        if c.next_start == 0.0:  # just noticed
            delay = BACKOFF_S[min(c.failures, len(BACKOFF_S) - 1)]
            c.failures += 1
            c.next_start = now + delay
            c.history.append(why)
            log.warning(
                "%s %s; starting it again in %.0f s (see %s)", c.name, why, delay, c.log_path
            )
        elif now >= c.next_start:
            c.next_start = 0.0
            c.restarts += 1
            c.start()


def supervise(settings: Settings, poll_s: float = 0.5) -> None:
    """Run the stack under supervision until SIGINT/SIGTERM; then stop every child."""
    settings.temporal_tls()  # a bad TLS setting stops here, not in each restarted child
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stopping = False

    def stop(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    temporal: Child | None = None
    address, ui_url = settings.temporal_address, settings.temporal_ui_url
    if address is None:
        clear_stale_dev_server(settings)
        temporal = Child(
            "temporal", dev_server_command(settings), dict(os.environ),
            settings.data_dir / "temporal.log",
        )  # fmt: skip
        temporal.start()
        assert temporal.popen is not None
        _pid_file(settings).write_text(str(temporal.popen.pid))
        _wait_for_port(settings.temporal_port, temporal, "the Temporal dev server")
        address = f"127.0.0.1:{settings.temporal_port}"
        ui_url = f"http://127.0.0.1:{settings.temporal_ui_port}"
    _prepare(settings)
    children = _children(settings, address, ui_url)
    for c in children:
        c.start()
    print(
        "TrendForge is up (supervised):\n"
        f"  API and dashboard http://{settings.api_host}:{settings.api_port}\n"
        + (f"  Temporal UI {ui_url}\n" if ui_url else "")
        + f"  Temporal {address}; logs in {settings.data_dir}\nCtrl-C stops everything.",
        flush=True,
    )
    try:
        while not stopping:
            _tend(children + ([temporal] if temporal else []))
            time.sleep(poll_s)
    finally:
        for c in children:
            c.stop()
        if temporal is not None:
            temporal.stop()
            _pid_file(settings).unlink(missing_ok=True)
