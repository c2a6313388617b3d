"""The jflyte launcher behind scripts/jflyte_wrapper.py: precedence, validation, redaction,
pass-through. No JVM starts here: a folder stands for the jflyte CLI's jars."""

import io
import os
import socket
import sys
import time
import zipfile
from pathlib import Path

import pytest

from flyte_parity import wrapper_cli
from flyte_parity.sdk import jflyte
from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.wrapper_cli import split_args


@pytest.fixture
def lib(tmp_path):
    folder = tmp_path / "jflyte-lib"
    folder.mkdir()
    (folder / "jflyte-0.0.0.jar").write_bytes(b"")
    return folder


@pytest.fixture
def workflows(tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "wf.jar").write_bytes(b"")
    return folder


@pytest.fixture
def base_env(tmp_path):
    modules = tmp_path / "modules"
    modules.mkdir()
    return {"PATH": "/usr/bin:/bin", "FLYTE_INTERNAL_MODULE_DIR": str(modules), "HOME": str(tmp_path)}


def prepare(args, base_env, lib, cwd, env_file=None):
    return jflyte.prepare(args, env_file=env_file, base_env=base_env, cwd=cwd, jflyte_lib=lib)


def test_environment_beats_env_file_beats_defaults(tmp_path, lib, workflows, base_env):
    (tmp_path / ".env.local").write_text("FLYTE_PLATFORM_URL=from-file:1\nFLYTE_INTERNAL_IMAGE=file-image\n")
    env = {**base_env, "FLYTE_INTERNAL_IMAGE": "env-image"}
    inv = prepare(["execute-local", f"-cp={workflows}", "--workflow=a.B"], env, lib, tmp_path)
    assert inv.env["FLYTE_INTERNAL_IMAGE"] == "env-image"
    assert inv.env["FLYTE_PLATFORM_URL"] == "from-file:1"
    assert inv.env["FLYTE_PLATFORM_INSECURE"] == "True"  # harmless default


def test_explicit_env_file_replaces_env_local(tmp_path, lib, workflows, base_env):
    (tmp_path / ".env.local").write_text("FLYTE_PLATFORM_URL=from-local:1\n")
    other = tmp_path / "other.env"
    other.write_text("FLYTE_PLATFORM_URL=from-other:1\n")
    inv = prepare(["execute-local", f"-cp={workflows}", "--workflow=a.B"], base_env, lib, tmp_path, other)
    assert inv.env["FLYTE_PLATFORM_URL"] == "from-other:1"


def test_arguments_pass_through_unchanged(tmp_path, lib, workflows, base_env):
    args = ["execute-local", "-cp", str(workflows), "--workflow=a.B", "--name=x, y=z", "--n", "-5"]
    inv = prepare(args, base_env, lib, tmp_path)
    command = inv.command()
    assert command[-len(args) - 1 :] == ["jflyte", *args]
    assert command[command.index("-cp") + 1] == f"{lib}/*"
    assert jflyte.MAIN_CLASS in command


def test_serialize_gets_a_local_staging_location(tmp_path, lib, workflows, base_env):
    inv = prepare(["serialize", "workflows", f"-cp={workflows}", "-f", str(tmp_path)], base_env, lib, tmp_path)
    assert inv.env["FLYTE_STAGING_LOCATION"].startswith("file://")


def test_non_utf8_locale_is_replaced(tmp_path, lib, workflows, base_env):
    inv = prepare(["execute-local", f"-cp={workflows}", "--workflow=a.B"], {**base_env, "LANG": "C"}, lib, tmp_path)
    assert inv.env["LC_ALL"] == "C.UTF-8"


