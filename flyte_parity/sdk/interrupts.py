"""Ctrl-C ends a run: importing flytekit replaces Python's SIGINT handler with one that runs
flytekit's cleanup handlers and then calls ``exit(1)`` — inside pytest that SystemExit fails the
running test and the session goes on starting SDK processes. ``keep_ctrl_c`` puts back a handler
that still runs flytekit's cleanup handlers, then raises KeyboardInterrupt as Python does, so
pytest stops the session (and every driver stops its children on the way out)."""

from __future__ import annotations

import signal
import threading


def _handler(signum, frame) -> None:
    try:
        from flytekit.core.context_manager import FlyteContextManager

        cleanups = list(FlyteContextManager.signal_handlers)
    except Exception:  # flytekit absent or changed: nothing of its own to clean up
        cleanups = []
    for cleanup in cleanups:
        try:
            cleanup(signum, frame)
        except Exception:
            pass
    raise KeyboardInterrupt


def keep_ctrl_c() -> None:
    """Make SIGINT raise KeyboardInterrupt (after flytekit's cleanup handlers); main thread only."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _handler)
