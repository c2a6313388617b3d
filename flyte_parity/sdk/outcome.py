"""What one SDK's local run came to — its outputs, or the error it failed with — and how two
such outcomes differ. One side failing where the other succeeds is a difference of outcome
(field path ``outcome``), reported with both sides, never a crash of the harness."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Callable

from flyteidl.core import literals_pb2
from google.protobuf import text_format

from flyte_parity.base.errors import UsageError
from flyte_parity.idl.diff import Difference, diff_messages


@dataclass(frozen=True)
class RunOutcome:
    outputs: literals_pb2.LiteralMap | None = None
    error: str = ""  # one line: how the run failed (stable enough to be a ledger value)
    detail: str = ""  # the tail of the failure, for the report

    @property
    def ok(self) -> bool:
        return self.outputs is not None

    def summary(self) -> str:
        return "succeeded" if self.ok else f"failed: {self.error}"

    def describe(self) -> str:
        if self.ok:
            text = text_format.MessageToString(self.outputs, as_utf8=True).rstrip() or "(no outputs)"
            return "succeeded with\n" + "\n".join(f"    {line}" for line in text.splitlines())
        return f"failed: {self.error}\n" + "\n".join(f"    {line}" for line in self.detail.splitlines())


class Replayed(Exception):
    """A failed run kept by the result store, replayed: it fails as the run it stands for did."""

    def __init__(self, label: str, detail: str) -> None:
        super().__init__(detail)
        self._label, self.detail = label, detail

    def label(self) -> str:
        return self._label


def failure(err: Exception) -> tuple[str, str]:
    """How a run failed, as an outcome shows it: the exception's ``label()`` when it has one (a
    driver's run error) or its class name, and the tail of its text."""
    if isinstance(err, Replayed):
        return err.label(), err.detail
    detail = "".join(traceback.format_exception_only(type(err), err)).strip()
    label = err.label() if callable(getattr(err, "label", None)) else type(err).__name__
    return label, "\n".join(detail.splitlines()[-15:])


def attempt(run: Callable[[], literals_pb2.LiteralMap]) -> RunOutcome:
    """Run one side; an SDK's failure becomes a RunOutcome (``failure``). Bad input to the harness
    (UsageError) and interrupts are not outcomes: they propagate."""
    try:
        return RunOutcome(outputs=run())
    except UsageError:
        raise
    except Exception as err:  # the SDK failed: that is the result under test
        label, detail = failure(err)
        return RunOutcome(error=label, detail=detail)


@dataclass(frozen=True)
class OutcomeComparison:
    jvm: RunOutcome
    python: RunOutcome
    differences: tuple[Difference, ...]

    def found(self, prefix: str = "") -> list[Difference]:
        return [Difference(f"{prefix}{d.path}", d.left, d.right) for d in self.differences]

    def explain(self) -> str:
        lines = [f"JVM and Python differ in {len(self.differences)} field(s) (jvm != python):"] if self.differences \
            else ["JVM and Python agree:"]
        lines += [f"  {d}" for d in self.differences]
        lines += [f"JVM {self.jvm.describe()}", f"Python {self.python.describe()}"]
        return "\n".join(lines)


def compare(jvm: RunOutcome, python: RunOutcome) -> OutcomeComparison:
    """Outputs field by field when both succeeded; ``outcome`` when exactly one failed; nothing
    when both failed (how each failed is in ``explain``; the entrypoint mode compares error
    documents)."""
    if jvm.ok and python.ok:
        differences = tuple(Difference(f"outputs.{d.path}" if d.path else "outputs", d.left, d.right)
                            for d in diff_messages(jvm.outputs, python.outputs))
    elif jvm.ok != python.ok:
        differences = (Difference("outcome", jvm.summary(), python.summary()),)
    else:
        differences = ()
    return OutcomeComparison(jvm, python, differences)
