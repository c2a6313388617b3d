"""One driver per SDK, same verbs: ``build()`` and ``run_local(case) -> LiteralMap``."""

from flyte_parity.sdk.jvm import JvmDriver, JvmRunError
from flyte_parity.sdk.python import PythonDriver

__all__ = ["JvmDriver", "JvmRunError", "PythonDriver"]
