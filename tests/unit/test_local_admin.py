"""The pure parts of the local FlyteAdmin: where the binaries come from, the config it writes, the
state it keeps (ports reused from one start to the next), how it finds and stops its processes, the
export lines for a shell, and `flyte-parity local-admin` on bad input.
Starting the real thing is tests/harness/test_local_admin.py."""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from flyte_parity import cli
from flyte_parity.services import local_admin
from flyte_parity.base.errors import UsageError
from flyte_parity.services import flyteadmin as admin_service
from flyte_parity.services import loopback, postgres, processes
from flyte_parity.services.postgres import Postgres


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


# The admin binary.

def test_flyteadmin_bin_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("FLYTEADMIN_BIN", str(_executable(tmp_path / "flyteadmin")))
    monkeypatch.setattr(admin_service, "TOOLS_BINARY", _executable(tmp_path / "tools-flyteadmin"))
    assert admin_service.admin_binary() == tmp_path / "flyteadmin"


def test_tools_binary_when_flyteadmin_bin_is_unset(monkeypatch, tmp_path):
    monkeypatch.delenv("FLYTEADMIN_BIN", raising=False)
    monkeypatch.setattr(admin_service, "TOOLS_BINARY", _executable(tmp_path / "flyteadmin"))
    assert admin_service.admin_binary() == tmp_path / "flyteadmin"


@pytest.mark.parametrize("value", ["/nonexistent/flyteadmin", "."])
def test_a_flyteadmin_bin_that_is_no_executable_is_named(monkeypatch, value):
    monkeypatch.setenv("FLYTEADMIN_BIN", value)
    with pytest.raises(UsageError) as err:
        admin_service.admin_binary()
    message = str(err.value)
    assert f"FLYTEADMIN_BIN={value}" in message and "make flyteadmin" in message and "\n" not in message


def test_no_binary_at_all_names_flyteadmin_bin_and_make_flyteadmin(monkeypatch, tmp_path):
    monkeypatch.delenv("FLYTEADMIN_BIN", raising=False)
    monkeypatch.setattr(admin_service, "TOOLS_BINARY", tmp_path / "absent")
    with pytest.raises(UsageError) as err:
        admin_service.admin_binary()
    message = str(err.value)
    assert "FLYTEADMIN_BIN" in message and "`make flyteadmin`" in message and "\n" not in message


# PostgreSQL's binaries and account.

def test_pg_bin_variable_without_postgres_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("FLYTE_PARITY_PG_BIN", str(tmp_path))
    with pytest.raises(UsageError, match="FLYTE_PARITY_PG_BIN=") as err:
        postgres.server_binaries()
    assert "\n" not in str(err.value)


def test_pg_bin_variable_with_both_binaries(monkeypatch, tmp_path):
    _executable(tmp_path / "postgres"), _executable(tmp_path / "initdb")
    monkeypatch.setenv("FLYTE_PARITY_PG_BIN", str(tmp_path))
    assert postgres.server_binaries() == tmp_path


def test_a_folder_above_the_run_folder_that_the_account_cannot_search_is_found(tmp_path):
    closed = tmp_path / "closed"
    (closed / "inner").mkdir(parents=True)
    data = closed / "inner" / "data"
    closed.chmod(0o600)  # no search bit for its owner (this account)
    try:
        assert postgres.unreachable(data, os.getuid(), os.getgid()) == closed
    finally:
        closed.chmod(0o700)
    assert postgres.unreachable(data, os.getuid(), os.getgid()) is None


def test_the_database_url_is_loopback_without_tls():
    database = Postgres(host="127.0.0.1", port=5555, user="postgres", data=Path("/d"), log=Path("/l"), pid=1)
    assert database.url == "postgresql://postgres@127.0.0.1:5555/postgres?sslmode=disable"


# The config admin gets.

