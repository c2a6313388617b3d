"""The lifecycle every local service goes through (services.lifecycle), with small real processes on
127.0.0.1: ready, dead before ready, too slow, and gone afterwards however the block ends; and the
backends of ``--flyte-backend``, one context manager class each (the local one, which starts a real
admin, is tests/parity/test_local_admin.py's business)."""

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services import backends, loopback, processes
from flyte_parity.services.lifecycle import Service, step
from flyte_parity.services.processes import ServiceError

# Listens on 127.0.0.1:<argv[1]> after a moment, then idles; argv[2] is the run folder (see processes_of).
SERVER = ("import socket, sys, time; time.sleep(0.3); s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); "
          "s.listen(); print('listening', flush=True); time.sleep(60)")
# Says it is ready, then ignores SIGTERM.
STUBBORN = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
            "time.sleep(60)")
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _service(folder: Path, code: str, *arguments: str, **options) -> Service:
    options.setdefault("ready", lambda process: False)
    options.setdefault("timeout", 30.0)
    return Service("the test server", [sys.executable, "-c", code, *arguments, str(folder)], cwd=folder,
                   log=folder / "server.log", env=ENV, interval=0.05, **options)


def _logged(folder: Path, line: str):
    """A probe: the server wrote ``line`` (the log's first line, the command, names it too)."""
    return lambda process: line in (folder / "server.log").read_text(encoding="utf-8").splitlines()


def _gone(folder: Path, service: Service) -> bool:
    return service.process.poll() is not None and processes.processes_of(folder) == []


def test_the_block_runs_once_the_probe_passes_and_nothing_is_left_after_it(tmp_path):
    (port,) = loopback.free_ports(1)
    server = _service(tmp_path, SERVER, str(port), ready=lambda process: loopback.accepts(port))
    with server as running:
        assert running is server and loopback.accepts(port) and processes.alive(server.pid)
        assert "listening" in (tmp_path / "server.log").read_text(encoding="utf-8")
    assert _gone(tmp_path, server) and loopback.port_is_free(port)
    assert (tmp_path / "server.log").read_text(encoding="utf-8").startswith(f"==> {sys.executable} -c ")


def test_the_note_is_the_log_line_before_the_output(tmp_path):
    with _service(tmp_path, STUBBORN, note="stubborn on 127.0.0.1", ready=_logged(tmp_path, "ready"), grace=0.2):
        pass
    assert (tmp_path / "server.log").read_text(encoding="utf-8").splitlines()[:2] == ["==> stubborn on 127.0.0.1",
                                                                                       "ready"]


def test_a_process_that_dies_before_it_is_ready_is_one_error_with_the_log_tail(tmp_path):
    server = _service(tmp_path, "import sys; print('boom: no such table', flush=True); sys.exit(3)")
    with pytest.raises(ServiceError) as err:
        with server:
            pytest.fail("the block ran")
    message = str(err.value)
    assert message.startswith(f"the test server exited (3) while starting; {tmp_path / 'server.log'}:\n")
    assert message.endswith("boom: no such table")
    assert err.value.__cause__ is None and err.value.__context__ is None
    assert _gone(tmp_path, server)


def test_a_process_not_ready_in_time_is_stopped_and_named(tmp_path):
    server = _service(tmp_path, "import time; print('still migrating', flush=True); time.sleep(60)", timeout=1.0)
    started = time.monotonic()
    with pytest.raises(ServiceError) as err:
        with server:
            pytest.fail("the block ran")
    assert time.monotonic() - started < 10
    message = str(err.value)
    assert message.startswith("the test server not ready after 1 s; ") and message.endswith("still migrating")
    assert _gone(tmp_path, server)


@pytest.mark.parametrize("raised", [RuntimeError, KeyboardInterrupt])
def test_an_exception_inside_the_block_stops_the_process_and_goes_on(tmp_path, raised):
    (port,) = loopback.free_ports(1)
    server = _service(tmp_path, SERVER, str(port), ready=lambda process: loopback.accepts(port))
    with pytest.raises(raised):
        with server:
            raise raised("inside")
    assert _gone(tmp_path, server) and loopback.port_is_free(port)


def test_ctrl_c_while_waiting_stops_the_process(tmp_path):
    def interrupted(process):
        raise KeyboardInterrupt

    server = _service(tmp_path, "import time; time.sleep(60)", ready=interrupted)
    with pytest.raises(KeyboardInterrupt):
        with server:
            pytest.fail("the block ran")
    assert _gone(tmp_path, server)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    server = _service(tmp_path, STUBBORN, ready=_logged(tmp_path, "ready"), grace=0.5)
    with server:
        started = time.monotonic()
    assert time.monotonic() - started < 5
    assert server.process.returncode == -signal.SIGKILL and _gone(tmp_path, server)


