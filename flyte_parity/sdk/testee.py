"""Long-lived testees: one process per SDK that runs tasks on many values, over a pipe.

The per-process contract (each task run its own ``jflyte execute`` / ``pyflyte-execute``) is the
entrypoint mode's; a testee leaves out process start, files and placeholders and keeps only the
conversion: literal in, the task's ``run`` / ``dispatch_execute``, literal (or error document) out.

Protocol, both testees alike (stdin → testee, stdout → client; logs on stderr only):
- a frame is a 4-byte big-endian length, then that many bytes;
- a request is two frames: the task name (UTF-8), then a serialized ``flyteidl.core.LiteralMap``;
- an answer is one frame: ``O`` + the output ``LiteralMap``, or ``E`` + the ``ErrorDocument`` the
  entrypoint would have written as ``error.pb``;
- end of input: the testee exits 0.

``Testee`` is the client: a context manager that starts the process, sends requests (many may be
in flight: ``call_many`` pipelines them) and stops it on leaving, however the block ends.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import subprocess
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Sequence

from flyteidl.core import errors_pb2, literals_pb2

from flyte_parity.sdk import launches, process_log
from flyte_parity.sdk.results import Record, ResultStore

_LENGTH = struct.Struct(">I")
OUTPUTS, ERROR = b"O", b"E"


class TesteeError(RuntimeError):
    """The testee broke the protocol or died; the message says what it printed last."""


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame's payload, or None at a clean end of input (no byte of a new frame)."""
    head = stream.read(_LENGTH.size)
    if not head:
        return None
    if len(head) < _LENGTH.size:
        raise EOFError("input ended inside a frame's length")
    (size,) = _LENGTH.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError(f"input ended inside a frame ({len(payload)} of {size} bytes)")
    return payload


@dataclass(frozen=True)
class Answer:
    """What a testee gave for one request: outputs, or the error document."""

    outputs: literals_pb2.LiteralMap | None = None
    error: errors_pb2.ErrorDocument | None = None

    @staticmethod
    def parse(payload: bytes) -> "Answer":
        kind, body = payload[:1], payload[1:]
        if kind == OUTPUTS:
            return Answer(outputs=literals_pb2.LiteralMap.FromString(body))
        if kind == ERROR:
            return Answer(error=errors_pb2.ErrorDocument.FromString(body))
        raise TesteeError(f"an answer must start with O or E, not {kind!r}")

    def payload(self) -> bytes:
        """The answer as its frame's payload (``parse`` reads it back)."""
        if self.outputs is not None:
            return OUTPUTS + self.outputs.SerializeToString(deterministic=True)
        return ERROR + (self.error or errors_pb2.ErrorDocument()).SerializeToString(deterministic=True)


class Testee:
    """One long-lived testee process (``command`` in ``cwd`` with ``env``); thread-safe calls."""

    def __init__(self, name: str, command: Sequence[str], env: Mapping[str, str], cwd: Path | None = None,
                 log: Path | None = None, scratch: Path | None = None) -> None:
        """``scratch``: the testee's temporary folder (its TMPDIR), made on start and removed on close."""
        self.name, self.command, self.env, self.cwd, self.log = name, list(command), dict(env), cwd, log
        self.scratch = scratch
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._stderr: deque[str] = deque(maxlen=40)
        self._pump: threading.Thread | None = None

    def __enter__(self) -> "Testee":
        if self.scratch is not None:
            self.scratch.mkdir(parents=True, exist_ok=True)
        with process_log.logged(f"{self.name.partition('-')[0]}:testee", self.command, self.cwd, self.env):
            self._process = launches.start(self.command, env=self.env, cwd=self.cwd, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._pump = threading.Thread(target=self._read_stderr, daemon=True)
        self._pump.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read_stderr(self) -> None:
        sink = self.log.open("a", encoding="utf-8") if self.log else None
        try:
            for raw in iter(self._process.stderr.readline, b""):
                line = raw.decode("utf-8", errors="replace")
                self._stderr.append(line.rstrip("\n"))
                if sink:
                    sink.write(line)
        finally:
            if sink:
                sink.close()

    def _broken(self, what: str) -> TesteeError:
        code = self._process.poll() if self._process else None
        tail = "\n".join(list(self._stderr)[-15:])
        return TesteeError(f"the {self.name} testee {what} (exit code {code}); its last lines:\n{tail}")

    def call(self, task: str, inputs: literals_pb2.LiteralMap) -> Answer:
        return self.call_many([(task, inputs)])[0]

    def call_many(self, requests: Iterable[tuple[str, literals_pb2.LiteralMap]], window: int = 64) -> list[Answer]:
        """Each request's answer, in order; up to ``window`` requests in flight at a time."""
        if self._process is None:
            raise TesteeError(f"the {self.name} testee is not started (use it as a context manager)")
        answers: list[Answer] = []
        with self._lock:
            pending = 0
            stdin, stdout = self._process.stdin, self._process.stdout
            try:
                for task, inputs in requests:
                    write_frame(stdin, task.encode("utf-8"))
                    write_frame(stdin, inputs.SerializeToString())
                    pending += 1
                    if pending >= window:
                        stdin.flush()
                        answers.append(self._answer(stdout))
                        pending -= 1
                stdin.flush()
                for _ in range(pending):
                    answers.append(self._answer(stdout))
            except (BrokenPipeError, EOFError) as error:
                raise self._broken(f"stopped answering ({error})") from None
        return answers

    def _answer(self, stdout: IO[bytes]) -> Answer:
        payload = read_frame(stdout)
        if payload is None:
            raise self._broken("closed its output")
        return Answer.parse(payload)

    def close(self) -> None:
        """End its input and wait for it to exit (then terminate, then kill)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            launches.end(process)
        finally:
            launches.finished(process)
        process.stdout.close()
        if self._pump:
            self._pump.join(timeout=5)
        process.stderr.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def requests_of(task: str, values: Iterable[literals_pb2.LiteralMap]) -> Iterator[tuple[str, literals_pb2.LiteralMap]]:
    return ((task, value) for value in values)


def framed(payloads: Iterable[bytes]) -> bytes:
    """Payloads as consecutive frames (``unframed`` reads them back)."""
    out = io.BytesIO()
    for payload in payloads:
        write_frame(out, payload)
    return out.getvalue()


def unframed(data: bytes) -> list[bytes]:
    stream, found = io.BytesIO(data), []
    while (payload := read_frame(stream)) is not None:
        found.append(payload)
    return found


Many = Callable[[list[literals_pb2.LiteralMap]], list[Answer]]  # one task's answers to many requests


def kept(store: ResultStore | None, parts: Mapping[str, Any], many: Many) -> Many:
    """``many`` with its answers to a batch of requests kept in ``store`` by ``parts`` (the testee's
    build and the task: ``Driver.testee_parts``) and the requests themselves: a batch sent before
    to the same task of the same build is answered from the store, with no testee call (and no
    testee started); any other is sent and recorded. A batch counts as one result."""
    if store is None:
        return many

    def call(maps: list[literals_pb2.LiteralMap]) -> list[Answer]:
        digest = hashlib.sha256(framed(m.SerializeToString(deterministic=True) for m in maps)).hexdigest()
        key = store.key({**parts, "verb": "testee", "requests": digest, "count": len(maps)})
        found = store.get(key)
        if found is not None:
            return [Answer.parse(payload) for payload in unframed(found.files["answers"])]
        answers = many(maps)
        store.put(key, Record(0, "", "", {"answers": framed(answer.payload() for answer in answers)}))
        return answers
    return call
