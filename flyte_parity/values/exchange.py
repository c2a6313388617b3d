"""One value through both SDKs' identity tasks, straight and cross-fed, and what differed (pure
but for the two calls it is given).

Straight: the same input map to each side. Cross-fed: what one side returned, when it is not what
it was sent, is fed to the other side (an identity task must hand it back). Findings, each a
``Difference`` with the JVM side on the left, at paths relative to the value:

- ``outcome``: one side returned and the other failed (both answers shown);
- ``outputs.<path>`` / ``error.<path>``: both returned (or both failed) and the contents differ
  (error documents without message text and time: ``idl.canonical.canonical_error``);
- ``both_returned.<path>``: both returned the same value, and it is not what was sent;
- ``python_to_jvm.…`` / ``jvm_to_python.…``: the consumer's answer against what the producer gave
  it (``returned.<path>`` when both hold outputs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flyteidl.core import literals_pb2

from flyte_parity.idl.canonical import canonical_error
from flyte_parity.idl.diff import Difference, diff_messages, render
from flyte_parity.idl.literals import canonical_literal
from flyte_parity.sdk.testee import Answer, Many

NAME = "value"  # the identity tasks' input and output
Call = Callable[[literals_pb2.LiteralMap], Answer]


@dataclass(frozen=True)
class Exchange:
    """What one value did: each side's answer, and each side's answer to the other's output."""

    sent: literals_pb2.Literal
    jvm: Answer
    python: Answer
    python_to_jvm: Answer | None = None  # the JVM side fed what the Python side returned
    jvm_to_python: Answer | None = None


def inputs_of(literal: literals_pb2.Literal) -> literals_pb2.LiteralMap:
    inputs = literals_pb2.LiteralMap()
    inputs.literals[NAME].CopyFrom(literal)
    return inputs


def returned(answer: Answer | None) -> literals_pb2.Literal | None:
    if answer is None or answer.outputs is None or NAME not in answer.outputs.literals:
        return None
    return answer.outputs.literals[NAME]


def same(left: literals_pb2.Literal, right: literals_pb2.Literal) -> bool:
    """Byte for byte the same literal (deterministic serialization)."""
    return left.SerializeToString(deterministic=True) == right.SerializeToString(deterministic=True)


def exchange(sent: literals_pb2.Literal, jvm: Call, python: Call) -> Exchange:
    """Send ``sent`` to both sides, then cross-feed whatever came back changed."""
    return exchange_many([sent], one_by_one(jvm), one_by_one(python))[0]


def one_by_one(call: Call) -> Many:
    return lambda maps: [call(m) for m in maps]


def remembered(many: Many, answers: dict[bytes, Answer]) -> Many:
    """``many`` sending only the requests it has not answered before: ``answers`` keeps each answer
    by the request that produced it (the serialized input map), for one task of one testee (one
    build, one environment). Rows that share a task (a Python twin serves a Java and a Scala row)
    and a cross-fed value that is one already sent get the kept answer instead of a new call."""
    def call(maps: list[literals_pb2.LiteralMap]) -> list[Answer]:
        keys = [m.SerializeToString(deterministic=True) for m in maps]
        wanted = dict(zip(keys, maps))
        missing = [key for key in wanted if key not in answers]
        if missing:
            answers.update(zip(missing, many([wanted[key] for key in missing])))
        return [answers[key] for key in keys]
    return call


def exchange_many(values: list[literals_pb2.Literal], jvm: Many, python: Many) -> list[Exchange]:
    """``exchange`` for many values at once: each side's requests sent together (the two sides side
    by side), then the cross-fed ones; the same requests and answers as one value at a time."""
    from concurrent.futures import ThreadPoolExecutor

    def both(jvm_maps, python_maps):
        with ThreadPoolExecutor(max_workers=2) as pool:
            left = pool.submit(jvm, jvm_maps) if jvm_maps else None
            right = pool.submit(python, python_maps) if python_maps else None
            return (left.result() if left else []), (right.result() if right else [])

    straight = [inputs_of(v) for v in values]
    jvm_answers, python_answers = both(straight, straight)
    to_jvm = [i for i, (v, a) in enumerate(zip(values, python_answers))
              if returned(a) is not None and not same(returned(a), v)]
    to_python = [i for i, (v, a) in enumerate(zip(values, jvm_answers))
                 if returned(a) is not None and not same(returned(a), v)]
    crossed_jvm, crossed_python = both([inputs_of(returned(python_answers[i])) for i in to_jvm],
                                       [inputs_of(returned(jvm_answers[i])) for i in to_python])
    python_to_jvm, jvm_to_python = dict(zip(to_jvm, crossed_jvm)), dict(zip(to_python, crossed_python))
    return [Exchange(v, jvm_answers[i], python_answers[i], python_to_jvm.get(i), jvm_to_python.get(i))
            for i, v in enumerate(values)]


def _bytes(message) -> bytes:
    return message.SerializeToString(deterministic=True)


def _outcome(answer: Answer) -> str:
    return "outputs" if answer.outputs is not None else "error"


def shown(answer: Answer) -> str:
    """An answer in one line: what it returned, or its error document (no message text or time)."""
    if answer.outputs is not None:
        value = returned(answer)
        return "returned " + render(canonical_literal(value) if value is not None else answer.outputs)
    return "failed " + render(canonical_error(answer.error))


def answers_differ(prefix: str, jvm: Answer, python: Answer) -> list[Difference]:
    """Differences between two answers (JVM on the left)."""
    if _outcome(jvm) != _outcome(python):
        return [Difference(f"{prefix}outcome", shown(jvm), shown(python))]
    if jvm.outputs is not None and _bytes(jvm.outputs) == _bytes(python.outputs):
        return []  # the same message: its canonical forms are the same too
    if jvm.outputs is not None:
        left, right = returned(jvm), returned(python)
        if left is None or right is None:
            return [Difference(f"{prefix}outputs.{d.path}", d.left, d.right)
                    for d in diff_messages(jvm.outputs, python.outputs)]
        return [Difference(f"{prefix}outputs.{d.path}", d.left, d.right)
                for d in diff_messages(canonical_literal(left), canonical_literal(right))]
    return [Difference(f"{prefix}error.{d.path}", d.left, d.right)
            for d in diff_messages(canonical_error(jvm.error), canonical_error(python.error))]


def findings(done: Exchange) -> list[Difference]:
    found = answers_differ("", done.jvm, done.python)
    jvalue, pvalue = returned(done.jvm), returned(done.python)
    if not found and jvalue is not None and pvalue is not None and not same(done.sent, jvalue):
        found += [Difference(f"both_returned.{d.path}", d.right, d.right)
                  for d in diff_messages(canonical_literal(done.sent), canonical_literal(jvalue))]
    # cross-fed: the consumer against the producer, slots kept JVM | Python
    if done.python_to_jvm is not None:
        found += answers_differ("python_to_jvm.", done.python_to_jvm, done.python)
    if done.jvm_to_python is not None:
        found += answers_differ("jvm_to_python.", done.jvm, done.jvm_to_python)
    return found
