"""One driver per SDK, same verbs: ``build()`` and ``run_local(case) -> LiteralMap``."""

from .jvm import JvmDriver, JvmRunError
from .python import PythonDriver

__all__ = ["JvmDriver", "JvmRunError", "PythonDriver"]
