"""tool_build: which binaries a run needs, that knobs and .tools/bin win over building, one line and
exit 2 when the source cannot be had, and no half-written binary or checkout left behind. Every
test works in a temporary tools folder (never the checkout's .tools) and builds with a stand-in
``go`` (no network, no compiler)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.services import preflight, tool_build

KNOBS = ("FLYTEADMIN_BIN", "FLYTECTL_BIN", "FLYTEPROPELLER_BIN", "DATACATALOG_BIN", "KUBERNETES_BIN_DIR", "MINIO_BIN",
         "FLYTE_GIT")
KUBERNETES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "pause"]
FLYTE = ["flyteadmin", "flytectl", "flytepropeller", "datacatalog"]


def _executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """No knob set, an empty tools folder, and a stand-in `go` (and gcc) first on PATH."""
    for knob in KNOBS:
        monkeypatch.delenv(knob, raising=False)
    fake_bin = tmp_path / "fake-bin"
    _executable(fake_bin / "go")
    _executable(fake_bin / "gcc")
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    return tmp_path / "tools"


@pytest.mark.parametrize("without, names", [
    ("", FLYTE + KUBERNETES + ["minio"]),
    ("flytectl", ["flyteadmin", "flytepropeller", "datacatalog"] + KUBERNETES + ["minio"]),
    ("cluster", ["flyteadmin", "flytectl"]),
    ("cluster,flytectl", ["flyteadmin"]),
    ("admin", []),  # every other need comes with a FlyteAdmin
])
def test_the_binaries_a_run_needs_follow_its_needs(without, names):
    assert [b.name for b in tool_build.needed(without)] == names


def test_the_needs_are_the_preflights():
    assert {b.need for b in tool_build.BINARIES} == set(preflight.NEEDS)
    with pytest.raises(UsageError, match="--without takes"):
        tool_build.needed("sandbox")


def test_only_takes_binaries_or_groups():
    assert [b.name for b in tool_build.needed("", "kubernetes")] == KUBERNETES
    assert [b.name for b in tool_build.needed("", "flyte")] == FLYTE
    assert [b.name for b in tool_build.needed("", "flyteadmin pause")] == ["flyteadmin", "pause"]
    assert tool_build.needed("cluster", "kubernetes") == []
    assert [b.name for b in tool_build.needed("", "minio")] == ["minio"]
    with pytest.raises(UsageError, match="--only takes flyte, kubernetes, minio, flyteadmin"):
        tool_build.needed("", "etcd")


def test_knobs_and_tools_bin_win_over_building(machine, monkeypatch, tmp_path):
    _executable(machine / "bin" / "flyteadmin")
    (machine / "bin" / "flytectl").write_text("not executable")
    (machine / "bin" / "kubelet.xz").write_bytes(b"")  # Kubernetes' commands may be kept compressed
    monkeypatch.setenv("DATACATALOG_BIN", str(tmp_path / "anything"))  # set: the user's choice, even if wrong
    everything = tool_build.needed("")
    assert [b.name for b in tool_build.to_build(everything, machine)] == [
        "flytectl", "flytepropeller", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "pause", "minio"]
    monkeypatch.setenv("KUBERNETES_BIN_DIR", str(tmp_path))
    monkeypatch.setenv("MINIO_BIN", str(tmp_path / "minio"))
    assert [b.name for b in tool_build.to_build(everything, machine)] == ["flytectl", "flytepropeller"]


def test_a_second_run_with_everything_there_does_nothing_in_one_line(machine, monkeypatch, capsys):
    for binary in tool_build.BINARIES:
        _executable(machine / "bin" / binary.name)

    def never(*args, **kwargs):
        raise AssertionError("nothing is fetched or built")
    monkeypatch.setattr(tool_build.subprocess, "run", never)
    monkeypatch.setattr(tool_build.subprocess, "Popen", never)
    started = time.monotonic()
    assert tool_build.main(["--tools", str(machine)]) == 0
    assert time.monotonic() - started < 0.5
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["==> binaries: all 10 the run needs are here (10 in .tools/bin); nothing to build"]


@pytest.mark.parametrize("source", ["/nonexistent/flyte", "file:///nonexistent/flyte"])
def test_an_unreachable_source_is_one_line_and_exit_2_leaving_nothing(machine, monkeypatch, capsys, source):
    monkeypatch.setenv("FLYTE_GIT", source)
    assert tool_build.main(["--tools", str(machine)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("flyte-parity: cannot build flyteadmin, flytectl, flytepropeller, datacatalog: "
                               "cannot fetch v1.16.8 from ")
    assert "does not appear to be a git repository" in lines[0]
    assert lines[0].endswith("; set FLYTEADMIN_BIN, FLYTECTL_BIN, FLYTEPROPELLER_BIN, DATACATALOG_BIN to built "
                             "binaries (or FLYTE_GIT to a reachable flyteorg/flyte clone, mirror or bundle)")
    assert not machine.exists()


def test_credentials_in_a_source_url_are_never_shown(machine, monkeypatch, capsys):
    monkeypatch.setenv("FLYTE_GIT", "file://someone:s3cret@/nonexistent/flyte")
    assert tool_build.main(["--tools", str(machine), "--only", "flyteadmin"]) == 2
    captured = capsys.readouterr()
    assert "s3cret" not in captured.out + captured.err
    assert tool_build.redact("https://user:token@example.org/x.git") == "https://***@example.org/x.git"


def test_without_go_nothing_is_tried_and_the_line_names_the_knobs(machine, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert tool_build.main(["--tools", str(machine), "--without", "flytectl"]) == 2
    line, = capsys.readouterr().err.splitlines()
    assert line == ("flyte-parity: cannot build flyteadmin, flytepropeller, datacatalog, kube-apiserver, "
                    "kube-controller-manager, kube-scheduler, kubelet, pause, minio: it needs Go 1.26+ (`go`) on PATH; "
                    "set FLYTEADMIN_BIN, FLYTEPROPELLER_BIN, DATACATALOG_BIN, MINIO_BIN to built binaries and "
                    "KUBERNETES_BIN_DIR to a folder of built Kubernetes binaries and pause")
    assert not machine.exists()


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def upstream(tmp_path):
    """A repository with a tag v1.16.8 (not Flyte's commit) and a module folder per Flyte command."""
    repo = tmp_path / "upstream"
    for name in FLYTE:
        (repo / name).mkdir(parents=True)
        (repo / name / "go.mod").write_text(f"module example.org/{name}\n")
    _git("init", "-q", cwd=repo)
    _git("add", ".", cwd=repo)
    _git("commit", "-q", "-m", "v1.16.8", cwd=repo)
    _git("tag", "v1.16.8", cwd=repo)
    return repo, _git("rev-parse", "HEAD", cwd=repo)


def test_a_source_whose_tag_is_another_commit_is_refused_and_removed(machine, upstream, capsys):
    repo, commit = upstream
    with pytest.raises(tool_build.BuildFailed, match=f"v1.16.8 from {repo} is commit {commit}, not "
                                                     f"{tool_build.FLYTE_COMMIT}"):
        tool_build.flyte_source(machine, str(repo), tool_build.needed("", "flyteadmin"), sys.stdout)
    assert not machine.exists()


@pytest.mark.parametrize("kind", ["clone", "bundle"])
def test_the_source_is_fetched_once_from_a_clone_or_bundle(machine, upstream, monkeypatch, kind, tmp_path):
    repo, commit = upstream
    monkeypatch.setattr(tool_build, "FLYTE_COMMIT", commit)
    source = repo
    if kind == "bundle":
        source = tmp_path / "flyte.bundle"
        _git("bundle", "create", str(source), "--all", cwd=repo)
    binaries = tool_build.needed("", "flyte")
    checkout = tool_build.flyte_source(machine, str(source), binaries, sys.stdout)
    assert checkout == machine / "src" / "flyte-v1.16.8" and (checkout / "flyteadmin" / "go.mod").is_file()
    assert sorted(p.name for p in (machine / "src").iterdir()) == ["flyte-v1.16.8"]
    monkeypatch.setattr(tool_build, "_remote", lambda value: pytest.fail("a kept checkout is not fetched again"))
    assert tool_build.flyte_source(machine, str(source), binaries, sys.stdout) == checkout


def _fake_go(script: str) -> None:
    """A `go` that runs ``script`` (sh) with $out the -o argument."""
    go = Path(os.environ["PATH"].split(os.pathsep)[0]) / "go"
    _executable(go, "#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=$2; shift; done\n" + script)


def _checkout(machine: Path) -> Path:
    checkout = machine / "src" / "flyte-v1.16.8"
    for name in FLYTE:
        (checkout / name).mkdir(parents=True, exist_ok=True)
    return checkout


def test_a_build_is_renamed_into_place_only_when_it_succeeded(machine, capsys):
    admin, = tool_build.needed("", "flyteadmin")
    _fake_go("echo half > \"$out\"; echo 'cmd/main.go:3:1: syntax error' >&2; exit 1\n")
    with pytest.raises(tool_build.BuildFailed, match=r"cannot build flyteadmin: go build failed \(exit 1: "
                                                     r"cmd/main.go:3:1: syntax error; log: .*flyteadmin.log\); "
                                                     r"set FLYTEADMIN_BIN to a built flyteadmin$"):
        tool_build.build_flyte(admin, _checkout(machine), machine, sys.stdout)
    assert sorted(p.name for p in (machine / "bin").iterdir()) == []
    _fake_go("echo built > \"$out\"\n")
    assert tool_build.build_flyte(admin, _checkout(machine), machine, sys.stdout) == machine / "bin" / "flyteadmin"
    assert sorted(p.name for p in (machine / "bin").iterdir()) == ["flyteadmin"]
    assert os.access(machine / "bin" / "flyteadmin", os.X_OK)


def test_propeller_without_spark_operator_says_so_in_one_line(machine):
    propeller, = tool_build.needed("", "flytepropeller")
    _fake_go("echo 'go: downloading github.com/kubeflow/spark-operator v0.0.0-20250325114751-1905be6e1dbd' >&2\n"
             "echo 'go: github.com/kubeflow/spark-operator@v0.0.0-20250325114751-1905be6e1dbd: reading "
                      "https://proxy.golang.org/github.com/kubeflow/spark-operator/@v/x.info: 403 Forbidden' >&2\n"
                      "exit 1\n")
    with pytest.raises(tool_build.BuildFailed) as failed:
        tool_build.build_flyte(propeller, _checkout(machine), machine, sys.stdout)
    line = str(failed.value)
    assert "\n" not in line
    assert line.startswith("cannot build flytepropeller: the Go module proxy does not give "
                           "github.com/kubeflow/spark-operator@v0.0.0-20250325114751-1905be6e1dbd, which its plug-ins "
                           "need (403 Forbidden; log: ")
    assert line.endswith("set FLYTEPROPELLER_BIN to a built flytepropeller")
    assert not (machine / "bin" / "flytepropeller").exists()


def test_our_kubernetes_module_replaces_each_staging_module_with_its_published_version():
    upstream = ("module k8s.io/kubernetes\n\ngo 1.24.0\n\nrequire (\n\tk8s.io/api v0.0.0\n)\n\n"
                "replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n"
                "\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n)\n"
                "replace k8s.io/kubelet v0.0.0 => ./staging/src/k8s.io/kubelet\n")
    staging = tool_build.staging_modules(upstream)
    assert staging == ["k8s.io/api", "k8s.io/client-go", "k8s.io/kubelet"]
    text = tool_build.go_mod(staging, "1.24.0")
    assert "\ngo 1.24.0\n" in text and "\nrequire k8s.io/kubernetes v1.34.4\n" in text
    assert "\tk8s.io/client-go => k8s.io/client-go v0.34.4\n" in text


def test_the_preflight_counts_a_binary_go_can_build_as_there(machine, monkeypatch, tmp_path):
    check = preflight._binary(lambda: paths.tool_binary("FLYTECTL_BIN", machine / "bin" / "flytectl", "flytectl",
                                                        "make flytectl"), "flytectl", "FLYTECTL_BIN")
    assert check() is None  # Go is on PATH: `make binaries` builds it
    monkeypatch.setenv("FLYTECTL_BIN", str(tmp_path / "none"))
    assert "FLYTECTL_BIN=" in check()  # a knob that names nothing is the user's to fix
    monkeypatch.delenv("FLYTECTL_BIN")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    line = check()
    assert line.startswith("no flytectl binary: set FLYTECTL_BIN to one, or run `make flytectl`")
    assert line.endswith(", which needs Go 1.26+ (`go`) on PATH") and "\n" not in line


def test_help_works_on_the_system_python():
    python = "/usr/bin/python3" if Path("/usr/bin/python3").is_file() else sys.executable
    result = subprocess.run([python, "-s", "-m", "flyte_parity.services.tool_build", "--help"], cwd=paths.REPO_ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONNOUSERSITE": "1", "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    assert "--without" in result.stdout and "--only" in result.stdout
