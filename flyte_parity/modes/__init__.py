"""The ways of comparing the SDKs, one module each (``base.Mode``), in one registry
(``registry``); importing this package registers the built-in modes in the matrix's column order.
``run.ParityRun`` is a session as the modes see it."""

from flyte_parity.modes import (  # noqa: F401  (each registers its mode)
    execute_local, idl, entrypoint, bad_inputs, register, execution, types, values, admin_answers, schema_drift,
)