def test_admin_yaml_is_yaml_with_loopback_database_local_storage_and_no_auth(tmp_path):
    database = Postgres(host="127.0.0.1", port=5555, user="postgres", data=tmp_path, log=tmp_path / "l", pid=1)
    config = admin_service.admin_config(http_port=1001, grpc_port=1002, profiler_port=1003, database=database,
                                        kube_config=tmp_path / "kubeconfig.yaml", storage=tmp_path / "store")
    written = yaml.safe_load(admin_service.write_yaml(tmp_path / "admin.yaml", config).read_text(encoding="utf-8"))
    assert written == config
    assert written["server"]["httpPort"] == 1001 and written["server"]["grpc"] == {"port": 1002}
    assert written["flyteadmin"]["profilerPort"] == 1003
    assert written["server"]["security"] == {"secure": False, "useAuth": False, "allowCors": False}
    assert written["server"]["kube-config"] == str(tmp_path / "kubeconfig.yaml")
    assert written["database"]["postgres"] == {"host": "127.0.0.1", "port": 5555, "username": "postgres",
                                               "password": "", "dbname": "flyteadmin", "options": "sslmode=disable"}
    assert written["storage"] == {"type": "stow", "stow": {"kind": "local", "config": {"path": str(tmp_path / "store")}},
                                  "container": "flyte"}


def test_the_kubeconfig_points_at_a_closed_loopback_port_only():
    config = admin_service.kubeconfig()
    assert [c["cluster"]["server"] for c in config["clusters"]] == ["http://127.0.0.1:1"]
    assert config["current-context"] in [c["name"] for c in config["contexts"]]


# Loopback ports.

def test_free_ports_are_distinct_and_free():
    ports = loopback.free_ports(3)
    assert len(set(ports)) == 3 and all(loopback.port_is_free(p) for p in ports)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert not loopback.port_is_free(port) and loopback.accepts(port)
    assert loopback.http_status(port, "/healthcheck", timeout=0.5) is None


# Processes: found by their run folder, stopped by process group.

def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def test_processes_of_finds_session_leaders_naming_the_folder_and_their_children(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    with open(tmp_path / "log", "w") as log:
        # A service: leads a session, names the folder, has a child that does not name it.
        service = processes.spawn(["sh", "-c", "sleep 60 & wait", str(folder / "admin.yaml")], cwd=folder, log=log,
                                  env={"PATH": os.environ["PATH"]})
        # Not a service: names the folder and works there, but leads no session (a pager, a shell).
        bystander = subprocess.Popen(["sh", "-c", "sleep 60", str(folder / "admin.log")], cwd=folder)
    try:
        assert _wait(lambda: len(processes.processes_of(folder)) == 2)
        found = processes.processes_of(folder)
        assert service.pid in found and bystander.pid not in found
        assert processes.processes_of(tmp_path / "ru") == []  # a prefix of the name is another folder
        processes.stop(service.pid, signal.SIGTERM, timeout=5, child=service)
        assert _wait(lambda: processes.processes_of(folder) == [])
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
        processes.stop(service.pid, signal.SIGKILL, timeout=0, child=service)


def test_stop_kills_the_whole_group_of_a_process_that_ignores_the_signal(tmp_path):
    with open(tmp_path / "log", "w") as log:
        stubborn = processes.spawn(["sh", "-c", "trap '' TERM; sleep 60 & wait; sleep 60", str(tmp_path)],
                                   cwd=tmp_path, log=log, env={"PATH": os.environ["PATH"]})
    assert _wait(lambda: len(processes.processes_of(tmp_path)) == 2)
    started = time.monotonic()
    processes.stop(stubborn.pid, signal.SIGTERM, timeout=0.5, child=stubborn)
    assert time.monotonic() - started < 5
    assert stubborn.returncode == -signal.SIGKILL
    assert _wait(lambda: processes.processes_of(tmp_path) == [])


def test_run_to_end_kills_what_runs_too_long(tmp_path):
    with open(tmp_path / "log", "w") as log:
        assert processes.run_to_end(["sh", "-c", "exit 3"], cwd=tmp_path, log=log, env={"PATH": os.environ["PATH"]},
                                    timeout=30) == 3
        started = time.monotonic()
        assert processes.run_to_end(["sh", "-c", "sleep 60", str(tmp_path)], cwd=tmp_path, log=log,
                                    env={"PATH": os.environ["PATH"]}, timeout=0.3) is None
    assert time.monotonic() - started < 5 and processes.processes_of(tmp_path) == []
    assert "==> sh -c exit 3" in (tmp_path / "log").read_text()


def test_uninterrupted_holds_ctrl_c_until_the_clean_up_is_done():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with processes.uninterrupted():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)
            done.append("clean-up finished")
    assert done == ["clean-up finished"]


