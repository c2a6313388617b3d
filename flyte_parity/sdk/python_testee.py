"""The Python testee: flytekit tasks run on many values in one process (protocol: ``sdk.testee``).

``python -m flyte_parity.sdk.python_testee`` in the Python twins' environment. Each request names
a task as ``module:attribute``; it is loaded once through flytekit's default task resolver (what
``pyflyte-execute --resolver … -- task-module M task-name T`` loads) and run as ``pyflyte-execute``
runs it: inside flytekit's ``setup_execution`` context, ``task.dispatch_execute(ctx, inputs)``,
errors classified into a ``ContainerError`` the way flytekit's entrypoint classifies them (user,
non-recoverable system, any other as recoverable system). What it leaves out: the process, the
files (inputs.pb, outputs.pb, error.pb through the file access layer), output offloading and decks.
"""

from __future__ import annotations

import logging
import sys
import tempfile

from flyte_parity.sdk.testee import ERROR, OUTPUTS, read_frame, write_frame


CPU_VARIABLE = "FLYTE_PARITY_TESTEE_CPU"  # the core this testee keeps to, when set


def main() -> int:
    import os
    if os.environ.get(CPU_VARIABLE, "").isdigit():
        # dispatch_execute hands each call to flytekit's event-loop thread and back: on one core
        # those hand-offs cost about half what they cost across cores (threads made later inherit it)
        os.sched_setaffinity(0, {int(os.environ[CPU_VARIABLE])})
    from flyteidl.core import literals_pb2
    from flytekit.bin import entrypoint
    from flytekit.core.python_auto_container import default_task_resolver

    # the very classes the entrypoint's own classification uses
    VoidPromise = entrypoint.VoidPromise
    FlyteUserRuntimeException = entrypoint.FlyteUserRuntimeException
    FlyteNonRecoverableSystemException = entrypoint.FlyteNonRecoverableSystemException
    FlyteRecoverableException = entrypoint.FlyteRecoverableException
    literal_models, error_models = entrypoint._literal_models, entrypoint._error_models
    execution_models = entrypoint._execution_models

    logging.getLogger("flytekit").handlers[:] = [logging.StreamHandler(sys.stderr)]
    worker = entrypoint._get_worker_name()
    tasks: dict = {}

    def load(name: str):
        if name not in tasks:
            module, _, attribute = name.partition(":")
            tasks[name] = default_task_resolver.load_task(["task-module", module, "task-name", attribute])
        return tasks[name]

    def error(code: str, message: str, kind, origin, exception) -> bytes:
        document = error_models.ErrorDocument(error_models.ContainerError(
            code=code, message=message, kind=kind, origin=origin,
            timestamp=entrypoint.get_container_error_timestamp(exception), worker=worker))
        return ERROR + document.to_flyte_idl().SerializeToString()

    def answer(ctx, name: str, payload: bytes) -> bytes:
        try:
            try:
                task = load(name)
            except Exception as e:  # as the entrypoint: a task that cannot load is the user's
                raise FlyteUserRuntimeException(e) from e
            inputs = literal_models.LiteralMap.from_flyte_idl(literals_pb2.LiteralMap.FromString(payload))
            outputs = task.dispatch_execute(ctx, inputs)
            if isinstance(outputs, VoidPromise):
                outputs = literal_models.LiteralMap(literals={})
            if not isinstance(outputs, literal_models.LiteralMap):
                return error("UNKNOWN_OUTPUT", f"Type of output received not handled {type(outputs)} outputs: {outputs}",
                             error_models.ContainerError.Kind.RECOVERABLE,
                             execution_models.ExecutionError.ErrorKind.SYSTEM, None)
            return OUTPUTS + outputs.to_flyte_idl().SerializeToString()
        except FlyteUserRuntimeException as e:
            kind = (error_models.ContainerError.Kind.RECOVERABLE if isinstance(e.value, FlyteRecoverableException)
                    else error_models.ContainerError.Kind.NON_RECOVERABLE)
            return error(e.error_code, entrypoint.get_traceback_str(e), kind,
                         execution_models.ExecutionError.ErrorKind.USER, e.value)
        except FlyteNonRecoverableSystemException as e:
            return error("SYSTEM", entrypoint.get_traceback_str(e.value), error_models.ContainerError.Kind.NON_RECOVERABLE,
                         execution_models.ExecutionError.ErrorKind.SYSTEM, e.value)
        except Exception as e:
            return error("SYSTEM", entrypoint.get_traceback_str(e), error_models.ContainerError.Kind.RECOVERABLE,
                         execution_models.ExecutionError.ErrorKind.SYSTEM, e)

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a task's prints must not reach the protocol's stream
    with tempfile.TemporaryDirectory(prefix="flyte-parity-testee-") as scratch:
        with entrypoint.setup_execution(f"{scratch}/raw", f"{scratch}/outputs") as ctx:
            while (name := read_frame(stdin)) is not None:
                payload = read_frame(stdin)
                if payload is None:
                    raise EOFError("input ended between a request's task name and its inputs")
                write_frame(stdout, answer(ctx, name.decode("utf-8"), payload))
                stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
