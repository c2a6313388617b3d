"""The users' door: scripts/jflyte_wrapper.py runs the README's commands on the local JVM."""

import os
import subprocess
import sys

import pytest

from flyte_parity.base import paths

WRAPPER = [sys.executable, str(paths.REPO_ROOT / "scripts" / "jflyte_wrapper.py")]


def wrapper(*args, cwd=paths.REPO_ROOT, env=None):
    return subprocess.run([*WRAPPER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


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
    for text in (result.stdout, result.stderr):
        assert secret not in text
        assert "AKIAEXAMPLE00001" not in text


def test_env_local_syntax_error_names_the_line(tmp_path):
    (tmp_path / ".env.local").write_text("FLYTE_PLATFORM_URL=a\nthis is not an assignment\n")
    result = wrapper("execute-local", "-cp=x", "--workflow=x.Y", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(".env.local:2: not a KEY=VALUE line; fix or comment out that line")


def test_register_without_platform_url_is_refused_before_the_jvm(tmp_path):
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("FLYTE_")}
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
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")},
           "FLYTE_PLATFORM_URL": target.address, "FLYTE_PLATFORM_INSECURE": "true",
           "FLYTE_STAGING_LOCATION": target.staging}
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