def test_a_clean_up_inside_a_clean_up_leaves_ctrl_c_to_the_outer_one():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with processes.uninterrupted():
            with processes.uninterrupted():  # a service's stop inside local-admin's stop-and-sweep
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.1)
                done.append("stop")
            done.append("sweep")
    assert done == ["stop", "sweep"]


def test_a_ctrl_c_during_a_service_folders_removal_leaves_no_part_of_it(tmp_path, monkeypatch):
    import shutil
    folder = tmp_path / "data-plane"
    for number in range(50):
        (folder / f"d{number}").mkdir(parents=True)
        (folder / f"d{number}" / "file").write_bytes(b"x" * 1000)
    real = shutil.rmtree

    def interrupted_midway(path, *args, **kwargs):
        real(Path(path) / "d0")
        os.kill(os.getpid(), signal.SIGINT)  # a second Ctrl-C, as the removal runs
        time.sleep(0.05)
        real(path, *args, **kwargs)
    monkeypatch.setattr(shutil, "rmtree", interrupted_midway)
    with pytest.raises(KeyboardInterrupt):
        processes.remove_folder(folder)
    assert not folder.exists()


def test_alive_and_command_line_of_a_gone_process():
    child = subprocess.Popen(["true"])
    child.wait()
    assert not processes.alive(child.pid) and processes.command_line(child.pid) == []
    assert processes.alive(os.getpid()) and processes.command_line(os.getpid())


# State of `local-admin`.

def _state(folder: Path, supervisor: int) -> dict:
    return {"folder": str(folder), "supervisor": supervisor, "admin": 1, "postgres": 2, "grpc": "127.0.0.1:1002",
            "http": "http://127.0.0.1:1001", "project": "flytesnacks", "log": "l", "storage": "s", "started": 0.0}


def test_state_round_trip_and_platform_url(tmp_path):
    (tmp_path / "state.json").write_text(json.dumps(_state(tmp_path, 7)), encoding="utf-8")
    state = local_admin.read_state(tmp_path)
    assert state.platform_url == "FLYTE_PLATFORM_URL=127.0.0.1:1002"


@pytest.mark.parametrize("text", ["", "{", "[]", '{"folder": "x"}'])
def test_an_unreadable_state_is_no_state(tmp_path, text):
    (tmp_path / "state.json").write_text(text, encoding="utf-8")
    assert local_admin.read_state(tmp_path) is None and local_admin.running(tmp_path) is None


