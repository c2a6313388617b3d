"""Standalone reproducers of ledger topics (``flyte-parity explain``)."""
