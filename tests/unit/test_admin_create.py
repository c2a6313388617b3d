"""CreateExecution against admin's skeleton race: retried only where ALREADY_EXISTS can mean that
a concurrent first execution of the same task made its skeleton workflow or launch plan."""

from __future__ import annotations

import grpc
import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2

from flyte_parity.services.admin_client import SKELETON_RACE_ATTEMPTS, AdminError, create_execution


class Refusal(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self):
        return self._code

    def details(self):
        return self._details


RACE = Refusal(grpc.StatusCode.ALREADY_EXISTS,
               'value with matching already exists (duplicate key value violates unique constraint "launch_plans_pkey")')
CREATED = execution_pb2.ExecutionCreateResponse(id={"project": "p", "domain": "d", "name": "abc"})


class Stub:
    """Answers CreateExecution from a script: refusals raised, anything else returned."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.calls = 0

    def CreateExecution(self, request, timeout=None):  # noqa: N802 - the gRPC method's name
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def target(kind: int) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=kind, project="p", domain="d", name="t", version="v")


def request(name: str = "") -> execution_pb2.ExecutionCreateRequest:
    return execution_pb2.ExecutionCreateRequest(project="p", domain="d", name=name)


@pytest.mark.parametrize("races", range(SKELETON_RACE_ATTEMPTS))
def test_a_task_refused_by_the_skeleton_race_is_created_on_retry(races):
    stub = Stub(*[RACE] * races, CREATED)
    assert create_execution(stub, request(), target(identifier_pb2.TASK)) == CREATED
    assert stub.calls == races + 1


def test_the_race_refusing_every_attempt_is_the_refusal():
    stub = Stub(*[RACE] * SKELETON_RACE_ATTEMPTS)
    with pytest.raises(AdminError, match="ALREADY_EXISTS.*launch_plans_pkey"):
        create_execution(stub, request(), target(identifier_pb2.TASK))
    assert stub.calls == SKELETON_RACE_ATTEMPTS


@pytest.mark.parametrize("kind, name, refusal", [
    # a launch plan makes no skeleton: ALREADY_EXISTS there is a real refusal
    (identifier_pb2.LAUNCH_PLAN, "", RACE),
    # an execution named by the caller may really exist already
    (identifier_pb2.TASK, "chosen", RACE),
    # any other status is admin's answer to the request itself
    (identifier_pb2.TASK, "", Refusal(grpc.StatusCode.INVALID_ARGUMENT, "invalid input")),
])
def test_other_refusals_are_not_retried(kind, name, refusal):
    stub = Stub(refusal, CREATED)
    with pytest.raises(AdminError, match=refusal.code().name):
        create_execution(stub, request(name), target(kind))
    assert stub.calls == 1
