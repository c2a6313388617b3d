"""The pytest plugin as a user meets it: a unit-only run does not import flytekit, and a broken
catalogue edit ends the run in one line naming the problem (exit 2), not a collection traceback."""

import subprocess
import sys

from flyte_parity.base import paths

TEST = '''
from flyte_parity.pytest_plugin import check


def test_parity(parity_subject, parity_run):
    check(parity_subject, parity_run)
'''


def test_a_unit_only_run_does_not_import_flytekit():
    code = ("import sys, pytest; pytest.main(['-q', '-p', 'no:cacheprovider', '--co', 'tests/unit/test_matrix.py']); "
            "print('flytekit imported:', 'flytekit' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert "flytekit imported: False" in result.stdout, result.stdout[-2000:]


def _run(tmp_path, catalogue: str):
    (tmp_path / "test_it.py").write_text(TEST)
    (tmp_path / "catalogue.toml").write_text(catalogue)
    build = tmp_path / "build"
    (build / "jflyte" / "lib").mkdir(parents=True)
    (build / "jflyte" / "lib" / "jflyte-0.4.62.jar").write_bytes(b"")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_it.py",
         f"--catalogue={tmp_path / 'catalogue.toml'}", f"--jvm-build={build}", f"--reports={tmp_path / 'reports'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)


PAIR = '[sources.s]\nlib = "x"\n[inputs.i]\none = {}\n[[pairs]]\nname = "p"\njvm_source = "s"\njvm = "A"\npython = "m:a"\ninputs = "i"\n'


def test_a_catalogue_error_ends_the_run_in_one_line(tmp_path):
    result = _run(tmp_path, PAIR + 'modes = ["idl", "teleport"]\n')
    said = [line for line in (result.stdout + result.stderr).splitlines() if "flyte-parity:" in line]
    assert result.returncode == 2, result.stdout[-2000:]
    assert len(said) == 1 and "names unknown modes ['teleport']" in said[0], result.stdout[-2000:]
    assert "Traceback" not in result.stdout + result.stderr


def test_a_catalogue_missing_a_key_ends_the_run_in_one_line(tmp_path):
    result = _run(tmp_path, PAIR.replace('lib = "x"\n', ""))
    said = [line for line in (result.stdout + result.stderr).splitlines() if "flyte-parity:" in line]
    assert result.returncode == 2, result.stdout[-2000:]
    assert len(said) == 1 and "[sources.s] lacks lib" in said[0], result.stdout[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
