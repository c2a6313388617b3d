"""How a registration ended, read from what jflyte, pyflyte and flytectl print (texts in each
tool's own format, as seen against a local FlyteAdmin), and the order flytectl is given files."""

from pathlib import Path

import pytest

from flyte_parity.services.flytectl import ordered
from flyte_parity.sdk.registration import Outcome, read_outcome

JFLYTE_REFUSED = """[main] INFO org.flyte.jflyte.utils.Registrars - Discovering RunnableTaskRegistrar
Exception in thread "main" io.grpc.StatusRuntimeException: INVALID_ARGUMENT: failed to validate that project [p] and domain [development] are registered, err: [project [p] not found]
\tat io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)
"""
PYFLYTE_REFUSED = """[✔] Task: python_wf.types.binary_identity
Request rejected by the API, due to Invalid input.
RPC Failed, with Status: StatusCode.INVALID_ARGUMENT
\tDetails: AllInputsWorkflowLaunchPlan launch plan with different structure already exists. (Please register a new version of the launch plan):
/labels:
"""
FLYTECTL_REFUSED = """| /tmp/x/0_t_1.pb | Failed | Error registering file due to rpc error: code = AlreadyExists desc = task with different structure already exists |
"""
FLYTECTL_PANIC = """panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x38 pc=0x236d99c]

goroutine 1 [running]:
"""


@pytest.mark.parametrize("text, status, message", [
    (JFLYTE_REFUSED, "INVALID_ARGUMENT", "failed to validate that project [p] and domain [development] are registered, "
                                         "err: [project [p] not found]"),
    (PYFLYTE_REFUSED, "INVALID_ARGUMENT", "AllInputsWorkflowLaunchPlan launch plan with different structure already "
                                          "exists. (Please register a new version of the launch plan):"),
    (FLYTECTL_REFUSED, "ALREADY_EXISTS", "task with different structure already exists"),
])
def test_a_refusal_is_admins_status_and_first_message_line_in_any_tools_spelling(text, status, message):
    outcome = read_outcome(1, text)
    assert (outcome.status, outcome.message, outcome.ok) == (status, message, False)
    assert outcome.label() == f"refused: {status}: {message}"


def test_a_refusal_counts_even_when_the_tool_exits_zero():
    assert not read_outcome(0, PYFLYTE_REFUSED).ok


def test_a_go_panic_is_a_crash_with_its_first_line():
    outcome = read_outcome(2, FLYTECTL_PANIC)
    assert outcome.label() == "crashed: panic: runtime error: invalid memory address or nil pointer dereference"


def test_an_uncaught_java_exception_without_a_status_is_a_crash():
    outcome = read_outcome(1, 'Exception in thread "main" java.lang.IllegalArgumentException: bad jar\n\tat x\n')
    assert outcome.label() == 'crashed: Exception in thread "main" java.lang.IllegalArgumentException: bad jar'


def test_success_and_a_bare_exit_code():
    assert read_outcome(0, "[✔] Task: t\n").label() == "registered"
    assert read_outcome(3, "something else\n").label() == "failed: exit 3"
    assert Outcome(0).ok and not Outcome(1).ok


def test_the_log_keeps_only_the_tail():
    text = "".join(f"line {i}\n" for i in range(100))
    assert read_outcome(0, text).log.splitlines() == [f"line {i}" for i in range(80, 100)]


def test_flytectl_gets_files_in_their_writers_numeric_order():
    names = ["10_wf_2.pb", "2_task_1.pb", "01_a_1.pb", "x_odd.pb", "100_lp_3.pb"]
    assert [p.name for p in ordered([Path(n) for n in names])] == [
        "01_a_1.pb", "2_task_1.pb", "10_wf_2.pb", "100_lp_3.pb", "x_odd.pb"]
