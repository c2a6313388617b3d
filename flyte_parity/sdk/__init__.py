"""Both SDKs behind one interface (``driver.Driver``): one driver per SDK with the same verbs
(``jvm.JvmDriver``, ``python.PythonDriver``), and what they share — the container contract,
launching processes, reading what an SDK wrote. Importing the package imports no SDK."""
