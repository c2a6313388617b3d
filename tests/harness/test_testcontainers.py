"""testcontainers, for real, on a Docker engine of the test's own (``services.docker_engine``): the
flytekit image runs a twin's task module through a testcontainers ``DockerContainer``, and the
sandbox backend, given that engine, says in one line that the sandbox image is not there (pulling
is off: this host reaches no registry) and which backend to use instead."""

import os
import tempfile
from pathlib import Path

import pytest

from flyte_parity.base import versions
from flyte_parity.services import backends
from flyte_parity.services.docker_engine import DockerEngine, mounts_under
from flyte_parity.services.flyte_cluster import sdk_images

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/sbin/dockerd").is_file(),
                                reason="needs root and Debian's docker.io: `apt-get install docker.io` as root")


@pytest.fixture
def engine(monkeypatch):
    folder = Path(tempfile.mkdtemp(prefix="fp-tc-"))  # short: dockerd's socket paths have a limit
    try:
        with DockerEngine(folder) as running:
            monkeypatch.setenv("DOCKER_HOST", running.url)
            monkeypatch.setenv("TESTCONTAINERS_RYUK_DISABLED", "true")  # its reaper image cannot be pulled here
            monkeypatch.delenv("FLYTE_PARITY_SANDBOX_PULL", raising=False)
            yield running
        assert mounts_under(folder) == []
    finally:
        import shutil
        shutil.rmtree(folder, ignore_errors=True)


def test_the_flytekit_image_runs_a_twin_through_testcontainers(engine):
    from testcontainers.core.container import DockerContainer

    name, archive = sdk_images()["flytekit"]
    with open(archive, "rb") as data:
        engine.client.images.load(data.read())
    command = ["python", "-c", "import flytekit, python_wf.welcome as w; print('twin', flytekit.__version__, "
                               "w.greet(name='Ada'))"]
    with DockerContainer(name).with_command(command).with_kwargs(network_mode="none") as container:
        result = container.get_wrapped_container().wait(timeout=120)
        logs = container.get_wrapped_container().logs().decode("utf-8", "replace")
    assert result["StatusCode"] == 0, logs
    # the image's flytekit is the suite's, and the twin's task ran (its output is a named tuple)
    assert f"twin {versions.flytekit()} Greeting(greeting='Welcome, Ada!')" in logs


def test_the_sandbox_backend_says_the_image_is_not_there(engine):
    with pytest.raises(backends.BackendUnavailable) as err:
        with backends.backend("sandbox"):
            pytest.fail("the block ran")
    message = str(err.value)
    assert message.startswith("--flyte-backend=sandbox: the Flyte sandbox image cr.flyte.org/flyteorg/"
                              "flyte-sandbox-bundled:sha-51877f8"), message
    assert "pulling is off" in message and "--flyte-backend=local-cluster" in message and "\n" not in message