def test_a_state_whose_supervisor_is_gone_or_another_process_is_not_running(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    for pid in (gone.pid, os.getpid()):  # a dead pid; a live process that is no supervisor of this folder
        (tmp_path / "state.json").write_text(json.dumps(_state(tmp_path, pid)), encoding="utf-8")
        assert local_admin.running(tmp_path) is None


def _running(folder: Path, **ports: int) -> local_admin.State:
    return local_admin.State(**{**_state(folder, 7), "storage": str(folder / "store"), "ports": ports})


# What a shell needs: export lines for eval.

def test_the_environment_names_the_grpc_address_insecure_and_a_staging_folder_inside_admins_storage(tmp_path):
    environment = _running(tmp_path).environment()
    assert environment == {"FLYTE_PLATFORM_URL": "127.0.0.1:1002", "FLYTE_PLATFORM_INSECURE": "true",
                           "FLYTE_STAGING_LOCATION": (tmp_path / "store" / "flyte" / "jvm-staging").as_uri()}
    assert environment["FLYTE_STAGING_LOCATION"].startswith("file:///")


def test_export_lines_one_per_variable_values_quoted_only_when_needed():
    assert local_admin.export_lines({"A": "127.0.0.1:80", "B": "true", "C": "file:///tmp/x"}) == (
        "export A=127.0.0.1:80\nexport B=true\nexport C=file:///tmp/x\n")
    assert local_admin.export_lines({"A": "a b"}) == "export A='a b'\n"
    assert local_admin.export_lines({}) == ""


def test_bash_eval_of_export_lines_gives_the_values_back_unchanged():
    values = {"ONE": "file:///tmp/a b", "TWO": "it's $HOME; `true` \\ \"x\"", "THREE": ""}
    shown = subprocess.run(["bash", "-c", 'eval "$1" && printf "%s\\0" "$ONE" "$TWO" "$THREE"', "bash",
                            local_admin.export_lines(values)], capture_output=True, text=True, check=True,
                           env={"PATH": os.environ["PATH"]})
    assert shown.stdout.split("\0")[:3] == list(values.values())


# Ports: remembered in the state file, asked for again while free.

def test_a_running_state_and_a_stopped_one_both_remember_the_ports(tmp_path):
    ports = {"postgres": 5001, "http": 5002, "grpc": 5003, "profiler": 5004}
    (tmp_path / "state.json").write_text(json.dumps({**_state(tmp_path, 7), "ports": ports}), encoding="utf-8")
    assert local_admin.read_state(tmp_path).ports == ports and local_admin.remembered_ports(tmp_path) == ports
    (tmp_path / "state.json").write_text(json.dumps({"ports": ports}), encoding="utf-8")
    assert local_admin.read_state(tmp_path) is None and local_admin.remembered_ports(tmp_path) == ports


@pytest.mark.parametrize("text", ["", "[]", '{"ports": [1]}', '{"ports": {"grpc": "80", "http": true, '
                                                               '"profiler": 70000, "other": 81}}'])
def test_unusable_ports_are_not_remembered(tmp_path, text):
    (tmp_path / "state.json").write_text(text, encoding="utf-8")
    assert local_admin.remembered_ports(tmp_path) == {}


def test_stop_cuts_a_stale_state_down_to_its_ports(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    ports = {"postgres": 5001, "grpc": 5003}
    (tmp_path / "state.json").write_text(json.dumps({**_state(tmp_path, gone.pid), "ports": ports}), encoding="utf-8")
    assert local_admin.stop(tmp_path) is False
    assert json.loads((tmp_path / "state.json").read_text(encoding="utf-8")) == {"ports": ports}
    (tmp_path / "state.json").write_text(json.dumps(_state(tmp_path, gone.pid)), encoding="utf-8")  # no ports
    local_admin.stop(tmp_path)
    assert not (tmp_path / "state.json").exists()


def _fresh(*ports: int):
    return lambda count: list(ports[:count])


def test_choose_ports_keeps_every_wished_port_that_is_free():
    assert loopback.choose_ports([8001, 8002, 8003], lambda port: True, _fresh()) == [8001, 8002, 8003]


def test_choose_ports_takes_a_fresh_port_in_place_of_a_taken_or_unknown_one():
    taken = {8002}
    chosen = loopback.choose_ports([8001, 8002, None], lambda port: port not in taken, _fresh(9001, 9002, 9003, 9004))
    assert chosen == [8001, 9001, 9002]


def test_choose_ports_never_hands_out_a_port_twice():
    # The system may offer a kept port as a fresh one (it is free); a doubled wish counts once.
    assert loopback.choose_ports([8001, None], lambda port: True, _fresh(8001, 9001)) == [8001, 9001]
    assert loopback.choose_ports([8001, 8001], lambda port: True, _fresh(8001, 9001)) == [8001, 9001]


def test_moved_ports_names_each_remembered_port_now_another():
    before = {"postgres": 5001, "http": 5002, "grpc": 5003}
    assert local_admin.moved_ports(before, {**before, "profiler": 5004}) == []
    assert local_admin.moved_ports(before, {"postgres": 5001, "http": 6002, "grpc": 6003}) == [
        "http 5002 -> 6002", "grpc 5003 -> 6003"]
    assert local_admin.moved_ports({}, {"grpc": 6003}) == []


def test_wished_ports_are_kept_while_free_and_each_handed_out_once():
    wished = loopback.free_ports(3, bind="0.0.0.0")
    assert loopback.ports_for(wished, bind="0.0.0.0") == wished
    assert len(set(loopback.ports_for([wished[0], wished[0], None]))) == 3


def test_a_remembered_port_in_use_is_replaced_by_a_free_one():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        http, grpc, profiler = loopback.ports_for([None, port, None], bind="0.0.0.0")
        assert grpc != port and len({http, grpc, profiler}) == 3
        assert all(loopback.port_is_free(p, bind="0.0.0.0") for p in (http, grpc, profiler))


# `flyte-parity local-admin start` and `status --env`: export lines on stdout, people's text on stderr.

def test_cli_start_prints_export_lines_on_stdout_and_says_which_ports_moved(monkeypatch, tmp_path, capsys):
    (tmp_path / "state.json").write_text(json.dumps({"ports": {"grpc": 5003, "http": 1001}}), encoding="utf-8")
    state = _running(tmp_path, grpc=1002, http=1001)
    monkeypatch.setattr(local_admin, "start", lambda folder: (state, True))
    assert cli.main(["local-admin", "start", "--dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == local_admin.export_lines(state.environment()) and out.count("\n") == 3
    assert "grpc 5003 -> 1002" in err and "http" not in err.split("\n")[0] and "local FlyteAdmin started" in err


def test_cli_status_env_prints_the_same_export_lines(monkeypatch, tmp_path, capsys):
    state = _running(tmp_path)
    monkeypatch.setattr(local_admin, "running", lambda folder: state)
    monkeypatch.setattr(local_admin.State, "healthy", lambda self: True)
    assert cli.main(["local-admin", "status", "--env", "--dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out == local_admin.export_lines(state.environment()) and err.startswith("running, healthy: ")
    assert cli.main(["local-admin", "status", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("running, healthy: FLYTE_PLATFORM_URL=127.0.0.1:1002")


def test_cli_status_env_when_nothing_runs_prints_nothing_to_eval(tmp_path, capsys):
    assert cli.main(["local-admin", "status", "--env", "--dir", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("not running")


def test_cli_stop_env_exits_2(tmp_path, capsys):
    assert cli.main(["local-admin", "stop", "--env", "--dir", str(tmp_path)]) == 2
    assert "--env goes with start or status" in capsys.readouterr().err


# `flyte-parity local-admin` on bad input: exit 2, one line, nothing started.

def test_cli_start_without_a_binary_exits_2_with_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("FLYTEADMIN_BIN", str(tmp_path / "absent"))
    assert cli.main(["local-admin", "start", "--dir", str(tmp_path / "run")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "FLYTEADMIN_BIN" in err and "make flyteadmin" in err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("action", ["start", "status", "stop"])
def test_cli_dir_that_is_a_file_exits_2(tmp_path, capsys, action):
    (tmp_path / "file").write_text("", encoding="utf-8")
    assert cli.main(["local-admin", action, "--dir", str(tmp_path / "file")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "is a file, not a folder" in err


def test_cli_unknown_action_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["local-admin", "restart"])
    assert exit_.value.code == 2 and "invalid choice: 'restart'" in capsys.readouterr().err


def test_cli_status_and_stop_when_nothing_runs(tmp_path, capsys):
    assert cli.main(["local-admin", "status", "--dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out == f"not running ({tmp_path.resolve()})\n"
    assert cli.main(["local-admin", "stop", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"not running ({tmp_path.resolve()})\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="PostgreSQL runs as another account only under root")
def test_cli_start_in_a_folder_postgres_cannot_reach_exits_2_before_starting_anything(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("FLYTEADMIN_BIN", str(_executable(tmp_path / "flyteadmin")))
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    try:
        postgres.server_binaries()
    except UsageError as err:
        pytest.skip(str(err))
    assert cli.main(["local-admin", "start", "--dir", str(closed / "run")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "chmod o+x" in err
    assert not (closed / "run").exists()
