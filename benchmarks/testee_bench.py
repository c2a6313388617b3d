"""Benchmark of the long-lived testees: value round trips per second through each SDK's testee,
one request in flight at a time and pipelined (64 in flight), on the integer identity task, after
a warm-up. Printed with the target (at least 2,000 round trips per second per testee) and whether
it is met. Not a test: nothing here passes or fails on time.

    python benchmarks/testee_bench.py [--requests N]

Needs the JVM build (`make jvm`) and the Python environment (`make setup`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flyte_parity.base import paths, versions  # noqa: E402
from flyte_parity.data.catalogue import load_catalogue  # noqa: E402
from flyte_parity.sdk.jvm import JvmDriver  # noqa: E402
from flyte_parity.sdk.python import PythonDriver  # noqa: E402
from flyte_parity.values.exchange import inputs_of, returned  # noqa: E402
from flyte_parity.values.strategies import integer_literal  # noqa: E402

TARGET = 2000  # round trips per second, per testee


def rate(testee, task: str, count: int, window: int) -> float:
    requests = [(task, inputs_of(integer_literal(i))) for i in range(count)]
    started = time.perf_counter()
    answers = testee.call_many(requests, window=window)
    elapsed = time.perf_counter() - started
    wrong = [i for i, answer in enumerate(answers) if returned(answer).scalar.primitive.integer != i]
    if wrong:
        raise SystemExit(f"the testee answered {len(wrong)} request(s) wrongly (first: request {wrong[0]})")
    return count / elapsed


def measure(requests: int) -> list[tuple[str, int, float]]:
    """(side, requests in flight, round trips per second) for each testee, one in flight and 64."""
    catalogue = load_catalogue(paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml", paths.REPO_ROOT)
    catalogue = catalogue.at(versions.flytekit_java())
    row = next(e for e in catalogue.types if e.kind == "integer" and e.source.name == "own-java")
    rates = []
    with tempfile.TemporaryDirectory(prefix="flyte-parity-bench-") as tmp:
        work = Path(tmp)
        python = PythonDriver(work / "python")
        try:
            sides = (("jvm", JvmDriver(work / "jvm"), row.source, row.jvm),
                     ("python", python, row.sources.python, row.python))
            for side, driver, source, task in sides:
                with driver.testee([source], {}, work / "logs", 0) as testee:
                    rate(testee, task, 500, 64)
                    rates += [(side, window, rate(testee, task, requests, window)) for window in (1, 64)]
        finally:
            python.close()
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args()
    print(f"{versions.line()}; {args.requests} integer round trips per measurement, after 500 to warm up")
    for side, window, measured in measure(args.requests):
        verdict = "met" if measured >= TARGET else "not met"
        print(f"{side} testee, {window:>2} in flight: {measured:8.0f} round trips/s (target >= {TARGET}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
