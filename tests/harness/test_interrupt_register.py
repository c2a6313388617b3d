"""Ctrl-C during registration: SIGINT to the process group of a running register session (what a
terminal sends), while jflyte or pyflyte is registering into the session's FlyteAdmin, ends the
session with pytest's interrupted summary and leaves no flyteadmin, postgres, jflyte or pyflyte
process. Admin and PostgreSQL run in sessions of their own (a terminal's Ctrl-C never reaches
them), so they are found by the run folder the session created."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.services.flyteadmin import admin_binary
from flyte_parity.base.errors import UsageError

REGISTERING = (b"org.flyte.jflyte.Main", b"pyflyte")
SERVICES = ("flyteadmin", "postgres")
PREFIX = "flyte-parity-admin-"


def _processes():
    """(pid, exe name, cwd, command line) of every process readable in /proc."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_bytes()
            exe = Path(os.readlink(entry / "exe")).name
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        session = int(stat[stat.rindex(b")") + 2:].split()[3])
        yield int(entry.name), exe, cwd, cmdline.replace(b"\0", b" "), session


def _registering(session: int) -> list[str]:
    return [f"{pid} {line[:100]!r}" for pid, _, _, line, sid in _processes()
            if sid == session and b"register" in line and any(m in line for m in REGISTERING)]


def _services_in(folders: set[str]) -> list[str]:
    """flyteadmin and postgres processes working in, or naming, one of ``folders``."""
    found = []
    for pid, exe, cwd, line, _ in _processes():
        text = line.decode("utf-8", "replace")
        if exe in SERVICES and any(cwd.startswith(f) or f in text for f in folders):
            found.append(f"{pid} {exe} {text[:100]}")
    return found


def _admin_folders() -> set[str]:
    return {str(p) for p in Path(tempfile.gettempdir()).glob(PREFIX + "*")}


def test_sigint_during_registration_leaves_no_admin_postgres_or_sdk_process(tmp_path):
    try:
        admin_binary()
    except UsageError as err:
        pytest.skip(str(err))
    before = _admin_folders()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--reports={tmp_path / 'reports'}",
               "--flyte-backend=local", "tests/parity/test_modes.py", "-k", "register:"]  # the data plane's: test_data_plane
    session = subprocess.Popen(command, cwd=paths.REPO_ROOT, start_new_session=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ours: set[str] = set()
    try:
        deadline = time.monotonic() + 300
        while not _registering(session.pid) and session.poll() is None and time.monotonic() < deadline:
            ours |= _admin_folders() - before
            time.sleep(0.05)
        ours |= _admin_folders() - before
        assert _registering(session.pid), "the session started no jflyte or pyflyte registration"
        assert ours and _services_in(ours), "no FlyteAdmin or PostgreSQL of the session was found running"
        os.killpg(session.pid, signal.SIGINT)
        output, _ = session.communicate(timeout=120)
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
            session.wait()
    text = output.decode("utf-8", errors="replace")
    assert session.returncode == 2 and "KeyboardInterrupt" in text, text[-3000:]
    deadline = time.monotonic() + 10  # PostgreSQL's backends end on their own once the postmaster is gone
    while (_services_in(ours) or _registering(session.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _registering(session.pid) == [], "jflyte or pyflyte left running after Ctrl-C"
    assert _services_in(ours) == [], "FlyteAdmin or PostgreSQL left running after Ctrl-C"
    assert not any(Path(folder).exists() for folder in ours), "the admin's run folder was left behind"
