"""The jflyte launcher behind scripts/jflyte_wrapper.py: precedence, validation, redaction,
pass-through. No JVM starts here: a folder stands for the jflyte CLI's jars."""

from pathlib import Path

import pytest

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
