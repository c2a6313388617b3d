"""The JVM testee (jvm/parity-testee; protocol in flyte_parity/sdk/testee.py): flytekit-java tasks
run on many values in one process. Its answers are checked against what ``jflyte execute`` writes
for the same task and inputs.pb — outputs.pb byte for byte, error.pb up to the stack frames of the
runner itself (jflyte's Execute or the testee) — for every value of the catalogue's own-java and
own-scala type rows, and for a failing task, a task that does not exist, inputs of the wrong
name or type, and inputs that do not parse. Then the protocol's edges: the project's pipelining
client, end of input, a request cut short, a folder that is none, registrars that fail to load."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flyteidl.core import errors_pb2, literals_pb2

from flyte_parity.base import paths, versions
from flyte_parity.base.errors import UsageError
from flyte_parity.data.catalogue import load_catalogue
from flyte_parity.idl.literal_spec import literal_from_spec
from flyte_parity.modes.run import load
from flyte_parity.sdk.container import TaskResult, same_bytes
from flyte_parity.sdk.jflyte import find_java
from flyte_parity.sdk.jvm import JvmDriver

CATALOGUE = paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"
MAIN = "dev.flyteparity.testee.Testee"
JAVA_INTEGER = "dev.flyteparity.examples.types.IntegerIdentity"
SCALA_INTEGER = "dev.flyteparity.examples.scala.types.IntegerIdentity"
RAISING = "dev.flyteparity.examples.RaisingTask"
OWN = ("own-java", "own-scala")
# The task identity variables jflyte execute gets in the suite's entrypoint runs (JvmDriver._run_task).
IDENTITY = {f"FLYTE_INTERNAL_{prefix}{name}": value for prefix in ("", "TASK_")
            for name, value in (("PROJECT", "flyte-parity"), ("DOMAIN", "development"), ("VERSION", "local"))}
# A stack frame of the runner, not of the task or of the conversion: where the two may differ.
RUNNER_FRAME = re.compile(r"\tat (org\.flyte\.jflyte\.(Execute|ParityTesteeAccess)\b|org\.flyte\.jflyte\.(utils\.)?"
                          r"ClassLoaders\.|dev\.flyteparity\.testee\.|picocli\.)")
_LENGTH = struct.Struct(">I")
TIMEOUT = 120  # seconds a testee may take for one answer, or to exit


@pytest.fixture(scope="module")
def build() -> Path:
    """The JVM build in use, with the testee in it (skipped, saying how to get it, if not)."""
    build = paths.jvm_build()
    if not paths.jflyte_lib().is_dir():
        pytest.skip(f"no JVM build at {build}: run `make jvm`")
    if not (build / "lib" / "parity-testee").is_dir():
        release = build.resolve().name.removeprefix("mvn-") if build.resolve().name.startswith("mvn-") else ""
        how = f"make jvm FLYTEKIT_JAVA_VERSION={release}" if release else "make jvm"
        pytest.skip(f"the JVM build {build} has no lib/parity-testee (it predates jvm/parity-testee): run `{how}`")
    try:
        find_java(os.environ)
    except UsageError as err:
        pytest.skip(str(err))
    return build


@pytest.fixture(scope="module")
def catalogue(build):
    return load_catalogue(CATALOGUE, paths.REPO_ROOT).at(versions.flytekit_java())


@pytest.fixture(scope="module")
def folders(catalogue) -> list[Path]:
    return [catalogue.sources[name].lib for name in OWN]


@pytest.fixture(scope="module")
def jflyte(tmp_path_factory):
    return JvmDriver(tmp_path_factory.mktemp("jflyte"))


@pytest.fixture(scope="module")
def task_specs(jflyte, catalogue) -> dict:
    """Every task of the own Java and Scala sources as jflyte serializes them (name -> TaskSpec)."""
    specs = {}
    for name in OWN:
        specs.update(load(jflyte.serialize(catalogue.sources[name])).tasks)
    return specs


def run_env(**settings: str) -> dict[str, str]:
    """The environment without the user's FLYTE_* settings, plus the task identity and ``settings``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    return {**kept, **IDENTITY, **settings}


def command(build: Path, folders) -> list[str]:
    # JVM unified logging goes to stdout by default: only warnings, and to stderr.
    return [find_java(os.environ), "-Xlog:disable", "-Xlog:all=warning:stderr",
            "-cp", f"{paths.jflyte_lib()}/*:{build / 'lib' / 'parity-testee'}/*", MAIN, *map(str, folders)]


