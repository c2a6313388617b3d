"""The GitHub workflow files pass actionlint (installed by `make test` into .tools/bin), and
actionlint really checks them: a seeded mistake in a copy fails."""

import shutil
import subprocess

import pytest

from flyte_parity.base import paths

WORKFLOWS = sorted((paths.REPO_ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str:
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(paths.REPO_ROOT / ".tools" / "bin"))
    if found is None:
        pytest.fail("actionlint not found: run `make tools` (or `make test`, which installs it into .tools/bin)")
    return found


def test_there_is_a_nightly_workflow():
    assert [p.name for p in WORKFLOWS] == ["nightly.yml"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow):
    result = subprocess.run([_actionlint(), "-no-color", str(workflow)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_seeded_mistake(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "nightly.yml"
    broken.parent.mkdir(parents=True)
    text = (paths.REPO_ROOT / ".github" / "workflows" / "nightly.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("needs.versions.outputs.flytekit_java", "needs.versions.outputs.flytekit_jvm"),
                      encoding="utf-8")
    result = subprocess.run([_actionlint(), "-no-color", str(broken)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1 and "flytekit_jvm" in result.stdout
