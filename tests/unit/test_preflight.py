"""The preflight: every missing part at once, one line each with its fix, exit 2; a part needed
only by some modes can be left out with them; it runs on the standard library alone."""

import os
import subprocess
import sys

import pytest

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.modes import registry
from flyte_parity.modes.run import NEEDS as SESSION_NEEDS
from flyte_parity.services import preflight


def test_every_need_a_mode_declares_has_parts_to_check_and_a_session_to_provide_it():
    declared = {need for mode in registry.modes() for need in mode.needs}
    assert declared <= set(preflight.NEEDS) == set(SESSION_NEEDS)


def test_leaving_out_a_need_leaves_out_the_needs_that_come_only_with_it():
    for mode in registry.modes():
        for need, implied in preflight.LEAVES_OUT.items():
            if implied & set(mode.needs):
                assert need in mode.needs, f"mode {mode.name} needs {implied} without {need}"


EVERY_NEED = {"admin", "flytectl", "cluster"}


@pytest.mark.parametrize("text, needs", [("", set()), ("flytectl", {"flytectl"}), ("cluster", {"cluster"}),
                                         ("admin", EVERY_NEED), ("admin,flytectl", EVERY_NEED),
                                         (" admin  flytectl ", EVERY_NEED), ("cluster flytectl", {"cluster", "flytectl"})])
def test_needs_are_read_from_commas_or_spaces(text, needs):
    assert preflight.parse_needs(text) == needs


def test_an_unknown_need_is_refused_naming_the_known_ones():
    with pytest.raises(UsageError, match="--without takes admin, flytectl, cluster, not sandbox"):
        preflight.parse_needs("sandbox")


@pytest.fixture
def bare(monkeypatch, tmp_path):
    """A machine with no PostgreSQL binaries and knobs naming no Flyte or Kubernetes binaries (a knob
    that is set is never built over)."""
    for knob in ("FLYTEADMIN_BIN", "FLYTECTL_BIN", "FLYTEPROPELLER_BIN", "DATACATALOG_BIN"):
        monkeypatch.setenv(knob, str(tmp_path / "none"))
    monkeypatch.setenv("KUBERNETES_BIN_DIR", str(tmp_path))
    monkeypatch.setenv("FLYTE_PARITY_PG_BIN", str(tmp_path))
    return tmp_path


def test_each_missing_part_is_one_line_naming_its_fix(bare):
    lines = preflight.missing({"cluster"})  # the cluster's other parts (root, Debian packages) depend on the host
    assert [line.split(":")[0] for line in lines] == ["PostgreSQL", "FlyteAdmin", "flytectl"]
    assert all("\n" not in line for line in lines)
    assert "FLYTEADMIN_BIN" in lines[1] and "`make parity WITHOUT=admin`" in lines[1]
    assert "FLYTECTL_BIN" in lines[2] and "`make parity WITHOUT=flytectl`" in lines[2]


def test_leaving_out_the_modes_that_need_them_leaves_out_their_parts(bare):
    assert preflight.missing(preflight.parse_needs("admin")) == []
    assert [line.split(":")[0] for line in preflight.missing({"flytectl", "cluster"})] == ["PostgreSQL", "FlyteAdmin"]


def test_the_data_planes_binaries_are_one_line_each_naming_their_knob(bare):
    lines = {line.split(":")[0]: line for line in preflight.need_missing("cluster")}
    assert "FLYTEPROPELLER_BIN" in lines["FlytePropeller"] and "DATACATALOG_BIN" in lines["datacatalog"]
    assert all("\n" not in line for line in lines.values())


def test_a_flytekit_java_source_that_is_not_there_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(preflight.paths, "JVM_DIR", tmp_path)  # no checked-out submodule
    monkeypatch.delenv("FLYTEKIT_JAVA_VERSION", raising=False)
    monkeypatch.setenv("FLYTEKIT_JAVA_GIT", str(tmp_path / "no-bundle"))
    assert "FLYTEKIT_JAVA_GIT=" in preflight._flytekit_java() and "does not exist" in preflight._flytekit_java()
    monkeypatch.setenv("FLYTEKIT_JAVA_VERSION", "0.3.20")
    assert preflight._flytekit_java() is None


def test_the_command_runs_on_the_system_python_and_says_everything_at_once(tmp_path):
    env = {**os.environ, "FLYTEADMIN_BIN": str(tmp_path / "none"), "FLYTECTL_BIN": str(tmp_path / "none"),
           "PYTHONNOUSERSITE": "1"}
    code = ("import sys; sys.modules['flyteidl'] = None; sys.modules['grpc'] = None; "  # no third-party package
            "from flyte_parity.services.preflight import main; sys.exit(main())")
    result = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert any(line.startswith("flyte-parity: missing FlyteAdmin: ") for line in lines), result.stderr
    assert any(line.startswith("flyte-parity: missing flytectl: ") for line in lines), result.stderr
    assert lines[-1].endswith("part(s) missing; nothing was built or run")
    without = subprocess.run([sys.executable, "-m", "flyte_parity.services.preflight", "--without", "admin flytectl"],
                             cwd=paths.REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert without.returncode == 0, without.stderr
    assert "leaving out the modes that need admin, cluster, flytectl" in without.stdout