class Raw:
    """A testee process spoken to frame by frame (stderr to a file, so it never blocks)."""

    def __init__(self, build: Path, folders, log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(command(build, folders), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=stderr, env=env or run_env())

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def send(self, *frames: bytes) -> None:
        for frame in frames:
            self.process.stdin.write(_LENGTH.pack(len(frame)) + frame)
        self.process.stdin.flush()

    def _within(self, read):
        """``read()``, the process killed if it takes longer than TIMEOUT (the read then ends)."""
        timer = threading.Timer(TIMEOUT, self.process.kill)
        timer.start()
        try:
            return read()
        finally:
            timer.cancel()

    def receive(self) -> tuple[bytes, bytes]:
        head = self._within(lambda: self.process.stdout.read(_LENGTH.size))
        assert len(head) == _LENGTH.size, f"the testee closed its output (exit {self.process.poll()}):\n{self.stderr()}"
        (size,) = _LENGTH.unpack(head)
        body = self._within(lambda: self.process.stdout.read(size))
        assert len(body) == size and body[:1] in (b"O", b"E"), f"not an answer: {body[:40]!r}"
        return body[:1], body[1:]

    def call(self, task: str, inputs: bytes) -> literals_pb2.LiteralMap | errors_pb2.ErrorDocument:
        self.send(task.encode("utf-8"), inputs)
        kind, body = self.receive()
        return (literals_pb2.LiteralMap if kind == b"O" else errors_pb2.ErrorDocument).FromString(body)

    def finish(self) -> tuple[int, bytes]:
        """End the input: the exit code and whatever else it wrote to stdout."""
        self.process.stdin.close()
        rest = self._within(self.process.stdout.read)
        return self.process.wait(timeout=TIMEOUT), rest

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def testee(build, folders, tmp_path_factory):
    raw = Raw(build, folders, tmp_path_factory.mktemp("testee") / "stderr.log")
    yield raw
    raw.kill()


def value_map(literal: literals_pb2.Literal, name: str = "value") -> literals_pb2.LiteralMap:
    inputs = literals_pb2.LiteralMap()
    inputs.literals[name].CopyFrom(literal)
    return inputs


def integer(value: int) -> literals_pb2.Literal:
    return literal_from_spec({"integer": value})


def up_to_runner(message: str) -> str:
    """A stack trace's lines before the first frame of the runner."""
    lines = message.splitlines()
    cut = next((number for number, line in enumerate(lines) if RUNNER_FRAME.match(line)), len(lines))
    return "\n".join(lines[:cut])


def comparable(document: errors_pb2.ErrorDocument) -> bytes:
    copy = errors_pb2.ErrorDocument()
    copy.CopyFrom(document)
    copy.error.message = up_to_runner(copy.error.message)
    return copy.SerializeToString(deterministic=True)


def difference(answer, jflyte: TaskResult) -> str | None:
    """How the testee's answer differs from what jflyte execute wrote (None: it does not)."""
    if jflyte.error is not None:  # error.pb wins, as it does for propeller
        if not isinstance(answer, errors_pb2.ErrorDocument):
            return f"jflyte execute wrote error.pb ({jflyte.error.error.message.splitlines()[:1]}), the testee outputs"
        if comparable(answer) != comparable(jflyte.error):
            return (f"error documents differ:\n--- jflyte execute\n{jflyte.error.error.code} "
                    f"{up_to_runner(jflyte.error.error.message)}\n--- testee\n{answer.error.code} "
                    f"{up_to_runner(answer.error.message)}")
        return None
    if jflyte.outputs is None:
        return f"jflyte execute wrote neither outputs.pb nor error.pb: {jflyte.describe()}"
    if not isinstance(answer, literals_pb2.LiteralMap):
        return f"jflyte execute wrote outputs.pb, the testee an error: {answer.error.message.splitlines()[:1]}"
    if not same_bytes(answer, jflyte.outputs):
        return f"outputs differ:\n--- jflyte execute\n{jflyte.outputs}--- testee\n{answer}"
    return None


class _Unparsable:
    """Inputs that RunFolder writes as inputs.pb as they are: bytes that are no LiteralMap."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def SerializeToString(self, **_) -> bytes:
        return self.data


GARBAGE = b"\xff\xff\xff\xff not a LiteralMap"


def renamed(spec, task: str):
    """The task spec with jflyte execute's --task argument naming ``task`` instead."""
    copy = type(spec)()
    copy.CopyFrom(spec)
    args = list(copy.template.container.args)
    args[args.index("--task") + 1] = task
    del copy.template.container.args[:]
    copy.template.container.args.extend(args)
    return copy


def test_type_rows_answer_as_jflyte_execute(testee, catalogue, task_specs, jflyte, tmp_path):
    cases = [(f"{entry.id}/{name}", entry.jvm, value_map(literal_from_spec(spec)))
             for entry in catalogue.types if entry.source.name in OWN and not entry.unavailable
             for name, spec in entry.values.items()]
    assert cases, "the catalogue has no own-java or own-scala type values at this flytekit-java"
    missing = sorted({task for _, task, _ in cases if task not in task_specs})
    assert not missing, f"jflyte serialized no such tasks: {missing}"
    answers = [testee.call(task, inputs.SerializeToString()) for _, task, inputs in cases]

    def run(number: int):
        _, task, inputs = cases[number]
        return jflyte.run_entrypoint(task_specs[task], inputs, tmp_path / f"run-{number}")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(run, range(len(cases))))
    found = [f"{case_id}: {diff}" for (case_id, _, _), answer, result in zip(cases, answers, results)
             if (diff := difference(answer, result))]
    assert not found, "\n\n".join(found)