@pytest.mark.parametrize(
    "make_args, message",
    [
        (lambda w, t: ["execute-local", f"-cp={t / 'missing'}", "--workflow=a.B"], "does not exist"),
        (lambda w, t: ["execute-local", f"-cp={t}", "--workflow=a.B"], "holds no jar"),
        (lambda w, t: ["execute-local", "--workflow=a.B", "-cp"], "-cp needs a value"),
        (lambda w, t: ["serialize", "workflows", f"-cp={w}", "-f", str(t / "absent")], "create it first"),
        (lambda w, t: ["register", "workflows", "-p=p", "-d=d", "-v=1", f"-cp={w}"],
         "jflyte register needs FLYTE_PLATFORM_URL, FLYTE_STAGING_LOCATION"),
        (lambda w, t: ["--help"], "no jflyte subcommand"),
    ],
    ids=["missing-cp", "empty-cp", "cp-without-value", "serialize-folder", "register-env", "no-subcommand"],
)
def test_bad_input_is_refused_before_the_jvm(tmp_path, lib, workflows, base_env, make_args, message):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError) as err:
        prepare(make_args(workflows, empty), base_env, lib, tmp_path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_register_needs_only_what_it_uses(tmp_path, lib, workflows, base_env):
    env = {**base_env, "FLYTE_PLATFORM_URL": "127.0.0.1:1", "FLYTE_STAGING_LOCATION": "file:///tmp/s"}
    inv = prepare(["register", "workflows", "-p=p", "-d=d", "-v=1", f"-cp={workflows}"], env, lib, tmp_path)
    assert inv.args[0] == "register"


def test_execute_needs_the_task_identity_under_either_name(tmp_path, lib, workflows, base_env):
    args = ["execute", "--task", "a.B", "--inputs", "file:///i", "--outputPrefix", "file:///o",
            "--taskTemplatePath", "file:///t"]
    with pytest.raises(UsageError) as err:
        prepare(args, base_env, lib, tmp_path)
    assert "FLYTE_INTERNAL_PROJECT or FLYTE_INTERNAL_TASK_PROJECT" in str(err.value)
    old = {"FLYTE_INTERNAL_PROJECT": "p", "FLYTE_INTERNAL_DOMAIN": "d", "FLYTE_INTERNAL_VERSION": "v"}
    new = {"FLYTE_INTERNAL_TASK_PROJECT": "p", "FLYTE_INTERNAL_TASK_DOMAIN": "d", "FLYTE_INTERNAL_TASK_VERSION": "v"}
    for names in (old, new):
        assert prepare(args, {**base_env, **names}, lib, tmp_path).args == args


def test_java_missing_is_named(tmp_path, lib, workflows, base_env):
    env = {**base_env, "PATH": str(tmp_path)}
    with pytest.raises(UsageError, match="java not found"):
        prepare(["execute-local", f"-cp={workflows}", "--workflow=a.B"], env, lib, tmp_path)


def test_a_named_jvm_build_that_is_not_there_is_refused(monkeypatch):
    monkeypatch.setenv(paths.BUILD_VARIABLE, "no-such-build")
    with pytest.raises(UsageError, match="names a JVM build that is not there"):
        jflyte.ensure_jflyte_dist()


@pytest.mark.parametrize(
    "name, secret",
    [
        ("FLYTE_AWS_SECRET_ACCESS_KEY", True),
        ("FLYTE_AWS_ACCESS_KEY_ID", True),
        ("MY_API_TOKEN", True),
        ("db_password", True),
        ("CLIENT_SECRET_FILE", True),
        ("FLYTE_PLATFORM_URL", False),
        ("FLYTE_STAGING_LOCATION", False),
    ],
)
def test_secret_names(name, secret):
    assert jflyte.is_secret(name) is secret


def test_describe_and_output_never_show_secret_values(tmp_path, lib, workflows, base_env):
    (tmp_path / ".env.local").write_text(
        "FLYTE_AWS_SECRET_ACCESS_KEY=topsecret-1\nFLYTE_AWS_ACCESS_KEY_ID=AKIA-2\nMY_TOKEN=tok-3\n"
    )
    inv = prepare(
        ["execute-local", f"-cp={workflows}", "--workflow=a.B", "--name=topsecret-1"], base_env, lib, tmp_path
    )
    text = inv.describe()
    assert "FLYTE_AWS_SECRET_ACCESS_KEY=***" in text and "FLYTE_AWS_ACCESS_KEY_ID=***" in text
    for value in ("topsecret-1", "AKIA-2", "tok-3"):
        assert value not in text
        assert value not in inv.redact(f"jflyte said {value} twice: {value}")
    assert inv.redact("nothing secret here") == "nothing secret here"


def test_wrapper_options_are_taken_and_the_rest_passed_on():
    env_file, debug, rest = split_args(
        ["--env-file", "a.env", "execute-local", "--debug", "--workflow=x", "--env-file=b.env", "-cp", "d"]
    )
    assert env_file == Path("b.env") and debug is True
    assert rest == ["execute-local", "--workflow=x", "-cp", "d"]
    with pytest.raises(UsageError, match="--env-file needs a path"):
        split_args(["execute-local", "--env-file"])


def test_launches_use_the_builds_class_archive_only_when_there_is_one(tmp_path, lib, workflows, base_env):
    args = ["execute-local", f"-cp={workflows}", "--workflow=a.B"]
    without = prepare(args, base_env, lib, tmp_path).command()
    assert not any(a.startswith("-XX:SharedArchiveFile=") for a in without)
    assert "-XX:TieredStopAtLevel=1" in without and "-Xlog:cds=off" in without
    (lib.parent / "jflyte.jsa").write_bytes(b"")
    command = prepare(args, base_env, lib, tmp_path).command()
    assert f"-XX:SharedArchiveFile={lib.parent / 'jflyte.jsa'}" in command
    assert command.index(f"-XX:SharedArchiveFile={lib.parent / 'jflyte.jsa'}") < command.index("-cp")


def test_task_runs_use_the_execute_archive_when_there_is_one(tmp_path, lib, workflows, base_env):
    (lib.parent / "jflyte.jsa").write_bytes(b"")
    local = prepare(["execute-local", f"-cp={workflows}", "--workflow=a.B"], base_env, lib, tmp_path).command()
    run = ["execute", "--task", "a.T", "--inputs", "file:///i", "--outputPrefix", "file:///o",
           "--taskTemplatePath", "file:///t"]
    env = {**base_env, **{f"FLYTE_INTERNAL_TASK_{n}": "x" for n in ("PROJECT", "DOMAIN", "VERSION")}}
    before = prepare(run, env, lib, tmp_path).command()
    (lib.parent / "jflyte-execute.jsa").write_bytes(b"")
    after = prepare(run, env, lib, tmp_path).command()
    assert f"-XX:SharedArchiveFile={lib.parent / 'jflyte.jsa'}" in local
    assert f"-XX:SharedArchiveFile={lib.parent / 'jflyte.jsa'}" in before
    assert f"-XX:SharedArchiveFile={lib.parent / 'jflyte-execute.jsa'}" in after
    assert f"-XX:SharedArchiveFile={lib.parent / 'jflyte.jsa'}" in prepare(
        ["execute-local", f"-cp={workflows}", "--workflow=a.B"], base_env, lib, tmp_path).command()


# --- before the JVM: placeholders, admin's address, the staging location ---------------------------

def example_values() -> dict[str, str]:
    """Every KEY=VALUE of .env.local.example, commented-out lines included."""
    text = (paths.REPO_ROOT / ".env.local.example").read_text()
    pairs = (line.lstrip("# ").split("=", 1) for line in text.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs if key.strip().isupper()}


def test_every_placeholder_of_the_example_env_file_is_recognised():
    real = {"FLYTE_PLATFORM_INSECURE", "FLYTE_AWS_ENDPOINT"}  # values a user may keep as they are
    values = example_values()
    assert {"FLYTE_PLATFORM_URL", "FLYTE_STAGING_LOCATION", "FLYTE_INTERNAL_IMAGE"} <= set(values)
    for name, value in values.items():
        assert jflyte.is_placeholder(value) is (name not in real), (name, value)


@pytest.mark.parametrize("value", ["127.0.0.1:8089", "flyte.acme.io:443", "s3://acme-bucket/jflyte", "file:///tmp/s",
                                   "ghcr.io/acme/jflyte:1.2", "True", "mydomain.example-org.com:443", ""])
def test_real_values_are_no_placeholders(value):
    assert not jflyte.is_placeholder(value)


@pytest.mark.parametrize("value", ["<your admin>", "admin.example.com:81", "...", "https://example.net/x"])
def test_other_placeholders(value):
    assert jflyte.is_placeholder(value)


def register_args(workflows):
    return ["register", "workflows", "-p=p", "-d=d", "-v=1", f"-cp={workflows}"]


def test_placeholders_are_named_never_shown_and_execute_local_ignores_them(tmp_path, lib, workflows, base_env):
    (tmp_path / ".env.local").write_text("FLYTE_PLATFORM_URL=flyte.example.org:443\n"
                                         "FLYTE_STAGING_LOCATION=file:///tmp/s\nFLYTE_AWS_SECRET_ACCESS_KEY=...\n")
    inv = prepare(register_args(workflows), base_env, lib, tmp_path)
    with pytest.raises(UsageError) as err:
        jflyte.check_settings(inv)
    assert str(err.value) == ("FLYTE_AWS_SECRET_ACCESS_KEY and FLYTE_PLATFORM_URL in .env.local still hold the "
                              "placeholders of .env.local.example; set them to your cluster's values before running "
                              "jflyte register")
    env = {**base_env, "FLYTE_INTERNAL_IMAGE": "ghcr.io/my-org/my-jflyte-image:latest"}
    with pytest.raises(UsageError) as err:
        jflyte.check_settings(prepare(register_args(workflows), env, lib, tmp_path))
    assert str(err.value).startswith("FLYTE_AWS_SECRET_ACCESS_KEY, FLYTE_INTERNAL_IMAGE and FLYTE_PLATFORM_URL in "
                                     ".env.local and the environment still hold the placeholders")
    jflyte.check_settings(prepare(["execute-local", f"-cp={workflows}", "--workflow=a.B"], base_env, lib, tmp_path))


@pytest.mark.parametrize("url, address", [
    ("127.0.0.1:8089", ("127.0.0.1", 8089)), ("dns:///localhost:30080", ("localhost", 30080)),
    ("[::1]:81", ("::1", 81)), ("http://127.0.0.1:30080/", ("127.0.0.1", 30080)), ("flyte.acme.io", None),
    ("unix:///run/admin.sock", None),
])
def test_platform_address(url, address):
    assert jflyte.platform_address(url) == address


def test_an_unreachable_admin_is_refused_and_a_listening_one_passes():
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        jflyte.check_platform(f"127.0.0.1:{listening.getsockname()[1]}")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
    with pytest.raises(UsageError) as err:
        jflyte.check_platform(f"127.0.0.1:{closed}")
    assert str(err.value) == (f"FlyteAdmin at FLYTE_PLATFORM_URL=127.0.0.1:{closed} is not reachable (connection "
                              "refused); start it (`flyte-parity local-admin start` prints its address) or fix "
                              "FLYTE_PLATFORM_URL")


def test_unusable_staging_locations(tmp_path):
    modules = tmp_path / "modules"
    (modules / "file-system").mkdir(parents=True)
    (tmp_path / "a-file").write_text("")
    problem = lambda location: jflyte.staging_problem(location, modules)  # noqa: E731
    assert problem((tmp_path / "new" / "deeper").as_uri()) is None
    assert "cannot be made" in problem((tmp_path / "a-file" / "s").as_uri())
    assert "names host relative; use file:///absolute/folder" in problem("file://relative/s")
    assert "is not a URI" in problem(str(tmp_path))
    assert "holds no aws plug-in" in problem("s3://bucket/prefix")
    assert problem("hdfs://cluster/x") is None  # a plug-in of the user's own may serve it


# --- after the JVM: one line naming the cause and the fix ------------------------------------------

EXECUTE_LOCAL_TYPO = """\
[main] INFO org.flyte.jflyte.utils.Registrars - Discovered [org.flyte.flytekit.SdkWorkflowTemplateRegistrar]
java.lang.NullPointerException: workflow not found [org.flyte.examples.WelcomWorkflow]
\tat com.google.common.base.Preconditions.checkNotNull(Preconditions.java:1010)
\tat org.flyte.jflyte.ExecuteLocal.call(ExecuteLocal.java:78)
"""
EXECUTE_TYPO = """\
[main] ERROR org.flyte.jflyte.Execute - failed to run task
java.lang.IllegalArgumentException: Task not found: org.flyte.examples.GretTask
\tat org.flyte.jflyte.Execute.getTask(Execute.java:148)
"""
DYNAMIC_TYPO = "java.lang.IllegalArgumentException: Dynamic workflow task not found: a.Dyn\n"
RST_STREAM = """\
[main] WARN org.flyte.jflyte.utils.GrpcRetries - Retrying in 5000 ms
io.grpc.StatusRuntimeException: INTERNAL: RST_STREAM closed stream. HTTP/2 error code: INTERNAL_ERROR
\tat io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)
"""
DIFFERENT_STRUCTURE = """\
io.grpc.StatusRuntimeException: INVALID_ARGUMENT: org.flyte.examples.HelloWorldWorkflow workflow with different \
structure already exists. (Please register a new version of the workflow):
/primary/connections:
\tat io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)
"""
NO_PROJECT = ("io.grpc.StatusRuntimeException: INVALID_ARGUMENT: failed to validate that project [nope] is registered, "
              "err: [record not found]\n")


@pytest.mark.parametrize("output, found", [
    (EXECUTE_LOCAL_TYPO, ("workflow", "org.flyte.examples.WelcomWorkflow", "--workflow")),
    (EXECUTE_TYPO, ("task", "org.flyte.examples.GretTask", "--task")),
    (DYNAMIC_TYPO, ("dynamic workflow task", "a.Dyn", "--task")),
    (RST_STREAM, None),
])
def test_unknown_names_are_recognised(output, found):
    assert jflyte.not_found(output) == found


def test_a_structure_refusal_is_recognised_in_both_forms():
    assert jflyte.already_registered(RST_STREAM) and jflyte.already_registered(DIFFERENT_STRUCTURE)
    assert not jflyte.already_registered(NO_PROJECT) and not jflyte.already_registered(EXECUTE_TYPO)


WORKFLOWS = ["org.flyte.examples.FibonacciWorkflow", "org.flyte.examples.SumWorkflow",
             "org.flyte.examples.UberWorkflow", "org.flyte.examples.WelcomeWorkflow"]


@pytest.mark.parametrize("name, expected", [
    ("org.flyte.examples.WelcomWorkflow", ["org.flyte.examples.WelcomeWorkflow"]),
    ("WelcomeWorkflow", ["org.flyte.examples.WelcomeWorkflow"]),  # no package
    ("dev.flyteparity.examples.WelcomeWorkflow", ["org.flyte.examples.WelcomeWorkflow"]),  # another package
    ("org.flyte.examples.FibonaciWorkflow", ["org.flyte.examples.FibonacciWorkflow"]),
    ("Nothing", []),
])
def test_nearest_names(name, expected):
    assert jflyte.nearest(name, WORKFLOWS) == expected


def make_jar(path: Path, services: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as jar:
        for service, text in services.items():
            jar.writestr(f"META-INF/services/{service}", text)
        jar.writestr("a/B.class", b"")
    return path


def test_declared_names_come_from_the_jars_service_entries(tmp_path):
    first = make_jar(tmp_path / "a.jar", {"org.flyte.flytekit.SdkWorkflow": "# generated\na.WelcomeWorkflow\n\n",
                                          "org.flyte.flytekit.SdkRunnableTask": "a.GreetTask # a comment\n"})
    second = make_jar(tmp_path / "b.jar", {"org.flyte.flytekit.SdkWorkflow": "b.SumWorkflow\n",
                                           "org.flyte.flytekit.SdkLaunchPlanRegistry": "b.Plans\n"})
    (tmp_path / "broken.jar").write_bytes(b"not a zip")
    declared = jflyte.declared_names([first, second, tmp_path / "broken.jar"])
    assert declared == {"workflow": ["a.WelcomeWorkflow", "b.SumWorkflow"], "task": ["a.GreetTask"],
                        "dynamic workflow task": [], "launch plan registry": ["b.Plans"]}


def test_unknown_name_lines():
    declared = {"workflow": WORKFLOWS, "task": ["org.flyte.examples.GreetTask"], "launch plan registry": []}
    where = "the jars of -cp=lib"
    assert jflyte.unknown_name("workflow", "org.flyte.examples.WelcomWorkflow", "--workflow", declared, where) == (
        "no workflow org.flyte.examples.WelcomWorkflow in the jars of -cp=lib; "
        "did you mean --workflow=org.flyte.examples.WelcomeWorkflow?")
    assert jflyte.unknown_name("workflow", "org.flyte.examples.GreetTask", "--workflow", declared, where).startswith(
        "org.flyte.examples.GreetTask is a task, not a workflow; pass one of the 4 workflows there as --workflow=NAME")
    assert jflyte.unknown_name("workflow", "x.Nothing", "--workflow", declared, where) == (
        "no workflow x.Nothing in the jars of -cp=lib; pass one of the 4 workflows there as --workflow=NAME "
        "(org.flyte.examples.FibonacciWorkflow, org.flyte.examples.SumWorkflow, org.flyte.examples.UberWorkflow, ...)")
    assert "declare no workflow (META-INF/services/org.flyte.flytekit.SdkWorkflow)" in jflyte.unknown_name(
        "workflow", "x.Y", "--workflow", {"workflow": []}, where)


def test_the_flytekit_java_version_decides_the_random_node_id_note(tmp_path):
    (tmp_path / "flytekit-java-0.4.62.jar").write_bytes(b"")
    assert jflyte.flytekit_java_version([tmp_path]) == "0.4.62"
    assert jflyte.random_node_ids("0.4.62") and jflyte.random_node_ids("1.0.0")
    assert not jflyte.random_node_ids("0.3.20") and not jflyte.random_node_ids(None)
    plain = "version v1 of project p, domain d is already registered with a different structure; register under a new -v"
    assert jflyte.registered_differently("p", "d", "v1", "0.3.20") == plain
    noted = jflyte.registered_differently("p", "d", "v1", "0.4.62")
    assert noted.endswith("; register under a new -v") and "flytekit-java 0.4.62 gives each node" in noted


@pytest.fixture
def invocation(tmp_path, lib, base_env):
    cp = tmp_path / "cp"
    cp.mkdir()
    make_jar(cp / "flytekit-examples-0.4.62.jar", {"org.flyte.flytekit.SdkWorkflow": "\n".join(WORKFLOWS)})
    (cp / "flytekit-java-0.4.62.jar").write_bytes(b"")
    env = {**base_env, "FLYTE_PLATFORM_URL": "127.0.0.1:1", "FLYTE_STAGING_LOCATION": "file:///tmp/s",
           **{f"FLYTE_INTERNAL_TASK_{name}": "x" for name in ("PROJECT", "DOMAIN", "VERSION")}}
    return lambda *args: prepare([*args, "-cp=cp"], env, lib, tmp_path)


def test_explain_names_cause_and_fix(invocation):
    register = invocation("register", "workflows", "-p=p", "-d=d", "-v=v1")
    local = invocation("execute-local", "--workflow=org.flyte.examples.WelcomWorkflow")
    assert jflyte.explain(local, 0, "Outputs: {}", "x.log") is None
    assert jflyte.explain(local, 1, EXECUTE_LOCAL_TYPO, "x.log") == (
        "no workflow org.flyte.examples.WelcomWorkflow in the jars of -cp=cp; "
        "did you mean --workflow=org.flyte.examples.WelcomeWorkflow?")
    for output in (RST_STREAM, DIFFERENT_STRUCTURE):
        line = jflyte.explain(register, 1, output, "x.log")
        assert line.startswith("version v1 of project p, domain d is already registered with a different structure "
                               "(flytekit-java 0.4.62 gives")
        assert line.endswith("; register under a new -v")
    assert jflyte.explain(register, 1, NO_PROJECT, "x.log") == (
        "register failed: refused: INVALID_ARGUMENT: failed to validate that project [nope] is registered, err: "
        "[record not found] (exit 1); pass a project admin has as -p, or create nope there first")
    assert jflyte.explain(register, 1, "boom\n", "x.log") == "register failed: failed: exit 1; see the full output in x.log"
    assert jflyte.explain(local, 130, "", "x.log") == "interrupted; jflyte was stopped, run the command again"
    assert jflyte.explain(local, 2, "Missing required option: '--name=PARAM'\nUsage: ...\n", "x.log") == (
        "jflyte execute-local refused its arguments: Missing required option: '--name=PARAM'; fix them as its usage "
        "says (in full: x.log)")


def test_a_failed_task_run_is_a_failure_though_jflyte_exits_0(invocation):
    run = invocation("execute", "--task", "a.T", "--inputs", "file:///i", "--outputPrefix", "file:///o",
                     "--taskTemplatePath", "file:///nowhere")
    failed = ("[main] ERROR org.flyte.jflyte.Execute - failed to run task\njava.lang.RuntimeException: outer\n"
              "\tat a.B(B.java:1)\nCaused by: java.lang.IllegalStateException: the root cause\n")
    assert jflyte.explain(run, 0, failed, "x.log") == (
        "the task failed: java.lang.IllegalStateException: the root cause; fix the task or its inputs "
        "(full output: x.log)")
    assert jflyte.explain(run, 0, "done\n", "x.log") is None


def test_error_line_prefers_the_root_cause():
    assert jflyte.error_line("java.lang.RuntimeException: a\n\tat x\nCaused by: java.io.IOException: b\n") == \
        "java.io.IOException: b"
    assert jflyte.error_line("x\njava.lang.IllegalStateException: c\n\tat y\n") == "java.lang.IllegalStateException: c"
    assert jflyte.error_line("just text\n") == "just text"
    assert len(jflyte.error_line("java.lang.Error: " + "x" * 500)) == 200


# --- the wrapper: what reaches the console, the log, help, stopping early ---------------------------

def test_only_results_and_task_prints_reach_the_console_without_debug():
    assert wrapper_cli.shown("stderr", "[main] INFO org.flyte.jflyte.ExecuteLocal - Outputs: {a=1}\n")
    assert wrapper_cli.shown("stdout", "printed by a task\n")
    assert not wrapper_cli.shown("stderr", "[main] INFO org.flyte.jflyte.utils.Registrars - Discovering X\n")
    assert not wrapper_cli.shown("stderr", "\tat a.B(B.java:1)\n")


def test_the_tail_leaves_out_stack_frames_and_info_lines():
    out = io.StringIO()
    lines = ["[main] INFO a - chatter\n", *(f"line {i}\n" for i in range(8)), "\tat x.Y(Y.java:1)\n", "\t... 3 more\n"]
    wrapper_cli.show_tail(lines, 99, "logs/j.log", out)
    assert out.getvalue().splitlines() == ["jflyte's last lines (all 99 in logs/j.log):",
                                           *(f"  line {i}" for i in range(3, 8))]


def test_help_names_the_options_settings_and_says_jflyte_follows(monkeypatch):
    monkeypatch.setattr(jflyte, "usage", lambda words: "Usage: python scripts/jflyte_wrapper.py [COMMAND]")
    text = wrapper_cli.help_text([])
    for word in ("--env-file PATH", "--debug", "-h, --help", ".env.local.example", "FLYTE_PLATFORM_URL",
                 "FLYTE_STAGING_LOCATION", "FLYTE_INTERNAL_IMAGE", "FLYTE_AWS_SECRET_ACCESS_KEY", ".flyte-parity/logs"):
        assert word in text, word
    assert text.index("jflyte's own subcommands follow") < text.index("Usage: python scripts/jflyte_wrapper.py [COMMAND]")
    assert wrapper_cli.wants_help(["register", "workflows", "--help"]) and not wrapper_cli.wants_help(["--name=-h"])
    assert wrapper_cli.main(["-h"]) == 0


def test_old_logs_are_pruned(tmp_path):
    for i in range(25):
        log = tmp_path / f"jflyte-x-{i:02d}.log"
        log.write_text("")
        os.utime(log, (i, i))
    wrapper_cli.prune_logs(tmp_path, keep=20)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"jflyte-x-{i:02d}.log" for i in range(5, 25)]


class Scripted(jflyte.Invocation):
    """An invocation whose command is a small Python program instead of the JVM."""

    def command(self):
        return [sys.executable, "-c", self.args[0]]


def test_a_line_that_decides_the_outcome_stops_the_run_early(tmp_path):
    program = "import sys, time; print('INTERNAL: RST_STREAM closed stream', flush=True); time.sleep(60)"
    copies = jflyte.Copies(keep=[], show=lambda stream, line: False, stop_on=jflyte.STREAM_RESET)
    started = time.monotonic()
    code = jflyte.run(Scripted([program], {**os.environ}, "java", tmp_path), copies=copies)
    assert time.monotonic() - started < 20 and code != 0
    assert copies.stopped.is_set() and copies.count == 1


def test_every_line_goes_to_the_log_and_only_shown_ones_to_the_console(tmp_path):
    program = "import sys; print('to stdout'); print('secret-1 on stderr', file=sys.stderr)"
    log, out, err = io.StringIO(), io.StringIO(), io.StringIO()
    copies = jflyte.Copies(keep=[], log=log, show=lambda stream, line: stream == "stdout")
    invocation = Scripted([program], {**os.environ}, "java", tmp_path, jflyte.Redactor(("secret-1",)))
    assert jflyte.run(invocation, stdout=out, stderr=err, copies=copies) == 0
    assert out.getvalue() == "to stdout\n" and err.getvalue() == ""
    assert sorted(log.getvalue().splitlines()) == ["*** on stderr", "to stdout"]


def test_an_unexpected_error_is_one_line_too(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jflyte, "prepare", broken)
    assert wrapper_cli.main(["execute-local", "--workflow=a.B"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "jflyte_wrapper: internal error: RuntimeError: boom; run again with --debug for the traceback"]
