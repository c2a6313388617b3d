"""The pytest plugin: catalogue-driven case parametrisation and session-wide drivers.

A test that takes ``local_case`` runs once per execute-local case of the catalogue
(``--catalogue``, default tests/parity/catalogue.toml). Drivers are built once per session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import paths
from .catalogue import Catalogue, load_catalogue
from .drivers import JvmDriver, PythonDriver

DEFAULT_CATALOGUE = paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flyte-parity")
    group.addoption(
        "--catalogue", default=str(DEFAULT_CATALOGUE),
        help="catalogue of JVM/Python pairs (default: tests/parity/catalogue.toml)",
    )


def _catalogue(config: pytest.Config) -> Catalogue:
    cached = getattr(config, "_flyte_parity_catalogue", None)
    if cached is None:
        cached = load_catalogue(Path(config.getoption("--catalogue")), paths.REPO_ROOT)
        config._flyte_parity_catalogue = cached
    return cached


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "local_case" in metafunc.fixturenames:
        cases = _catalogue(metafunc.config).cases("execute-local")
        metafunc.parametrize("local_case", cases, ids=[c.id for c in cases])


@pytest.fixture(scope="session")
def parity_catalogue(pytestconfig: pytest.Config) -> Catalogue:
    return _catalogue(pytestconfig)


@pytest.fixture(scope="session")
def jvm_driver(tmp_path_factory: pytest.TempPathFactory) -> JvmDriver:
    return JvmDriver(tmp_path_factory.mktemp("jvm"))


@pytest.fixture(scope="session")
def python_driver() -> PythonDriver:
    driver = PythonDriver()
    driver.build()
    return driver
