"""A mode defined and registered outside the library's modules is parametrised, run, judged
against the ledger and shown in the matrix — nothing else edited. The toy session runs in a
pytest process of its own, with a catalogue and ledger of its own and a JVM build folder that
only names its flytekit-java version (the toy mode runs no SDK)."""

import json
import subprocess
import sys
import textwrap

from flyte_parity.modes import registry

CONFTEST = '''
from flyte_parity.idl.diff import Difference
from flyte_parity.modes.base import PairMode, Verdict
from flyte_parity.modes.registry import register


class ToyMode(PairMode):
    name = "toy"
    summary = "a mode of the test's own"

    def work(self, subject, run):
        return {"alpha": ("1", "1"), "beta": ("1", "2"), "gamma": ("3", "4")}[subject.value.name]

    def judge(self, subject, run, values):
        jvm, python = values
        return Verdict([Difference("answer", jvm, python)] if jvm != python else [])


register(ToyMode())
'''

TEST = '''
from flyte_parity.pytest_plugin import check


def test_parity(parity_subject, parity_run):
    check(parity_subject, parity_run)
'''


def _catalogue() -> str:
    others = "\n".join(f'{m.name} = "not for toys"' for m in registry.pair_modes())
    pairs = "\n".join(f'[[pairs]]\nname = "{name}"\njvm_source = "src"\njvm = "a.{name.title()}"\n'
                      f'python = "m:{name}"\ninputs = "none"\nmodes = ["toy"]\n' for name in ("alpha", "beta", "gamma"))
    return f'[not_applicable]\n{others}\n\n[sources.src]\nlib = "lib"\n\n[inputs.none]\none = {{}}\n\n{pairs}'


LEDGER = '''
[versions]
flytekit_java = ["0.4.62"]

[topics.toy-answer]
why = "the toy's two sides answer differently by design"
source = "the test itself"

[[divergence]]
pair = "beta/src"
mode = "toy"
path = "answer"
topic = "toy-answer"
flytekit_java = ">=0.4"
jvm = "1"
python = "2"
'''


def test_a_registered_toy_mode_is_parametrised_run_and_shown_in_the_matrix(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_toy.py").write_text(textwrap.dedent(TEST))
    (tmp_path / "catalogue.toml").write_text(_catalogue())
    (tmp_path / "ledger.toml").write_text(LEDGER)
    build = tmp_path / "build"
    (build / "jflyte" / "lib").mkdir(parents=True)
    (build / "jflyte" / "lib" / "jflyte-0.4.62.jar").write_bytes(b"")
    reports = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-k", "toy:", "test_toy.py",
         f"--catalogue={tmp_path / 'catalogue.toml'}", f"--ledger={tmp_path / 'ledger.toml'}",
         f"--reports={reports}", f"--jvm-build={build}", "--parity-workers=2"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = result.stdout
    assert "test_parity[toy:alpha/src] PASSED" in out, out[-3000:]
    assert "test_parity[toy:beta/src] PASSED" in out, out[-3000:]  # its difference is the ledger's
    assert "test_parity[toy:gamma/src] FAILED" in out, out[-3000:]
    assert "gamma/src [toy]: 1 difference(s) not in the ledger" in out and "answer: 3 != 4" in out, out[-3000:]
    assert result.returncode == 1, out[-3000:]
    matrix = json.loads((reports / "matrix.json").read_text())
    assert matrix["tables"] == {"pairs": {"columns": ["toy"], "rows": ["alpha/src", "beta/src", "gamma/src"]}}
    assert {row: cells["toy"]["text"] for row, cells in matrix["cells"].items()} == {
        "alpha/src": "same", "beta/src": "ledger: toy-answer", "gamma/src": "FAILED"}
    shown = (reports / "parity-matrix.md").read_text()
    assert "| pair | toy |" in shown and "| beta/src | ledger: toy-answer |" in shown
