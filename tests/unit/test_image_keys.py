"""The images' cache keys: a change in any input changes the key, the same inputs give the same key,
and the order files are listed in does not matter. No Docker here; the jflyte launcher runs on this
machine's /bin/sh with a stand-in java."""

import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from flyte_parity.base.errors import UsageError
from flyte_parity.services import images

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-/", min_size=1, max_size=24)
shas = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
file_sets = st.dictionaries(names, shas, min_size=1, max_size=12)
words = st.text(max_size=30)


@given(file_sets, st.randoms(use_true_random=False))
def test_the_order_files_are_listed_in_does_not_matter(files, random):
    listed = list(files.items())
    shuffled = random.sample(listed, len(listed))
    assert images.files_key(shuffled) == images.files_key(listed) == images.files_key(dict(files).items())


@given(file_sets, st.data())
def test_any_changed_file_changes_the_key(files, data):
    key = images.files_key(files.items())
    path = data.draw(st.sampled_from(sorted(files)))
    other_sha = data.draw(shas.filter(lambda sha: sha != files[path]))
    other_path = data.draw(names.filter(lambda name: name not in files))
    others = {name: sha for name, sha in files.items() if name != path}
    assert images.files_key({**files, path: other_sha}.items()) != key  # contents
    assert images.files_key({**others, other_path: files[path]}.items()) != key  # name
    assert images.files_key({**files, other_path: other_sha}.items()) != key  # one more
    if others:
        assert images.files_key(others.items()) != key  # one less


def test_a_path_listed_twice_is_refused():
    with pytest.raises(ValueError):
        images.files_key([("a", "0" * 64), ("a", "1" * 64)])


@given(st.lists(words, min_size=4, max_size=4), st.integers(0, 3), words)
def test_each_input_of_an_image_changes_its_key(inputs, which, other):
    assume(other != inputs[which])
    changed = [*inputs]
    changed[which] = other
    for key in (images.flytekit_key, images.jflyte_key):
        assert key(*inputs) == key(*list(inputs))
        assert key(*changed) != key(*inputs)
    assert images.flytekit_key(*inputs) != images.jflyte_key(*inputs)


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12), max_size=6),
       st.randoms(use_true_random=False))
def test_the_base_key_follows_suite_packages_mirror_and_variant_not_package_order(packages, random):
    key = images.base_key("bookworm", packages)
    assert images.base_key("bookworm", random.sample(packages, len(packages))) == key
    assert images.base_key("trixie", packages) != key
    assert images.base_key("bookworm", [*packages, "zz-extra"]) != key
    assert images.base_key("bookworm", packages, mirror="http://deb.debian.org/debian-x") != key
    assert images.base_key("bookworm", packages, variant="buildd") != key


def _tree(folder: Path, files: dict) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_flytekit_key_follows_version_and_the_twins_files_not_their_bytecode(tmp_path):
    twins = _tree(tmp_path / "python_wf", {"__init__.py": "", "a.py": "x = 1\n"})
    key = images.flytekit_recipe("1.16.31", twins).key
    assert images.flytekit_recipe("1.16.31", twins).key == key
    assert images.flytekit_recipe("1.16.30", twins).key != key
    _tree(twins, {"__pycache__/a.cpython-311.pyc": "bytes"})
    assert images.flytekit_recipe("1.16.31", twins).key == key
    _tree(twins, {"a.py": "x = 2\n"})
    assert images.flytekit_recipe("1.16.31", twins).key != key


def test_the_jflyte_key_follows_each_jar_and_module_file(tmp_path):
    lib = _tree(tmp_path / "lib", {"jflyte-0.4.62.jar": "a", "picocli.jar": "b"})
    modules = _tree(tmp_path / "modules", {"aws/x.jar": "c"})
    first = images.jflyte_recipe(lib, modules)
    assert first.buildargs == {"FLYTE_INTERNAL_IMAGE": first.name}
    assert first.name == f"localhost/flyte-parity-jflyte:{first.key[:12]}"
    assert first.archive(tmp_path).name == f"flyte-parity-jflyte-{first.key}.tar"
    keys = {first.key}
    for change in ({"picocli.jar": "B"}, {"more.jar": "d"}):
        _tree(lib, change)
        keys.add(images.jflyte_recipe(lib, modules).key)
    (modules / "aws" / "x.jar").rename(modules / "aws" / "y.jar")
    keys.add(images.jflyte_recipe(lib, modules).key)
    assert len(keys) == 4


def test_bad_inputs_name_the_fix(tmp_path):
    with pytest.raises(UsageError, match="1.16.31"):
        images.flytekit_recipe("latest")
    with pytest.raises(UsageError, match="python_wf"):
        images.flytekit_recipe("1.16.31", tmp_path)
    with pytest.raises(UsageError, match="make jvm"):
        images.jflyte_recipe(tmp_path / "lib", tmp_path / "modules")


def _launch(tmp_path: Path, **env: str) -> tuple[str, dict]:
    """Run the launcher with a stand-in java that prints its arguments and the environment it was given
    (read from /proc: a shell adds PWD to its own)."""
    launcher = tmp_path / "launcher"
    launcher.write_text(images.LAUNCHER, encoding="utf-8")
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text('#!/bin/sh\necho "ARGS $*"\ntr "\\0" "\\n" < /proc/$$/environ\n', encoding="utf-8")
    fake.chmod(0o755)
    given_env = {"PATH": f"{fake.parent}:/usr/bin:/bin", **env}
    done = subprocess.run(["/bin/sh", str(launcher), "jflyte", "execute", "--task", "t"], env=given_env,
                          capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    return first, dict(line.split("=", 1) for line in rest)


TASK_ENV = {"FLYTE_INTERNAL_TASK_PROJECT": "p", "FLYTE_INTERNAL_TASK_DOMAIN": "d",
            "FLYTE_INTERNAL_TASK_NAME": "n", "FLYTE_INTERNAL_TASK_VERSION": "v"}


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc")
def test_the_launcher_leaves_the_environment_alone(tmp_path):
    arguments, environment = _launch(tmp_path, **TASK_ENV)
    assert environment == {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", **TASK_ENV}
    assert arguments.endswith('-cp /jflyte/modules/*:/jflyte/libs/* org.flyte.jflyte.Main jflyte execute --task t')