@pytest.mark.parametrize("case", ["raising-task", "unknown-task", "unparsable-inputs", "wrong-input-name",
                                  "wrong-input-type"])
def test_failures_answer_as_jflyte_execute(case, testee, task_specs, jflyte, tmp_path):
    string = literal_from_spec({"string": "boom"})
    task, inputs = {
        "raising-task": (RAISING, value_map(string, "message")),
        "unknown-task": ("no.such.Task", value_map(integer(1))),
        "unparsable-inputs": (JAVA_INTEGER, _Unparsable(GARBAGE)),
        "wrong-input-name": (JAVA_INTEGER, value_map(integer(1), "other")),
        "wrong-input-type": (JAVA_INTEGER, value_map(string)),
    }[case]
    spec = task_specs[task] if task in task_specs else renamed(task_specs[JAVA_INTEGER], task)
    answer = testee.call(task, inputs.SerializeToString())
    result = jflyte.run_entrypoint(spec, inputs, tmp_path / "run")
    assert result.error is not None, result.describe()
    assert isinstance(answer, errors_pb2.ErrorDocument), answer
    assert up_to_runner(answer.error.message) != answer.error.message, "no runner frame in the stack trace"
    assert (diff := difference(answer, result)) is None, diff


def test_unknown_task_and_unparsable_inputs_leave_it_serving(testee):
    answer = testee.call("no.such.Task", value_map(integer(1)).SerializeToString())
    assert answer.error.code == "SYSTEM:Unknown" and answer.error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert answer.error.message.startswith("java.lang.IllegalArgumentException: Task not found: no.such.Task\n")
    answer = testee.call(JAVA_INTEGER, GARBAGE)
    assert isinstance(answer, errors_pb2.ErrorDocument)
    assert answer.error.message.startswith("java.io.UncheckedIOException: com.google.protobuf.InvalidProtocolBuffer")
    for task, value in ((JAVA_INTEGER, 2**63 - 1), (SCALA_INTEGER, -(2**63))):
        assert testee.call(task, value_map(integer(value)).SerializeToString()) == value_map(integer(value))


def test_the_projects_client_pipelines_requests(build, folders, tmp_path):
    from flyte_parity.sdk.testee import Testee

    requests = [(JAVA_INTEGER if number % 2 else SCALA_INTEGER, value_map(integer(number))) for number in range(2000)]
    with Testee("jvm", command(build, folders), run_env(), log=tmp_path / "stderr.log") as client:
        answers = client.call_many(requests, window=64)
    assert [answer.error for answer in answers] == [None] * len(requests)
    assert [answer.outputs for answer in answers] == [inputs for _, inputs in requests]


def test_end_of_input_exits_0_with_nothing_but_answers_on_stdout(build, folders, tmp_path):
    raw = Raw(build, folders, tmp_path / "stderr.log")
    try:
        assert raw.call(JAVA_INTEGER, value_map(integer(7)).SerializeToString()) == value_map(integer(7))
        assert raw.finish() == (0, b"")
    finally:
        raw.kill()
    assert "tasks in" in raw.stderr()  # its own lines went to stderr


def test_input_ending_inside_a_request_exits_1(build, folders, tmp_path):
    raw = Raw(build, folders, tmp_path / "stderr.log")
    try:
        raw.send(JAVA_INTEGER.encode("utf-8"))
        assert raw.finish() == (1, b"")
    finally:
        raw.kill()
    assert "input ended between a request's task name and its inputs" in raw.stderr()


def test_a_folder_that_is_none_exits_2(build, folders, tmp_path):
    raw = Raw(build, [folders[0], tmp_path / "nope"], tmp_path / "stderr.log")
    try:
        assert raw.finish() == (2, b"")
    finally:
        raw.kill()
    assert f"{tmp_path / 'nope'} is not a folder of jars" in raw.stderr()


def test_registrars_that_fail_to_load_answer_every_request_with_their_error(build, folders, tmp_path):
    """Without the task identity variables flytekit-java's registrar throws, as in jflyte execute
    (where every run loads the registrars); the testee loads them once and answers with that error."""
    env = {k: v for k, v in run_env().items() if k not in IDENTITY}
    raw = Raw(build, folders, tmp_path / "stderr.log", env)
    try:
        first = raw.call(JAVA_INTEGER, value_map(integer(1)).SerializeToString())
        second = raw.call(SCALA_INTEGER, value_map(integer(1)).SerializeToString())
        assert raw.finish() == (0, b"")
    finally:
        raw.kill()
    assert isinstance(first, errors_pb2.ErrorDocument) and first == second
    headline = first.error.message.splitlines()[0]
    assert "Task not found" not in headline
    assert f"loading the tasks of {folders[0]} failed: {headline}" in raw.stderr()