def test_the_stop_signal_is_the_services_own(tmp_path):
    server = _service(tmp_path, "import time; print('ready', flush=True); time.sleep(60)",
                      ready=_logged(tmp_path, "ready"), stop_signal=signal.SIGINT)
    with server:
        pass
    assert server.process.returncode == -signal.SIGINT  # Python ends itself by the signal after KeyboardInterrupt


def test_start_wait_and_stop_one_by_one_for_a_service_that_outlives_its_starter(tmp_path):
    server = _service(tmp_path, STUBBORN, ready=_logged(tmp_path, "ready"), grace=0.2).start()
    try:
        assert server.wait() is server
        time.sleep(0.2)
        assert processes.alive(server.pid)
    finally:
        server.stop()
    assert _gone(tmp_path, server)
    server.stop()  # stopping twice is harmless


def test_step_runs_a_command_to_its_end_or_names_how_it_failed(tmp_path):
    log = tmp_path / "prepare.log"
    step("initdb", ["sh", "-c", "echo initialised"], cwd=tmp_path, log=log, env=ENV, timeout=30)
    with pytest.raises(ServiceError) as failed:
        step("migrate", ["sh", "-c", "echo 'relation missing'; exit 4"], cwd=tmp_path, log=log, env=ENV, timeout=30)
    assert str(failed.value).startswith(f"migrate failed (exit 4); {log}:\n")
    assert str(failed.value).endswith("relation missing")
    with pytest.raises(ServiceError, match=r"^seed failed \(timed out\)"):
        step("seed", ["sh", "-c", "sleep 60", str(tmp_path)], cwd=tmp_path, log=log, env=ENV, timeout=0.3)
    assert processes.processes_of(tmp_path) == []
    assert "initialised" in log.read_text(encoding="utf-8")


# Backends: one context manager class per --flyte-backend name.

def test_every_backend_name_has_its_class():
    assert backends.BACKENDS == ("local-cluster", "local", "remote", "sandbox")
    assert {name: kind.__name__ for name, kind in backends.KINDS.items()} == {
        "local-cluster": "LocalClusterBackend", "local": "LocalBackend", "remote": "RemoteBackend",
        "sandbox": "SandboxBackend"}
    assert all(kind.name == name for name, kind in backends.KINDS.items())
    assert isinstance(backends.backend("local"), backends.LocalBackend)  # nothing starts before `with`


def test_an_unknown_backend_is_a_usage_error_naming_the_choices():
    with pytest.raises(UsageError, match=r"^unknown --flyte-backend 'k8s'; use one of local-cluster, local, remote, sandbox$"):
        backends.backend("k8s")


def test_each_run_has_its_own_id():
    assert backends.RemoteBackend().run != backends.RemoteBackend().run
    assert backends.RemoteBackend().run.startswith("parity-")


def test_remote_reads_the_environment_and_targets_a_version_per_side(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    (tmp_path / ".env.local").write_text("FLYTE_PLATFORM_URL=127.0.0.1:30080\nFLYTE_PARITY_PROJECT=mine\n",
                                         encoding="utf-8")
    monkeypatch.delenv("FLYTE_PLATFORM_URL", raising=False)
    monkeypatch.delenv("FLYTE_PARITY_PROJECT", raising=False)
    monkeypatch.setenv("FLYTE_STAGING_LOCATION", "file:///tmp/staging")
    with backends.backend("remote") as remote:
        assert (remote.name, remote.address, remote.project, remote.staging) == (
            "remote", "127.0.0.1:30080", "mine", "file:///tmp/staging")
        target = remote.target("jvm")
        assert target.version == f"{remote.run}-jvm" and remote.target("python").version == f"{remote.run}-python"


def test_remote_without_an_address_says_what_it_needs(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    monkeypatch.delenv("FLYTE_PLATFORM_URL", raising=False)
    monkeypatch.delenv("FLYTE_STAGING_LOCATION", raising=False)
    with pytest.raises(UsageError, match="needs FLYTE_PLATFORM_URL") as err:
        with backends.backend("remote"):
            pytest.fail("the block ran")
    assert "\n" not in str(err.value)


def test_sandbox_without_a_docker_engine_says_so_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    with pytest.raises(backends.BackendUnavailable) as err:
        with backends.backend("sandbox"):
            pytest.fail("the block ran")
    message = str(err.value)
    assert message.startswith("--flyte-backend=sandbox needs a Docker engine (none answers at unix://")
    assert "\n" not in message and "--flyte-backend=local-cluster" in message
