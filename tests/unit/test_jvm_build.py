"""The JVM build driver's source handling on real git repositories made here: the submodule is
initialised from FLYTEKIT_JAVA_GIT (a bundle), an unreachable remote is one line naming the knob,
refs resolve to commits, and build ids and API generations follow the checkout's version."""

import subprocess

import pytest

from flyte_parity.sdk import jvm_build
from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>org.flyte</groupId><artifactId>flytekit-parent</artifactId><version>{version}</version></project>"""


def git(*args, cwd):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def upstream(tmp_path):
    """A tiny 'flytekit-java' with two tagged versions, and a bundle of it."""
    repo = tmp_path / "upstream"
    repo.mkdir()
    git("init", "-q", "-b", "master", cwd=repo)
    commits = {}
    for version in ("0.3.20", "0.4.62"):
        (repo / "pom.xml").write_text(POM.format(version=version))
        git("add", "pom.xml", cwd=repo)
        git("commit", "-q", "-m", version, cwd=repo)
        git("tag", version, cwd=repo)
        commits[version] = git("rev-parse", "HEAD", cwd=repo)
    bundle = tmp_path / "flytekit-java.bundle"
    git("bundle", "create", str(bundle), "--all", cwd=repo)
    return bundle, commits


@pytest.fixture
def progress(tmp_path):
    """Where the driver writes its progress lines (the terminal, in real use)."""
    with open(tmp_path / "progress.txt", "w+", encoding="utf-8") as stream:
        yield stream


@pytest.fixture
def superproject(tmp_path, upstream, monkeypatch):
    """A checkout like flyte-parity's: jvm/flytekit-java a submodule pinned at 0.4.62, not initialised."""
    _, commits = upstream
    root = tmp_path / "project"
    (root / "jvm").mkdir(parents=True)
    git("init", "-q", cwd=root)
    (root / ".gitmodules").write_text(
        f'[submodule "jvm/flytekit-java"]\n\tpath = jvm/flytekit-java\n\turl = {jvm_build.UPSTREAM_URL}\n')
    git("add", ".gitmodules", cwd=root)
    git("update-index", "--add", "--cacheinfo", f"160000,{commits['0.4.62']},jvm/flytekit-java", cwd=root)
    git("commit", "-q", "-m", "pin", cwd=root)
    monkeypatch.setattr(paths, "REPO_ROOT", root)
    monkeypatch.setattr(paths, "JVM_DIR", root / "jvm")
    monkeypatch.setattr(paths, "JVM_TARGET", root / "jvm" / "target")
    monkeypatch.setattr(jvm_build, "SUBMODULE", root / "jvm" / "flytekit-java")
    return root


def test_the_submodule_is_initialised_from_a_bundle_at_the_pinned_commit(superproject, upstream, progress):
    bundle, commits = upstream
    build = jvm_build.resolve(None, None, str(bundle), progress)
    assert build.commit == commits["0.4.62"]
    assert (build.id, build.version, build.api, build.dirty) == (f"src-{commits['0.4.62'][:12]}", "0.4.62", "0.4", False)


def test_an_unreachable_remote_is_one_line_naming_the_knob(superproject, tmp_path, progress):
    with pytest.raises(UsageError) as raised:
        jvm_build.resolve(None, None, str(tmp_path / "no-such.bundle"), progress)
    message = str(raised.value)
    assert "FLYTEKIT_JAVA_GIT" in message and "\n" not in message


def test_the_command_line_says_one_line_and_exits_2_when_nothing_is_reachable(superproject, tmp_path, monkeypatch,
                                                                             capfd):
    monkeypatch.delenv("FLYTEKIT_JAVA_REF", raising=False)
    monkeypatch.delenv("FLYTEKIT_JAVA_VERSION", raising=False)
    monkeypatch.setenv("FLYTEKIT_JAVA_GIT", str(tmp_path / "missing"))
    assert jvm_build.main([]) == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("==> flytekit-java: initialising")
    assert err[1].startswith("flyte-parity: cannot fetch flytekit-java") and "FLYTEKIT_JAVA_GIT" in err[1]


def test_a_ref_builds_in_its_own_worktree_without_moving_the_pin(superproject, upstream, progress):
    bundle, commits = upstream
    build = jvm_build.resolve("0.3.20", None, str(bundle), progress)
    assert (build.commit, build.version, build.api) == (commits["0.3.20"], "0.3.20", "0.3")
    assert build.source_dir != jvm_build.SUBMODULE
    assert git("rev-parse", "HEAD", cwd=jvm_build.SUBMODULE) == commits["0.4.62"]


def test_an_unknown_ref_is_refused_with_an_example(superproject, upstream, progress):
    bundle, _ = upstream
    with pytest.raises(UsageError, match="no tag, branch or commit 'no-such-ref'.*FLYTEKIT_JAVA_REF=0.4.39"):
        jvm_build.resolve("no-such-ref", None, str(bundle), progress)


def test_a_modified_checkout_is_never_cached(superproject, upstream, progress):
    bundle, _ = upstream
    jvm_build.resolve(None, None, str(bundle), progress)
    (jvm_build.SUBMODULE / "pom.xml").write_text(POM.format(version="0.4.63-SNAPSHOT"))
    build = jvm_build.resolve(None, None, str(bundle), progress)
    assert build.dirty and build.version == "0.4.63-SNAPSHOT"


@pytest.mark.parametrize("release, build_id, api", [("0.3.20", "mvn-0.3.20", "0.3"), ("0.4.35", "mvn-0.4.35", "0.4")])
def test_a_release_is_its_own_build(release, build_id, api, progress):
    build = jvm_build.resolve(None, release, None, progress)
    assert (build.id, build.api, build.commit, build.out.name) == (build_id, api, None, build_id)


def test_a_release_that_is_no_version_is_refused(progress):
    with pytest.raises(UsageError, match="is not a version"):
        jvm_build.resolve(None, "latest; rm -rf /", None, progress)
