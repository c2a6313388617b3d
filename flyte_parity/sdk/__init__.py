"""Both SDKs behind one interface (``driver.Driver``): one driver per SDK with the same verbs, and
what they share — the container contract, launching processes, reading what an SDK wrote."""

from flyte_parity.sdk.jvm import JvmDriver, JvmRunError
from flyte_parity.sdk.python import PythonDriver

__all__ = ["JvmDriver", "JvmRunError", "PythonDriver"]
