"""The IDL core: pure functions over flyteidl messages (no I/O, no drivers, no services)."""
