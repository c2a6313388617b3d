"""The users' door: scripts/jflyte_wrapper.py runs the README's commands on the local JVM."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import sys
import time
from pathlib import Path

import pytest

from flyte_parity.base import paths
from flyte_parity.sdk import jflyte

WRAPPER = [sys.executable, str(paths.REPO_ROOT / "scripts" / "jflyte_wrapper.py")]


def wrapper(*args, cwd=paths.REPO_ROOT, env=None):
    return subprocess.run([*WRAPPER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def clean_env(**settings):
    """The process environment without the user's FLYTE_* settings (the suite's own FLYTE_PARITY_*
    stay: they name the JVM build in use), plus ``settings``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_") or k.startswith("FLYTE_PARITY_")}
    return {**kept, **settings}


def last_line(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def logged(result, cwd) -> Path:
    """The log file the wrapper named on failure (under ``cwd``)."""
    named = re.search(r"\(all \d+ in (\S+)\)", result.stderr)
    assert named, result.stderr
    return cwd / named.group(1)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def in_use(lib: str) -> str:
    """A README path (jvm/target/current/...) in the JVM build this run uses (--jvm-build)."""
    return str(paths.jvm_build() / lib.removeprefix("jvm/target/current/"))


@pytest.mark.parametrize(
    "lib, workflow, inputs, expected",
    [
        ("jvm/target/current/lib/upstream-java", "org.flyte.examples.WelcomeWorkflow",
         ["--name=something"], "{greeting=Welcome, something! How are you?}"),
        ("jvm/target/current/lib/upstream-scala", "org.flyte.examples.flytekitscala.FibonacciWorkflow",
         ["--fib0=0", "--fib1=1"], "{fib5=5}"),
        ("jvm/target/current/lib/parity-java", "dev.flyteparity.examples.WelcomeWorkflow",
         ["--name=Ada"], "{greeting=Welcome, Ada! How are you?}"),
        ("jvm/target/current/lib/parity-scala", "dev.flyteparity.examples.scala.FibonacciWorkflow",
         ["--fib0=0", "--fib1=1"], "{fib5=5}"),
    ],
    ids=["upstream-java-welcome", "upstream-scala-fibonacci", "own-java-welcome", "own-scala-fibonacci"],
)
def test_readme_execute_local_commands(lib, workflow, inputs, expected):
    result = wrapper("execute-local", f"-cp={in_use(lib)}", f"--workflow={workflow}", *inputs)
    assert result.returncode == 0, result.stderr
    assert f"Outputs: {expected}" in result.stderr


def test_missing_classpath_folder_is_one_line_and_exit_2(tmp_path):
    result = wrapper("execute-local", f"-cp={tmp_path / 'nope'}", "--workflow=x.Y")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not exist" in lines[0], result.stderr
    assert result.stdout == ""


def test_secret_from_env_local_never_shown(tmp_path):
    secret = "s3cr3t-Value-0123456789"
    (tmp_path / ".env.local").write_text(
        f"FLYTE_AWS_SECRET_ACCESS_KEY={secret}\nFLYTE_AWS_ACCESS_KEY_ID=AKIAEXAMPLE00001\n"
    )
    lib = in_use("jvm/target/current/lib/upstream-java")
    # The secret is also the workflow input, so jflyte itself prints it: the wrapper must hide it.
    result = wrapper(
        "--debug", "execute-local", f"-cp={lib}", "--workflow=org.flyte.examples.WelcomeWorkflow",
        f"--name={secret}", cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "FLYTE_AWS_SECRET_ACCESS_KEY=***" in result.stderr
    assert "Welcome, ***! How are you?" in result.stderr
    for text in (result.stdout, result.stderr, *(log.read_text() for log in (tmp_path / ".flyte-parity").rglob("*.log"))):
        assert secret not in text
        assert "AKIAEXAMPLE00001" not in text
    assert list((tmp_path / ".flyte-parity" / "logs").glob("jflyte-execute-local-*.log"))


def test_env_local_syntax_error_names_the_line(tmp_path):
    (tmp_path / ".env.local").write_text("FLYTE_PLATFORM_URL=a\nthis is not an assignment\n")
    result = wrapper("execute-local", "-cp=x", "--workflow=x.Y", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(".env.local:2: not a KEY=VALUE line; fix or comment out that line")


def test_register_without_platform_url_is_refused_before_the_jvm(tmp_path):
    env = clean_env()
    lib = in_use("jvm/target/current/lib/parity-java")
    result = wrapper("register", "workflows", "-p=p", "-d=d", "-v=v", f"-cp={lib}", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "needs FLYTE_PLATFORM_URL, FLYTE_STAGING_LOCATION" in result.stderr


def _serialized_kinds(lib: str, folder) -> tuple[int, int, int]:
    """Tasks, workflows and launch plans `jflyte serialize` writes for ``lib`` (file suffixes _1, _2, _3)."""
    result = wrapper("serialize", "workflows", f"-cp={lib}", "-f", str(folder))
    assert result.returncode == 0, result.stderr
    return tuple(len(list(folder.glob(f"*_{kind}.pb"))) for kind in (1, 2, 3))


def test_register_says_what_admin_now_holds_and_why_it_refused(flyte_backend, tmp_path):
    """The README's register command against the session's FlyteAdmin: after it, one line per
    entity kind with the count (matching what jflyte serialize writes for the same jars), project,
    domain and version; a refusal is admin's status and message in one line."""
    lib = in_use("jvm/target/current/lib/upstream-java")
    (tmp_path / "out").mkdir()
    tasks, workflows, plans = _serialized_kinds(lib, tmp_path / "out")
    target = flyte_backend.target("wrapper")
    env = clean_env(FLYTE_PLATFORM_URL=target.address, FLYTE_PLATFORM_INSECURE="true",
                    FLYTE_STAGING_LOCATION=target.staging)
    result = wrapper("register", "workflows", f"-p={target.project}", f"-d={target.domain}", f"-v={target.version}",
                     f"-cp={lib}", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    where = f"in project {target.project}, domain {target.domain}, version {target.version}"
    said = [line for line in result.stderr.splitlines() if line.startswith("jflyte_wrapper: ")]
    assert said == [f"jflyte_wrapper: {tasks} tasks {where}", f"jflyte_wrapper: {workflows} workflows {where}",
                    f"jflyte_wrapper: {plans} launch plans {where}"], result.stderr[-3000:]

    refused = wrapper("register", "workflows", "-p=no-such-project", f"-d={target.domain}", f"-v={target.version}",
                      f"-cp={lib}", cwd=tmp_path, env=env)
    assert refused.returncode != 0
    said = [line for line in refused.stderr.splitlines() if line.startswith("jflyte_wrapper: ")]
    assert len(said) == 1 and said[0].startswith("jflyte_wrapper: register failed: refused: INVALID_ARGUMENT: "), \
        refused.stderr[-3000:]
    assert "no-such-project" in said[0]
    assert said[0].endswith("; pass a project admin has as -p, or create no-such-project there first")
    assert said[0] == last_line(refused)


def test_the_wrapper_runs_without_grpc_and_flyteidl(tmp_path):
    """On a Python without grpc and flyteidl (a system python3), the README's execute-local command
    still works: only register's read-back of admin needs the project's virtualenv."""
    wrapper_path = str(paths.REPO_ROOT / "scripts" / "jflyte_wrapper.py")
    args = ["execute-local", f"-cp={in_use('jvm/target/current/lib/upstream-java')}",
            "--workflow=org.flyte.examples.WelcomeWorkflow", "--name=bare"]
    blocked = ("import runpy, sys\n"
               "for name in ('grpc', 'flyteidl'): sys.modules[name] = None  # import raises ImportError\n"
               f"sys.argv = [{wrapper_path!r}, *{args!r}]\n"
               f"runpy.run_path({wrapper_path!r}, run_name='__main__')\n")
    result = subprocess.run([sys.executable, "-c", blocked], cwd=paths.REPO_ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Outputs: {greeting=Welcome, bare! How are you?}" in result.stderr


def test_without_debug_only_the_result_is_shown_and_the_rest_is_logged(tmp_path):
    lib = in_use("jvm/target/current/lib/upstream-java")
    args = ["execute-local", f"-cp={lib}", "--workflow=org.flyte.examples.WelcomeWorkflow", "--name=quiet"]
    quiet = wrapper(*args, cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.strip().splitlines() == [
        "[main] INFO org.flyte.jflyte.ExecuteLocal - Outputs: {greeting=Welcome, quiet! How are you?}"]
    (log,) = (tmp_path / ".flyte-parity" / "logs").glob("jflyte-execute-local-*.log")
    logged_lines = log.read_text().splitlines()
    assert logged_lines[0].startswith("# ") and "--name=quiet" in logged_lines[0]  # the command, settings masked
    loud = wrapper("--debug", *args, cwd=tmp_path)
    printed = [line for line in loud.stderr.splitlines() if not line.startswith("jflyte_wrapper: ")]
    assert sorted(printed) == sorted(logged_lines[1:])  # --debug prints all that the log holds


def test_unknown_workflow_is_one_line_with_the_nearest_names(tmp_path):
    lib = in_use("jvm/target/current/lib/upstream-java")
    result = wrapper("execute-local", f"-cp={lib}", "--workflow=org.flyte.examples.WelcomWorkflow", "--name=x",
                     cwd=tmp_path)
    assert result.returncode != 0
    assert last_line(result) == (f"jflyte_wrapper: no workflow org.flyte.examples.WelcomWorkflow in the jars of "
                                 f"-cp={lib}; did you mean --workflow=org.flyte.examples.WelcomeWorkflow?")
    assert len(result.stderr.strip().splitlines()) <= 2 + 5, result.stderr
    assert "\tat " not in result.stderr  # the stack trace is in the log, not on the console
    full = logged(result, tmp_path).read_text()
    assert "workflow not found [org.flyte.examples.WelcomWorkflow]" in full and "\tat " in full


def test_unknown_task_of_a_task_run_is_one_line_with_the_nearest_names(tmp_path):
    """`jflyte execute` exits 0 after writing the error for propeller; the wrapper says what failed
    and exits non-zero."""
    from flyteidl.admin import task_pb2
    from flyteidl.core import literals_pb2

    from flyte_parity.sdk.container import RunFolder, substitute

    lib = in_use("jvm/target/current/lib/upstream-java")
    (tmp_path / "out").mkdir()
    assert wrapper("serialize", "workflows", f"-cp={lib}", "-f", str(tmp_path / "out")).returncode == 0
    (spec_file,) = (tmp_path / "out").glob("*_org.flyte.examples.GreetTask_1.pb")
    spec = task_pb2.TaskSpec.FromString(spec_file.read_bytes())
    folder = RunFolder(tmp_path / "run")
    folder.prepare(spec.template, literals_pb2.LiteralMap())
    args = substitute(list(spec.template.container.args), folder.values())[1:]
    args[args.index("--task") + 1] = "org.flyte.examples.GretTask"
    identity = {f"FLYTE_INTERNAL_{prefix}{name}": "x" for prefix in ("", "TASK_") for name in ("PROJECT", "DOMAIN", "VERSION")}
    copies_before = set(Path(tempfile.gettempdir()).glob("tasks*"))  # where jflyte copies a task's jars
    result = wrapper(*args, cwd=tmp_path, env=clean_env(**identity))
    assert set(Path(tempfile.gettempdir()).glob("tasks*")) <= copies_before, "jflyte's jar copies were left in /tmp"
    assert result.returncode == 1
    assert last_line(result) == ("jflyte_wrapper: no task org.flyte.examples.GretTask in the jars of the task template; "
                                 "did you mean --task=org.flyte.examples.GreetTask?"), result.stderr


def test_placeholders_from_the_example_env_file_are_refused_before_the_jvm(tmp_path):
    """The example file copied unfilled. Should jflyte start anyway, everything it could reach is a
    closed loopback port (admin, the S3 endpoint; no instance metadata): nothing leaves the host."""
    shutil.copy(paths.REPO_ROOT / ".env.local.example", tmp_path / ".env.local")
    with (tmp_path / ".env.local").open("a") as file:
        file.write("FLYTE_AWS_SECRET_ACCESS_KEY=<your-secret-key>\n")
    lib = in_use("jvm/target/current/lib/upstream-java")
    port = closed_port()
    env = clean_env(FLYTE_PLATFORM_URL=f"127.0.0.1:{port}", FLYTE_AWS_ENDPOINT=f"http://127.0.0.1:{port}",
                    AWS_EC2_METADATA_DISABLED="true")
    result = wrapper("register", "workflows", "-p=flytesnacks", "-d=development", "-v=v1", f"-cp={lib}",
                     cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "jflyte_wrapper: FLYTE_AWS_SECRET_ACCESS_KEY, FLYTE_INTERNAL_IMAGE and FLYTE_STAGING_LOCATION in .env.local "
        "still hold the placeholders of .env.local.example; set them to your cluster's values before running "
        "jflyte register"]
    assert "your-secret-key" not in result.stderr
    assert not (tmp_path / ".flyte-parity").exists()  # no JVM ran: no log was written


@pytest.mark.parametrize("kind", ["unreachable-admin", "unusable-staging"])
def test_unreachable_admin_or_unusable_staging_is_refused_before_the_jvm(tmp_path, kind):
    (tmp_path / "a-file").write_text("")
    url = f"127.0.0.1:{closed_port()}"
    staging = (tmp_path / "a-file" / "staging").as_uri() if kind == "unusable-staging" else (tmp_path / "s").as_uri()
    lib = in_use("jvm/target/current/lib/upstream-java")
    started = time.monotonic()
    result = wrapper("register", "workflows", "-p=flytesnacks", "-d=development", "-v=v1", f"-cp={lib}", cwd=tmp_path,
                     env=clean_env(FLYTE_PLATFORM_URL=url, FLYTE_PLATFORM_INSECURE="true",
                                   FLYTE_STAGING_LOCATION=staging))
    assert result.returncode == 2
    expected = (f"jflyte_wrapper: FlyteAdmin at FLYTE_PLATFORM_URL={url} is not reachable (connection refused); "
                "start it (`flyte-parity local-admin start` prints its address) or fix FLYTE_PLATFORM_URL"
                if kind == "unreachable-admin" else
                f"jflyte_wrapper: FLYTE_STAGING_LOCATION folder {tmp_path / 'a-file' / 'staging'} cannot be made "
                f"({tmp_path / 'a-file'} is a file); pick another folder")
    assert result.stderr.strip().splitlines() == [expected]
    assert time.monotonic() - started < 10
    assert not (tmp_path / ".flyte-parity").exists()


def test_registering_a_version_again_says_so_in_one_line(flyte_backend, tmp_path):
    """The README's register command run twice under one version: with flytekit-java 0.4 (random
    node ids, ledger topic random-node-ids) admin refuses the second as a different structure, and
    the wrapper says so, soon; with 0.3 the same jars register again."""
    lib = in_use("jvm/target/current/lib/upstream-java")
    target = flyte_backend.target("wrapper-again")
    env = clean_env(FLYTE_PLATFORM_URL=target.address, FLYTE_PLATFORM_INSECURE="true",
                    FLYTE_STAGING_LOCATION=target.staging)
    args = ["register", "workflows", f"-p={target.project}", f"-d={target.domain}", f"-v={target.version}", f"-cp={lib}"]
    first = wrapper(*args, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    started = time.monotonic()
    again = wrapper(*args, cwd=tmp_path, env=env)
    version = jflyte.flytekit_java_version([Path(lib)])
    if not jflyte.random_node_ids(version):
        assert again.returncode == 0, again.stderr[-3000:]
        return
    assert again.returncode == 1
    assert last_line(again) == (
        f"jflyte_wrapper: version {target.version} of project {target.project}, domain {target.domain} is already "
        f"registered with a different structure (flytekit-java {version} gives each node without an id of its own a "
        "new random prefix every time jflyte builds the workflows, so even unchanged jars differ); register under a "
        "new -v"), again.stderr[-3000:]
    assert len(again.stderr.strip().splitlines()) <= 2 + 5
    assert time.monotonic() - started < 25  # not jflyte's half minute of retries
    assert "different structure" in logged(again, tmp_path).read_text() or \
        "RST_STREAM" in logged(again, tmp_path).read_text()


def test_help_documents_the_wrapper_then_jflyte():
    result = wrapper("--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for word in ("--env-file PATH", "--debug", "-h, --help", ".env.local", "FLYTE_PLATFORM_URL",
                 "FLYTE_STAGING_LOCATION", "FLYTE_INTERNAL_IMAGE", "FLYTE_PARITY_JVM_BUILD", ".flyte-parity/logs"):
        assert word in text, word
    own, _, theirs = text.partition("jflyte's own subcommands follow")
    assert own.startswith("usage: python scripts/jflyte_wrapper.py")
    for command in ("execute-local", "register", "serialize", "execute-dynamic-workflow"):
        assert command in theirs, theirs
    sub = wrapper("register", "workflows", "--help")
    assert sub.returncode == 0 and "--classpath=<packageDir>" in sub.stdout.partition("`register workflows`")[2]
