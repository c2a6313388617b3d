"""Benchmark of the parity suite's local run: its warm wall time, what one SDK task run costs as
the suite launches it and as launched bare, the processes it starts, the harness against a bare
replay of the same invocations, a rerun with nothing changed, (``--reruns``, or ``--reruns-only``
for these alone) reruns with the result store (every mode and the local modes with nothing
changed; the local modes with one twin edited; with ``--other-flytekit`` after changing
flytekit), and (``--cold``) a cold set-up
from a fresh clone, step by step; each testee's value round trips per second and the values mode alone
(values tried, wall time). Every figure comes from this one run and is printed with its target.

    python benchmarks/parity_bench.py [--cold | --cold-only] [--no-warm-up] [--no-replay] [--serial] [--repeat N]
                                      [--reruns | --reruns-only [--other-flytekit VERSION]] [--pytest-args "..."]

Steps: (1) `make setup`, then again to see that a rerun rebuilds nothing; (2) the local run —
every parity test at the default versions (tests/parity: the modes; the harness's own tests,
such as the Ctrl-C ones that start sessions of their own, are in tests/harness) — once to warm caches, then once measured with FLYTE_PARITY_PROCESS_LOG on; (3) one
logged invocation of each kind (`jflyte execute`, `jflyte execute-local`, `pyflyte-execute`) run
``--repeat`` times as the suite launches it and as launched bare with defaults, alternating,
medians and their ratio; (4) every logged invocation replayed bare, one after the other. Not a
test: nothing here passes or fails on time. ``--serial`` adds the same run with the case runner off
(``--parity-workers=0``), for a before/after from one benchmark run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flyte_parity.sdk.fork_parent import ForkParent  # noqa: E402
from flyte_parity.sdk.jflyte import START_FLAGS  # noqa: E402

TARGETS = {"wall": 60.0, "jvm": 0.6, "python": 0.3, "harness": 1.3,
           "testee": 2000, "values": 20_000, "values_wall": 30.0}


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    for arg in command:  # a task run's own temporary folder, removed after the run: made again
        if arg.startswith("-Djava.io.tmpdir="):
            Path(arg.split("=", 1)[1]).mkdir(parents=True, exist_ok=True)
    return subprocess.run(command, cwd=kwargs.pop("cwd", ROOT), **kwargs)


def _jar_stamps() -> dict[str, float]:
    return {str(p.relative_to(ROOT)): p.stat().st_mtime for p in sorted((ROOT / "jvm").glob("**/target/**/*.jar"))}


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _pytest(extra: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """One parity run, every SDK invocation run (no result replayed): its wall seconds, pytest's exit
    code, and the CPU seconds it and every process it started used (user + system)."""
    command = [str(ROOT / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider", "tests/parity",
               "--no-result-cache", *extra]
    started, cpu = time.monotonic(), _cpu()
    result = _run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started, result.returncode, _cpu() - cpu


def _bare_jvm(command: list[str]) -> list[str]:
    """The same jflyte call with the JVM's defaults: no class-data archive, no start-up flags."""
    return [arg for arg in command if arg not in START_FLAGS and not arg.startswith("-XX:SharedArchiveFile=")]


def _timed(run) -> float:
    started = time.monotonic()
    run()
    return time.monotonic() - started


def _per_launch(entries: list[dict], repeat: int) -> list[tuple[str, float, float, set[int]]]:
    """(kind, median as launched, median bare, the exit codes seen) for one logged invocation of
    each kind; both ways must end alike for the comparison to mean anything."""
    figures = []
    for kind in ("jvm:execute", "jvm:execute-local", "python:pyflyte-execute"):
        sample = next((e for e in entries if e["kind"] == kind), None)
        if sample is None:
            continue
        quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        codes: set[tuple[str, int]] = set()
        launched, bare = [], []
        if kind.startswith("jvm:"):
            def as_launched():
                codes.add(("launched", _run(sample["command"], cwd=sample["cwd"], env=sample["env"], **quiet).returncode))

            def as_bare():
                codes.add(("bare", _run(_bare_jvm(sample["command"]), cwd=sample["cwd"], env=sample["env"],
                                        **quiet).returncode))
            forks = None
        else:
            # the logged TMPDIR was the run's own folder, gone now: flytekit's folders go to one of ours
            scratch = tempfile.mkdtemp(prefix="parity-bench-tmp-")
            env = {**sample["env"], "TMPDIR": scratch}
            forks = ForkParent(dict(env), Path(sample["cwd"]))

            def as_launched():
                codes.add(("launched", forks.run(sample["command"], env, Path(sample["cwd"])).returncode))

            def as_bare():
                codes.add(("bare", _run(sample["command"], cwd=sample["cwd"], env=env, **quiet).returncode))
        try:
            as_launched()  # warm: the fork parent's import, the page cache
            for _ in range(repeat):
                launched.append(_timed(as_launched))
                bare.append(_timed(as_bare))
        finally:
            if forks is not None:
                forks.close()
                shutil.rmtree(scratch, ignore_errors=True)
        figures.append((kind, statistics.median(launched), statistics.median(bare), codes))
    return figures


