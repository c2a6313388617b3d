"""The harness self-tests take the SDK drivers and the FlyteAdmin backend from the parity session."""

import pytest

from flyte_parity.base.errors import UsageError
from flyte_parity.modes.run import NotAvailable, load


def pytest_configure(config):
    """The harness checks the SDK processes themselves: none of them is replayed from the result store."""
    config.__dict__["_flyte_parity_results"] = None


@pytest.fixture(scope="session")
def jvm_driver(parity_run):
    return parity_run.sdks.jvm


@pytest.fixture(scope="session")
def python_driver(parity_run):
    return parity_run.sdks.python


@pytest.fixture(scope="session")
def flyte_backend(parity_run):
    try:
        return parity_run.backend()
    except NotAvailable as missing:
        pytest.skip(str(missing))
    except UsageError as err:
        pytest.fail(f"flyte-parity: {err}", pytrace=False)


@pytest.fixture(scope="session")
def serialized(parity_run):
    """What one SDK serialized for a source, read once per session."""
    return lambda driver, source: load(driver.serialize(source))
