"""The case runner's scheduling and the launch switch: work started ahead is waited for, work not
started is done by the test that asks, errors reach the test, Ctrl-C refuses new SDK processes and
ends the running ones."""

import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from flyte_parity.sdk import launches
from flyte_parity.modes.case_runner import CaseRunner


class Recording(CaseRunner):
    """A case runner whose work is a recorded call (the modes' work is covered by the parity tests)."""

    def __init__(self, workers, work):
        super().__init__(workers)
        self.calls, self.threads, self.fn = [], [], work

    def _work(self, kind, subject):
        def run():
            self.calls.append((kind, subject.id))
            self.threads.append(threading.current_thread().name)
            return self.fn(kind, subject)
        return run

    def submit(self, kind, subject):
        super().submit((kind, subject.id), self._work(kind, subject))

    def result(self, kind, subject):
        return super().result((kind, subject.id), self._work(kind, subject))


def case(name):
    return SimpleNamespace(id=name)


def test_submitted_work_runs_once_in_a_worker_and_its_result_is_what_the_test_gets():
    runner = Recording(2, lambda kind, subject: f"{kind}:{subject.id}")
    runner.submit("types", case("a"))
    runner.submit("types", case("a"))  # the same case again: not a second run
    assert runner.result("types", case("a")) == "types:a"
    assert runner.result("types", case("a")) == "types:a"
    runner.close()
    assert runner.calls == [("types", "a")]
    assert runner.threads[0].startswith("flyte-parity-case")


def test_work_not_submitted_runs_in_the_asking_thread():
    runner = Recording(2, lambda kind, subject: subject.id * 2)
    assert runner.result("entrypoint", case("x")) == "xx"
    runner.close()
    assert runner.threads == [threading.current_thread().name]


def test_without_workers_nothing_runs_ahead():
    runner = Recording(0, lambda kind, subject: subject.id)
    runner.submit("types", case("a"))
    assert runner.calls == []
    assert runner.result("types", case("a")) == "a"
    assert runner.threads == [threading.current_thread().name]


def test_an_error_in_the_work_is_raised_to_every_test_that_asks():
    def fail(kind, subject):
        raise RuntimeError(f"{subject.id} broke")

    runner = Recording(1, fail)
    runner.submit("bad-inputs", case("p"))
    for _ in range(2):
        with pytest.raises(RuntimeError, match="p broke"):
            runner.result("bad-inputs", case("p"))
    runner.close()


def test_close_drops_work_not_started():
    gate = threading.Event()
    runner = Recording(1, lambda kind, subject: gate.wait(5))
    for name in "abcd":
        runner.submit("types", case(name))
    time.sleep(0.2)
    threading.Timer(0.3, gate.set).start()
    runner.close()
    assert runner.calls == [("types", "a")]


def test_results_come_in_any_order_while_work_runs_two_at_a_time():
    running, most = [], []
    lock = threading.Lock()

    def work(kind, subject):
        with lock:
            running.append(subject.id)
            most.append(len(running))
        time.sleep(0.2)
        with lock:
            running.remove(subject.id)
        return subject.id

    runner = Recording(2, work)
    for name in "abcdef":
        runner.submit("entrypoint", case(name))
    assert [runner.result("entrypoint", case(n)) for n in "fedcba"] == list("fedcba")
    runner.close()
    assert max(most) == 2


@pytest.fixture
def switch():
    launches.resume()
    yield
    launches.resume()


def test_launch_switch_ends_running_processes_and_refuses_new_ones(switch):
    process = launches.start([sys.executable, "-c", "import time; time.sleep(60)"])
    started = time.monotonic()
    launches.stop()
    assert process.poll() is not None and launches.running() == 0
    assert time.monotonic() - started < 5
    with pytest.raises(launches.Stopped, match="the run is stopping"):
        launches.start([sys.executable, "-c", "pass"])
    with pytest.raises(launches.Stopped):
        launches.run([sys.executable, "-c", "pass"], timeout=10)
    launches.resume()
    done = launches.run([sys.executable, "-c", "print('again')"], timeout=10)
    assert (done.returncode, done.stdout) == (0, "again\n")


def test_a_process_that_ignores_terminate_is_killed(switch):
    process = launches.start([sys.executable, "-c",
                              "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                              "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "ready\n"
    launches.stop(grace=0.5)
    assert process.returncode == -9
    process.stdout.close()


def test_run_gives_exit_code_and_both_streams_and_forgets_the_process(switch):
    before = launches.running()
    done = launches.run([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"],
                        timeout=10)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")
    assert launches.running() == before


def test_while_held_other_threads_wait_to_start_and_the_hold_begins_once_running_ones_end(switch):
    first = launches.start([sys.executable, "-c", "import time; time.sleep(0.5)"])
    threading.Thread(target=lambda: (first.wait(), launches.finished(first))).start()
    started = []
    with launches.held():
        assert first.poll() is not None  # the hold began after the running process ended
        worker = threading.Thread(target=lambda: started.append(launches.run([sys.executable, "-c", "pass"],
                                                                            timeout=10)))
        worker.start()
        time.sleep(0.5)
        assert started == []  # waiting, not refused
        mine = launches.run([sys.executable, "-c", "print('holder')"], timeout=10)  # the holder's own start goes on
        assert mine.stdout == "holder\n"
    worker.join(10)
    assert [done.returncode for done in started] == [0]