def _cold(env: dict[str, str]) -> list[tuple[str, float]]:
    """A fresh clone's set-up, step by step: (step, seconds)."""
    steps = []
    with tempfile.TemporaryDirectory(prefix="parity-bench-clone-") as folder:
        clone = Path(folder) / "clone"
        steps.append(("git clone", _timed(lambda: _run(["git", "clone", "-q", str(ROOT), str(clone)],
                                                       check=True))))
        steps.append(("make python (virtualenv, pip install)",
                      _timed(lambda: _run(["make", "-s", "python"], cwd=clone, env=env, check=True,
                                          stdout=subprocess.DEVNULL))))
        marks, started = [], time.monotonic()
        process = subprocess.Popen(["make", "-s", "jvm"], cwd=clone, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        for line in process.stdout:
            if line.startswith("==>"):
                marks.append((time.monotonic() - started, line.strip()[:90]))
        process.wait()
        total = time.monotonic() - started
        for (at, label), following in zip(marks, [m[0] for m in marks[1:]] + [total]):
            steps.append((f"  jvm: {label}", following - at))  # a step runs from its line to the next
        steps.append(("make jvm (flytekit-java source build, reactor, class-data archive)", total))
        if process.returncode != 0:
            steps.append((f"make jvm FAILED (exit {process.returncode})", 0.0))
        admin = shutil.which("python3") and os.environ.get("FLYTEADMIN_BIN")
        if admin:
            code = ("import sys,tempfile,pathlib,time; sys.path.insert(0, sys.argv[1]);"
                    "from flyte_parity.services.flyteadmin import flyteadmin;"
                    "d=pathlib.Path(tempfile.mkdtemp(prefix='flyte-parity-admin-')); d.chmod(0o755);"
                    "t=time.monotonic();\nwith flyteadmin(d): print(time.monotonic()-t)")
            result = _run([str(clone / ".venv" / "bin" / "python"), "-c", code, str(clone)], env=env,
                          capture_output=True, text=True)
            if result.returncode == 0:
                steps.append(("local FlyteAdmin start (initdb, migrate, seed, healthy)", float(result.stdout.strip())))
    return steps


def _values(extra: list[str]) -> tuple[list[tuple[str, int, float]], float, int, int]:
    """Each testee's round trips per second (one in flight, and 64), then the values mode alone:
    its wall time, the values it tried and pytest's exit code."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from testee_bench import measure
    rates = measure(10_000)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/parity", "-k",
                             "values:", *extra], cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    tried = next((int(line.split(";")[1].split()[0]) for line in result.stdout.splitlines()
                  if line.startswith("values mode: seed")), 0)
    return rates, wall, tried, result.returncode


TWIN = ROOT / "python_wf" / "welcome.py"  # the twin the second rerun edits (put back after)
# make parity's targets; the admin modes' runs are never kept (the server's state is part of their
# input), so the local modes' reruns show what the store itself gives against the same targets.
RERUN_TARGETS = {"every mode, nothing changed": 15.0, "local modes, nothing changed": 15.0,
                 "local modes, one twin edited": 30.0}


def _stored_run(extra: list[str], python: str = sys.executable, more_env: dict[str, str] | None = None,
                local: bool = True) -> tuple[float, int, int, int]:
    """One run of the local modes (``local``; else every mode) with the result store on (with
    ``python``'s flytekit): wall seconds, pytest's exit code, and the SDK results it replayed and
    recorded (what ran)."""
    env = {**{k: v for k, v in os.environ.items() if k != "CI"}, **(more_env or {})}
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/parity",
               *(["--without=admin"] if local else []), f"--values-seed={SEED}", *extra]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    line = next((l for l in result.stdout.splitlines() if l.startswith("SDK results: ")), "")
    words = line.split()
    replayed = int(words[2]) if len(words) > 2 and words[2].isdigit() else 0
    recorded = int(line.split(", ")[1].split()[0]) if ", " in line else 0
    MATRICES.append(_cells())
    for failed in [l for l in result.stdout.splitlines() if l.startswith(("FAILED ", "ERROR "))][:10]:
        print(f"    {failed}", flush=True)  # what a failing run failed on (the reports are the next run's)
    return wall, result.returncode, replayed, recorded


MATRICES: list[dict] = []  # each measured run's matrix cells, in order
# One values seed for every run the reruns compare (a values cell counts the values each rule
# explained, which depend on the seed; with the store on, a rerun keeps one seed anyway).
SEED = int.from_bytes(os.urandom(4), "big")


def _cells() -> dict:
    """The matrix cells the last run wrote (reports/matrix.json), or {} when it wrote none."""
    try:
        return json.loads((ROOT / "reports" / "matrix.json").read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return {}


def _reruns(extra: list[str]) -> list[tuple[str, float, int, int, int]]:
    """Every mode (``make parity``'s run) once to fill a store of their own (removed after), then
    rerun with nothing changed; the same for the local modes alone (``--without=admin``: every SDK
    result the store can keep); then the local modes with one twin edited (a comment appended; the
    file is put back however the run ends)."""
    with tempfile.TemporaryDirectory(prefix="parity-bench-results-") as store:
        own = {"FLYTE_PARITY_RESULTS": store}
        runs = [("every mode, the store off (--no-result-cache)",
                 *_stored_run([*extra, "--no-result-cache"], more_env=own, local=False)),
                ("every mode, first run (fills the store)", *_stored_run(extra, more_env=own, local=False)),
                ("every mode, nothing changed", *_stored_run(extra, more_env=own, local=False)),
                ("local modes, nothing changed", *_stored_run(extra, more_env=own))]
        original = TWIN.read_bytes()
        try:
            TWIN.write_bytes(original + b"\n# an edit that changes no behaviour (benchmarks/parity_bench.py)\n")
            runs.append(("local modes, one twin edited", *_stored_run(extra, more_env=own)))
        finally:
            TWIN.write_bytes(original)
    return runs


def _flytekit_rerun(extra: list[str], version: str) -> tuple[float, int, int, int, int, int, int]:
    """A store of its own filled by a run with flytekit ``version`` (a virtualenv of its own; both
    removed after), then the local modes rerun with this one: wall seconds, pytest's exit code,
    results replayed and recorded, JVM task processes started, how many of those were fed what a
    Python task wrote, and how many times a JVM testee started (it starts only when a batch of its
    answers is not kept)."""
    with tempfile.TemporaryDirectory(prefix="parity-bench-flytekit-") as folder:
        venv, own = Path(folder) / "venv", {"FLYTE_PARITY_RESULTS": str(Path(folder) / "results")}
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-e",
                        f"{ROOT}[dev]", f"flytekit=={version}"], check=True, stdout=subprocess.DEVNULL)
        _stored_run(extra, python=str(venv / "bin" / "python"), more_env=own)
        log = Path(folder) / "processes.jsonl"
        wall, code, replayed, recorded = _stored_run(extra, more_env={**own, "FLYTE_PARITY_PROCESS_LOG": str(log)})
        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    jvm = [e for e in entries if e["kind"].startswith("jvm:") and e["kind"] != "jvm:testee"]
    fed = [e for e in jvm if any("python-to-jvm" in arg for arg in e["command"])]
    testees = [e for e in entries if e["kind"] == "jvm:testee"]
    return wall, code, replayed, recorded, len(jvm), len(fed), len(testees)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _verdict(cell: dict) -> dict:
    """A matrix cell without the time it was written."""
    return {key: value for key, value in cell.items() if key != "as_of"}


def _print_reruns(reruns, flytekit_rerun, other: str) -> None:
    off = MATRICES[0] if MATRICES else {}
    for (what, seconds, exit_code, replayed, recorded), cells in zip(reruns, MATRICES):
        target = RERUN_TARGETS.get(what)
        verdict = f" — target <= {target:.0f} s: {_met(seconds <= target)}" if target else ""
        shared = [(row, mode) for row, cell in cells.items() for mode in cell if mode in off.get(row, {})]
        differ = [f"{row} x {mode}" for row, mode in shared
                  if _verdict(cells[row][mode]) != _verdict(off[row][mode])]
        matrix = ("MATRIX CELLS DIFFER from the store-off run: " + ", ".join(differ[:5]) if differ else
                  f"its {len(shared)} matrix cells as with the store off" if shared else "no matrix to compare")
        print(f"rerun, {what}: {seconds:.1f} s wall (pytest exit {exit_code}), {replayed} SDK results replayed, "
              f"{recorded} recorded; {matrix}{verdict}")
    if flytekit_rerun is not None:
        seconds, exit_code, replayed, recorded, jvm, fed, testees = flytekit_rerun
        cells, off = MATRICES[-1] if MATRICES else {}, MATRICES[0] if MATRICES else {}
        differ = [f"{row} x {mode}" for row, cell in cells.items() for mode in cell
                  if mode in off.get(row, {}) and _verdict(cell[mode]) != _verdict(off[row][mode])]
        print(f"rerun after changing flytekit {other} -> this one: {seconds:.1f} s wall (pytest exit "
              f"{exit_code}), {replayed} SDK results replayed, {recorded} ran; JVM processes run again: {jvm}, of "
              f"them {fed} fed what a Python task wrote; JVM testees started: {testees} — target no JVM task run "
              f"repeated (but those fed a Python task's output): {_met(jvm == fed and testees == 0)}; matrix cells "
              + (f"that differ from the store-off run's: {', '.join(differ[:5])}" if differ else
                 "as with the store off"))
    elif reruns:
        print("rerun after changing the flytekit version: not measured (pass --other-flytekit VERSION); a JVM "
              "invocation's key holds no flytekit part (tests/unit/test_results.py)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-replay", action="store_true", help="skip the bare replay of every invocation")
    parser.add_argument("--cold", action="store_true", help="also time a fresh clone's set-up, step by step")
    parser.add_argument("--cold-only", action="store_true", help="only the fresh clone's set-up, step by step")
    parser.add_argument("--no-warm-up", action="store_true", help="skip the warm-up run (caches are warm already)")
    parser.add_argument("--repeat", type=int, default=8, help="runs per launch kind for the medians (default 8)")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments")
    parser.add_argument("--no-values", action="store_true", help="skip the testees' rates and the values mode alone")
    parser.add_argument("--reruns", action="store_true",
                        help="also measure reruns of the local modes with the result store: nothing changed, "
                             "one twin edited")
    parser.add_argument("--reruns-only", action="store_true",
                        help="only the reruns with the result store (and --other-flytekit's), after make setup")
    parser.add_argument("--other-flytekit", default="", metavar="VERSION",
                        help="with --reruns: also fill the store with flytekit VERSION (a virtualenv of its own) "
                             "and rerun with this one, counting the JVM processes that run again")
    parser.add_argument("--serial", action="store_true",
                        help="also run the suite with --parity-workers=0 (each test runs its own case), "
                             "for the before/after of the case runner")
    options = parser.parse_args()
    extra = shlex.split(options.pytest_args)
    if options.cold_only:
        print("cold set-up from a fresh clone:")
        for step, seconds in _cold(dict(os.environ)):
            print(f"  {seconds:7.1f} s  {step}")
        return 0

    print("==> set-up: make setup", flush=True)
    if _run(["make", "-s", "setup"]).returncode != 0:
        print("make setup failed; run it alone to see why", file=sys.stderr)
        return 2
    if options.reruns_only:
        print(f"==> reruns with the result store (every run with --values-seed={SEED})", flush=True)
        _print_reruns(_reruns(extra), _flytekit_rerun(extra, options.other_flytekit) if options.other_flytekit
                      else None, options.other_flytekit)
        return 0
    before = _jar_stamps()
    started = time.monotonic()
    _run(["make", "-s", "setup"], stdout=subprocess.DEVNULL)
    setup_seconds = time.monotonic() - started
    rebuilt = sorted(k for k, v in _jar_stamps().items() if before.get(k) != v)

    with tempfile.TemporaryDirectory(prefix="parity-bench-") as private:
        os.chmod(private, 0o700)  # the process log holds the environment
        log = Path(private) / "processes.jsonl"
        if not options.no_warm_up:
            print("==> warm-up run", flush=True)
            _pytest(extra, dict(os.environ))
        print("==> measured run", flush=True)
        wall, code, cpu = _pytest(extra, {**os.environ, "FLYTE_PARITY_PROCESS_LOG": str(log)})
        print(f"    {wall:.1f} s wall, pytest exit {code}, CPU {cpu:.1f} s", flush=True)
        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
        print(f"==> one launch of each kind, {options.repeat}x as launched and bare, alternating", flush=True)
        launches = _per_launch(entries, options.repeat)
        bare, gone = None, 0
        if not options.no_replay:
            print(f"==> replaying {len(entries)} invocations bare, one after the other", flush=True)
            bare = 0.0
            for entry in entries:
                if not Path(entry["cwd"]).is_dir():  # a folder the run removed: the invocation cannot be replayed
                    gone += 1
                    continue
                bare += _timed(lambda: _run(entry["command"], cwd=entry["cwd"], env=entry["env"],
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
            print(f"    {bare:.1f} s", flush=True)
        serial = None
        if options.serial:  # after the replay: its session may prune the measured run's folders
            print("==> the same run with --parity-workers=0", flush=True)
            serial = _pytest([*extra, "--parity-workers=0"], dict(os.environ))
            print(f"    {serial[0]:.1f} s wall, pytest exit {serial[1]}, CPU {serial[2]:.1f} s", flush=True)
    cold = _cold(dict(os.environ)) if options.cold else []
    reruns = []
    if options.reruns:
        print("==> reruns with the result store (local modes: --without=admin)", flush=True)
        reruns = _reruns(extra)
    flytekit_rerun = _flytekit_rerun(extra, options.other_flytekit) if options.reruns and options.other_flytekit else None
    if not options.no_values:
        print("==> the testees' round trips, then the values mode alone", flush=True)
        rates, values_wall, tried, values_code = _values(extra)

    kinds = Counter(e["kind"] for e in entries)
    hows = Counter(e.get("how", "started") for e in entries if e["kind"] == "python:pyflyte-execute")
    jvm = sum(n for k, n in kinds.items() if k.startswith("jvm:"))
    python = sum(n for k, n in kinds.items() if k.startswith("python:"))
    print()
    print(f"full local run, warm: {wall:.1f} s wall (pytest exit {code}) — target <= {TARGETS['wall']:.0f} s: "
          f"{_met(wall <= TARGETS['wall'])}")
    print(f"  CPU of the run (pytest and every process it started): {cpu:.1f} s, {cpu / wall:.2f} of "
          f"{os.cpu_count()} cores on average")
    if serial is not None:
        print(f"  the same run with --parity-workers=0: {serial[0]:.1f} s wall (pytest exit {serial[1]}), CPU "
              f"{serial[2]:.1f} s; with the case runner {wall / serial[0]:.2f}x of that")
    for kind, launched, plain, codes in launches:
        target = TARGETS["jvm"] if kind.startswith("jvm:") else TARGETS["python"]
        shown = ", ".join(f"{how} exit {code}" for how, code in sorted(codes))
        print(f"one {kind.split(':', 1)[1]}: {launched:.2f} s as launched, {plain:.2f} s bare, "
              f"{launched / plain:.2f}x — target <= {target}x: {_met(launched / plain <= target)} ({shown})")
    print(f"processes: {jvm} JVM, {python} Python ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}); "
          f"pyflyte-execute runs {dict(hows)}")
    if bare is not None:
        skipped = f" ({gone} not replayable: their folder was gone)" if gone else ""
        print(f"bare replay of the same invocations, one after the other: {bare:.1f} s{skipped}; harness/bare = "
              f"{wall / bare:.2f} — target <= {TARGETS['harness']}: {_met(wall / bare <= TARGETS['harness'])}")
    print(f"rerun with nothing changed: make setup {setup_seconds:.1f} s, jars rewritten: {len(rebuilt)} — "
          f"{_met(not rebuilt)}")
    if not options.no_values:
        for side, window, measured in rates:
            print(f"{side} testee, {window:>2} in flight: {measured:.0f} value round trips/s — target >= "
                  f"{TARGETS['testee']}: {_met(measured >= TARGETS['testee'])}")
        print(f"values mode alone: {tried} generated values in {values_wall:.1f} s wall (pytest exit {values_code}) — "
              f"targets >= {TARGETS['values']} values: {_met(tried >= TARGETS['values'])}, <= "
              f"{TARGETS['values_wall']:.0f} s: {_met(values_wall <= TARGETS['values_wall'])}")
    _print_reruns(reruns, flytekit_rerun, options.other_flytekit)
    if cold:
        print("cold set-up from a fresh clone:")
        for step, seconds in cold:
            print(f"  {seconds:7.1f} s  {step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
