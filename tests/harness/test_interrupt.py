"""Ctrl-C on a real run: SIGINT to the process group of a running parity session (what a
terminal sends) ends it within 10 s (promptly: 1.2-2 s here, loaded or not; once 5.7 s on a busy
CI run — a session that waits for its SDK work instead takes minutes) with pytest's interrupted summary, and no jflyte or
pyflyte-execute process of that session is left, nor the pyflyte-execute fork parent or any of
its children. The same with SIGINT to the pytest process alone (as `kill -INT <pid>` sends it):
then the SDK processes the case runner's workers started get no signal, and the session must end
them itself."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flyte_parity.sdk import launches
from flyte_parity.base import paths

SDK_MARKERS = (b"org.flyte.jflyte.Main", b"pyflyte-execute", b"flyte_parity.sdk.fork_parent")


def _session_processes(session: int) -> list[tuple[int, bytes]]:
    """(pid, command line) of the SDK processes whose session id is ``session``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        if int(fields[3]) == session and any(marker in cmdline for marker in SDK_MARKERS):
            found.append((int(entry.name), cmdline.replace(b"\0", b" ")[:120]))
    return found


@pytest.mark.parametrize("to", ["process group", "pytest process"])
def test_sigint_ends_the_session_and_leaves_no_sdk_process(to, tmp_path):
    # This session's own case work waits meanwhile: what is timed is the other session alone.
    with launches.held():
        _interrupt_a_session(to, tmp_path)


def _interrupt_a_session(to, tmp_path):
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--reports={tmp_path / 'reports'}",
               "tests/parity/test_modes.py", "-k", "entrypoint: or execute-local:"]
    session = subprocess.Popen(command, cwd=paths.REPO_ROOT, start_new_session=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while not _session_processes(session.pid) and session.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_processes(session.pid), "the session started no jflyte or pyflyte-execute process"
        time.sleep(0.5)
        if to == "process group":
            os.killpg(session.pid, signal.SIGINT)
        else:
            os.kill(session.pid, signal.SIGINT)
        sent = time.monotonic()
        output, _ = session.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
            session.wait()
    text = output.decode("utf-8", errors="replace")
    assert took <= 10, f"the session took {took:.1f} s to end after SIGINT:\n{text[-3000:]}"
    assert session.returncode == 2 and "KeyboardInterrupt" in text, text[-3000:]
    time.sleep(0.5)
    assert _session_processes(session.pid) == [], "SDK processes left running after Ctrl-C"
