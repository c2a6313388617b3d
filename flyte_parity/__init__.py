"""flyte-parity: runs the same workflows on flytekit-java and flytekit and compares what they emit."""

__version__ = "0.1.0"
