"""The Python side: runs flytekit workflows in this process and types their outputs with TypeEngine."""

from __future__ import annotations

import importlib
import os
from typing import Any

from flyteidl.core import literals_pb2

from ..catalogue import Case
from ..errors import UsageError

# Local runs must compute every time: a cached result would hide a changed task body.
os.environ.setdefault("FLYTE_LOCAL_CACHE_ENABLED", "false")


def load_workflow(ref: str) -> Any:
    """Import ``module:workflow``."""
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise UsageError(f"cannot import {module_name} for {ref}: {err}; check the catalogue's python entry") from None
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UsageError(f"{module_name} has no {attr}; check the catalogue's python entry") from None


class PythonDriver:
    """flytekit in this process: build (import check), run_local."""

    language = "python"

    def build(self) -> None:
        importlib.import_module("flytekit")

    def run_local(self, case: Case) -> literals_pb2.LiteralMap:
        workflow = load_workflow(case.pair.python)
        result = workflow(**case.inputs)
        return outputs_to_literal_map(workflow, result)


def outputs_to_literal_map(workflow: Any, result: Any) -> literals_pb2.LiteralMap:
    """A local workflow result as a flyteidl LiteralMap, typed by the workflow's Python interface."""
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    hints = dict(workflow.python_interface.outputs)
    names = list(hints)
    if hasattr(result, "_fields"):
        values = dict(zip(result._fields, result))
    elif len(names) == 1:
        values = {names[0]: result}
    elif result is None and not names:
        values = {}
    else:
        values = dict(zip(names, result))
    ctx = FlyteContextManager.current_context()
    return TypeEngine.dict_to_literal_map(ctx, values, type_hints=hints).to_flyte_idl()
