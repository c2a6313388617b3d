"""Ctrl-C raises KeyboardInterrupt again after flytekit's import replaced the SIGINT handler."""

import os
import subprocess
import sys
import textwrap


def test_sigint_after_importing_flytekit_is_a_keyboard_interrupt_and_runs_flytekits_cleanup(tmp_path):
    program = textwrap.dedent("""
        import os, signal, time
        import flytekit
        from flytekit.core.context_manager import FlyteContextManager
        from flyte_parity.sdk.interrupts import keep_ctrl_c
        FlyteContextManager.signal_handlers.append(lambda signum, frame: print("cleanup ran", flush=True))
        keep_ctrl_c()
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
            print("not interrupted")
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
    """)
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": os.getcwd(), "TMPDIR": str(tmp_path)})
    assert result.stdout.split() == ["cleanup", "ran", "KeyboardInterrupt"], result.stdout + result.stderr


def test_without_it_flytekit_turns_sigint_into_exit_1(tmp_path):
    """The reason for keep_ctrl_c: shows flytekit's own handler (if this starts failing, flytekit changed)."""
    program = "import os, signal, time, flytekit\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TMPDIR": str(tmp_path)})  # flytekit's import-time folders
    assert result.returncode == 1 and "KeyboardInterrupt" not in result.stderr
