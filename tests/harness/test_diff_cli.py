"""`flyte-parity diff` on real pyflyte serializations of a small workflow and its variants:
one semantic change each exits 1 naming it; names, node ids or statement order alone exit 0;
a corrupt file exits 2 with one line."""

import os
import subprocess
import sys
import tarfile

import pytest

from flyte_parity.base import paths

BASE = '''
from flytekit import task, workflow


@task(cache=True, cache_version="1", retries=0)
def add(a: int, b: int) -> int:
    return a + b


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def wf(x: int, y: int) -> int:
    s = add(a=x, b=y)
    t = double(x=y)
    return add(a=s, b=t)
'''

# variant -> (replacements applied to BASE, --map arguments, expected exit code, text the output must name)
VARIANTS = {
    "type": ([("def add(a: int, b: int)", "def add(a: int, b: float)"), ("y: int)", "y: float)"),
              ("t = double(x=y)", "t = double(x=x)")], [], 1, 'variables["b"].type.simple: INTEGER != FLOAT'),
    "binding": ([("s = add(a=x, b=y)", "s = add(a=y, b=x)")], [], 1, '.binding.promise.var'),
    "cache-version": ([('cache_version="1"', 'cache_version="2"')], [], 1, "discovery_version: '1' != '2'"),
    "retries": ([("retries=0", "retries=3")], [], 1, "metadata.retries.retries: 0 != 3"),
    "extra-node": ([("    return add(a=s, b=t)", "    double(x=x)\n    return add(a=s, b=t)")], [], 1,
                   "<absent> != {"),
    "launch-plan-default": ([("y: int)", "y: int = 3)")], [], 1,
                            'launch_plan.default_inputs.parameters["y"].behavior: required=True != default='),
    "names": ([("def add(", "def plus("), ("add(a=", "plus(a="), ("def double(", "def twice("),
               ("double(x=", "twice(x="), ("def wf(", "def flow(")],
              ["--map", "twins.wf.wf=twins.wf.flow"], 0, ""),
    "node-ids": ([("s = add(a=x, b=y)", 's = add(a=x, b=y).with_overrides(node_name="first-sum")')], [], 0, ""),
    "statement-order": ([("    s = add(a=x, b=y)\n    t = double(x=y)\n", "    t = double(x=y)\n    s = add(a=x, b=y)\n")],
                        [], 0, ""),
}


def flyte_parity(*args):
    return subprocess.run([sys.executable, "-m", "flyte_parity.cli", *args],
                          capture_output=True, text=True, timeout=120, cwd=paths.REPO_ROOT)


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Serialize the base and every variant, all at once (one flytekit process each)."""
    root = tmp_path_factory.mktemp("diff-cli")
    sources = {"base": BASE}
    for name, (replacements, *_rest) in VARIANTS.items():
        text = BASE
        for old, new in replacements:
            assert old in text, (name, old)
            text = text.replace(old, new)
        sources[name] = text
    running = {}
    for name, text in sources.items():
        package = root / name / "twins"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "wf.py").write_text(text)
        running[name] = subprocess.Popen(
            [sys.executable, "-m", "flyte_parity.sdk.pyflyte_serialize", "--root", str(root / name),
             "--out", str(root / name / "out"), "twins"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=paths.REPO_ROOT,
            env={**os.environ, "TMPDIR": str(root)},  # flytekit's import-time folders stay in the test's
        )
    for name, process in running.items():
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {err[-2000:]}"
    return {name: root / name / "out" for name in sources}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_diff_names_the_semantic_change_and_only_that(packages, variant):
    _replacements, maps, code, words = VARIANTS[variant]
    result = flyte_parity("diff", str(packages["base"]), str(packages[variant]), *maps)
    assert result.returncode == code, result.stdout + result.stderr
    if code == 1:
        assert words in result.stdout, result.stdout
        for line in result.stdout.strip().splitlines():
            assert " ~ " in line and ": " in line and " != " in line
    else:
        assert result.stdout == ""


def test_diff_reads_a_tgz_package(packages, tmp_path):
    archive = tmp_path / "base.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for item in sorted(packages["base"].iterdir()):
            tar.add(item, arcname=item.name)
    result = flyte_parity("diff", str(archive), str(packages["node-ids"]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_diff_json_output(packages):
    import json

    result = flyte_parity("diff", "--json", str(packages["base"]), str(packages["cache-version"]))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [d["path"] for d in data["semantic"]] == ['task["twins.wf.add"].template.metadata.discovery_version']


def test_corrupt_pb_exits_2_with_one_line(packages, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in packages["base"].iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    victim = sorted(broken.glob("*_1.pb"))[0]
    victim.write_bytes(b"\xff\xff\xff not a protobuf")
    result = flyte_parity("diff", str(broken), str(packages["base"]))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and victim.name in lines[0], result.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["diff", "/nonexistent/a", "/nonexistent/b"], "does not exist"),
        (["diff", "BASE", "BASE", "--map", "nope"], "--map takes LEFT_NAME=RIGHT_NAME"),
        (["diff", "BASE", "BASE", "--map", "a=b"], "is no workflow or launch plan"),
    ],
)
def test_bad_input_exits_2(packages, args, words):
    args = [str(packages["base"]) if a == "BASE" else a for a in args]
    result = flyte_parity(*args)
    assert result.returncode == 2 and words in result.stderr
