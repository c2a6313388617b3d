"""When a pyflyte-execute run may be forked from the fork parent: only when its environment
differs from the parent's in variables flytekit reads at run time (or in TMPDIR, each child's own)."""

from pathlib import Path

import pytest

from flyte_parity.sdk.fork_parent import RUN_TIME_VARIABLES, ForkParent

BASE = {"PATH": "/usr/bin", "PYTHONPATH": "/src", "HOME": "/root"}


@pytest.fixture
def parent():
    forks = ForkParent(BASE, Path("/"))
    yield forks
    forks.close()  # never started: only its temporary folder is removed


def test_the_same_environment_fits(parent):
    assert parent.fits(dict(BASE))


@pytest.mark.parametrize("name", [*RUN_TIME_VARIABLES, "FLYTE_INTERNAL_TASK_VERSION", "TMPDIR"])
def test_run_time_variables_may_differ(parent, name):
    assert parent.fits({**BASE, name: "x"})


@pytest.mark.parametrize("change", [{"FLYTE_SDK_LOGGING_LEVEL": "10"}, {"PYTHONPATH": "/other"},
                                    {"LOGGING_RICH_FMT": "0"}, {"GRPC_VERBOSITY": "DEBUG"}])
def test_anything_flytekit_may_read_at_import_must_match(parent, change):
    assert not parent.fits({**BASE, **change})


def test_a_missing_variable_does_not_fit(parent):
    assert not parent.fits({k: v for k, v in BASE.items() if k != "HOME"})
