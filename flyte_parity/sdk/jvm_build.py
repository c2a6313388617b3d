"""The JVM build: which flytekit-java to test, getting and building it, and the reactor over jvm/.

Three sources of flytekit-java, one per knob:
- the ``jvm/flytekit-java`` submodule as checked out (the default; initialised from its remote,
  or from ``FLYTEKIT_JAVA_GIT`` — a URL, a local mirror or a git bundle), built and installed
  into the local Maven repository once per commit;
- ``FLYTEKIT_JAVA_REF`` (a tag, branch or commit of the same repository), built the same way in
  a worktree under ``jvm/target`` without moving the submodule's pin;
- ``FLYTEKIT_JAVA_VERSION``, a release taken from Maven Central.

Every build has an id (``src-<commit>`` or ``mvn-<version>``) and its own output folder
``jvm/target/<id>``; a build writes its completion stamp only after it succeeded and removes it
before it starts, so a failed build is never taken for a good one, and building one version never
touches another's output. ``jvm/target/current`` points at the last build asked for that
succeeded; the suite and the wrapper use it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Sequence

from flyte_parity.base import paths
from flyte_parity.base.errors import UsageError
from flyte_parity.data.version_spec import as_version

ARCHIVE_NAME = "jflyte.jsa"  # in jvm/target/<build>/jflyte/, next to lib/ (jflyte.Invocation uses it)
EXECUTE_ARCHIVE_NAME = "jflyte-execute.jsa"  # the same for `jflyte execute` runs, made by one of them

UPSTREAM_URL = "https://github.com/flyteorg/flytekit-java.git"
SUBMODULE = paths.JVM_DIR / "flytekit-java"
# flytekit-java modules the suite needs (jflyte, its plug-ins, the SDK for Java and Scala 2.13 and
# the example jars); -am adds what they depend on. Modules a ref does not have are left out.
SOURCE_MODULES = ("flytekit-bom", "jflyte", "jflyte-aws", "jflyte-google-cloud", "flytekit-scala_2.13",
                  "flytekit-examples", "flytekit-examples-scala")
# Error Prone runs inside javac; on Java 16+ it needs the compiler's internals exported. We also
# switch it off (-Derrorprone.skip) where the pom allows: it checks code, it does not change it.
_JAVAC_EXPORTS = [f"--add-exports=jdk.compiler/com.sun.tools.javac.{p}=ALL-UNNAMED"
                  for p in ("api", "file", "main", "model", "parser", "processing", "tree", "util", "code", "comp")]
_JAVAC_EXPORTS += [f"--add-opens=jdk.compiler/com.sun.tools.javac.{p}=ALL-UNNAMED" for p in ("code", "comp")]
# Checks and packaging steps that do not change the jars the suite runs; spotless must not
# rewrite the submodule's files. Maven runs in the checkout (older poms name config files, such
# as checkstyle's suppressions.xml, relative to the working folder).
_SOURCE_SKIPS = ["-DskipTests", "-Djib.skip=true", "-Derrorprone.skip=true", "-Dmaven.javadoc.skip=true",
                 "-Dmaven.source.skip=true", "-Dspotbugs.skip=true", "-Dspotless.apply.skip=true",
                 "-Dspotless.check.skip=true", "-Dcheckstyle.skip=true", "-Dgpg.skip=true"]
_STAMP = ".complete"
# The flytekit-java versions that src/since-<version> folders of our JVM modules need.
SINCE = ("0.4.23", "0.4.55")


@dataclass(frozen=True)
class Build:
    """One flytekit-java to build the reactor against."""

    id: str  # src-<12 hex> or mvn-<version>
    version: str  # the flytekit-java version (from the checkout's pom, or the release asked for)
    commit: str | None = None  # source builds only
    source_dir: Path | None = None  # the checkout to build (source builds only)
    dirty: bool = False  # the checkout has uncommitted changes: never cached

    @property
    def api(self) -> str:
        """The API generation the project's own workflows are written for: "0.3" or "0.4"."""
        return "0.3" if re.match(r"0\.[0-3]\.", self.version) else "0.4"

    @property
    def out(self) -> Path:
        return paths.JVM_TARGET / self.id

    def describe(self) -> str:
        if self.commit:
            return f"flytekit-java {self.version} ({self.commit[:7]}{', modified' if self.dirty else ''}) from source"
        return f"flytekit-java {self.version} from Maven Central"


def _git(args: Sequence[str], cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise UsageError("git not found: install git (it fetches flytekit-java's source)")
    result = subprocess.run([git, *args], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise UsageError(f"git {' '.join(args[:2])} failed: {result.stderr.strip().splitlines()[-1:] or ['?']}")
    return result


def _remote_options(remote: str | None) -> list[str]:
    """git -c options that send the upstream URL to FLYTEKIT_JAVA_GIT (a URL, folder or bundle)."""
    if not remote:
        return []
    target = remote
    if "://" not in remote and not remote.startswith("git@") and Path(remote).exists():
        target = str(Path(remote).resolve())
    return ["-c", "protocol.file.allow=always", "-c", f"url.{target}.insteadOf={UPSTREAM_URL}"]


def _is_checkout(folder: Path) -> bool:
    return (folder / ".git").exists() and (folder / "pom.xml").is_file()


def init_submodule(remote: str | None, progress: IO[str]) -> None:
    """Check out jvm/flytekit-java at the commit the project pins, from its remote."""
    if _is_checkout(SUBMODULE):
        return
    if not (paths.REPO_ROOT / ".git").exists():
        raise UsageError("jvm/flytekit-java is empty and this folder is no git checkout: clone flyte-parity with git, "
                         "or build a release with FLYTEKIT_JAVA_VERSION=<version>")
    where = remote or UPSTREAM_URL
    progress.write(f"==> flytekit-java: initialising the jvm/flytekit-java submodule from {where}\n")
    progress.flush()
    result = _git([*_remote_options(remote), "submodule", "update", "--init", "jvm/flytekit-java"],
                  cwd=paths.REPO_ROOT, check=False)
    if result.returncode != 0 or not _is_checkout(SUBMODULE):
        lines = result.stderr.strip().splitlines() or ["no checkout"]
        reason = next((line.removeprefix("fatal: ") for line in lines if line.startswith("fatal:")), lines[-1])
        raise UsageError(f"cannot fetch flytekit-java from {where} ({reason}); set FLYTEKIT_JAVA_GIT to a reachable "
                         "URL, local mirror or git bundle of flyteorg/flytekit-java")


def _pom_version(checkout: Path) -> str:
    try:
        root = ET.parse(checkout / "pom.xml").getroot()
    except (OSError, ET.ParseError) as err:
        raise UsageError(f"cannot read {checkout / 'pom.xml'}: {err}; check the flytekit-java checkout") from None
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = root.find("m:version", ns)
    if version is None or not (version.text or "").strip():
        raise UsageError(f"{checkout / 'pom.xml'} names no version; check the flytekit-java checkout")
    return version.text.strip()


def _checkout_build(checkout: Path) -> Build:
    commit = _git(["rev-parse", "HEAD"], cwd=checkout).stdout.strip()
    dirty = bool(_git(["status", "--porcelain", "--untracked-files=no"], cwd=checkout).stdout.strip())
    return Build(f"src-{commit[:12]}", _pom_version(checkout), commit, checkout, dirty)


def _resolve_ref(ref: str, remote: str | None) -> str:
    """The commit a tag, branch or commit names in the flytekit-java repository (fetching if needed)."""
    for candidate in (f"refs/tags/{ref}", f"refs/remotes/origin/{ref}", ref):
        found = _git(["rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"], cwd=SUBMODULE, check=False)
        if found.returncode == 0:
            return found.stdout.strip()
    where = remote or UPSTREAM_URL
    fetched = _git([*_remote_options(remote), "fetch", "--quiet", "--tags", UPSTREAM_URL, ref], cwd=SUBMODULE,
                   check=False)
    if fetched.returncode == 0:
        found = _git(["rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}"], cwd=SUBMODULE, check=False)
        if found.returncode == 0:
            return found.stdout.strip()
    raise UsageError(f"flytekit-java has no tag, branch or commit {ref!r} (looked in jvm/flytekit-java and {where}); "
                     "name one that exists, e.g. FLYTEKIT_JAVA_REF=0.4.39")


def resolve(ref: str | None, release: str | None, remote: str | None, progress: IO[str]) -> Build:
    """The build the knobs ask for (release wins over ref; neither = the submodule's checkout)."""
    if release:
        if not re.fullmatch(r"\d+\.\d+\.\d+[\w.-]*", release):
            raise UsageError(f"FLYTEKIT_JAVA_VERSION={release!r} is not a version; use a release such as 0.3.20")
        return Build(f"mvn-{release}", release)
    init_submodule(remote, progress)
    if not ref:
        return _checkout_build(SUBMODULE)
    commit = _resolve_ref(ref, remote)
    worktree = paths.JVM_TARGET / "flytekit-java-src" / commit[:12]
    if not _is_checkout(worktree):
        if worktree.exists():
            shutil.rmtree(worktree)
        _git(["worktree", "prune"], cwd=SUBMODULE, check=False)
        progress.write(f"==> flytekit-java: checking out {ref} ({commit[:7]}) in {worktree.relative_to(paths.REPO_ROOT)}\n")
        progress.flush()
        _git(["worktree", "add", "--detach", "--force", str(worktree), commit], cwd=SUBMODULE)
    return _checkout_build(worktree)


def _jvm_inputs_digest(build: Build) -> str:
    """What the reactor build depends on: our JVM files, the flytekit-java build, the JDK."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(paths.JVM_DIR):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders
                               if d not in ("target", ".git") and not (here == paths.JVM_DIR and d == "flytekit-java"))
        for name in sorted(files):
            path = here / name
            digest.update(str(path.relative_to(paths.JVM_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"{build.id}\0{build.version}\0{build.commit}\0{_java_version()}".encode())
    return digest.hexdigest()


def _java_version() -> str:
    java = shutil.which("java")
    if java is None:
        raise UsageError("java not found: install a JDK 17 (or set JAVA_HOME and PATH)")
    return subprocess.run([java, "-version"], capture_output=True, text=True).stderr.strip().splitlines()[0]


def _local_repo() -> Path:
    """Maven's local repository as Maven finds it: -Dmaven.repo.local in MAVEN_OPTS, else
    ~/.m2/repository of the account (Java's user.home comes from the account, not from $HOME)."""
    found = re.search(r"-Dmaven\.repo\.local=(\S+)", os.environ.get("MAVEN_OPTS", ""))
    if found:
        return Path(found.group(1))
    return Path(pwd.getpwuid(os.getuid()).pw_dir) / ".m2" / "repository"


def _run_maven(command: list[str], log: Path, progress: IO[str], env: dict[str, str] | None = None,
               cwd: Path | None = None) -> None:
    """Run Maven (in ``cwd``) with its full output in ``log``; progress shows the module being built."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise UsageError("mvn not found: install Maven 3.6 or newer")
    log.parent.mkdir(parents=True, exist_ok=True)
    step = re.compile(r"Building (.+?) \[(\d+/\d+)\]|BUILD (SUCCESS|FAILURE)")
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen([mvn, "-B", "--no-transfer-progress", *command], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd)
        try:
            assert process.stdout is not None
            for line in process.stdout:
                sink.write(line)
                plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
                match = step.search(plain)
                if match and match.group(1):
                    progress.write(f"    [{match.group(2)}] {match.group(1).strip()}\n")
                    progress.flush()
            code = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
    if code != 0:
        tail = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in log.read_text(encoding="utf-8").splitlines()]
        errors = [line for line in tail if line.startswith("[ERROR]")][:8]
        for line in errors:
            progress.write(f"    {line}\n")
        raise UsageError(f"the Maven build failed (exit {code}); the full log is {log.relative_to(paths.REPO_ROOT)}")


def install_source(build: Build, progress: IO[str]) -> None:
    """``mvn install`` of a flytekit-java checkout (the modules the suite needs), once per commit."""
    assert build.source_dir is not None
    stamp = build.out / ".flytekit-java-installed"
    jar = _local_repo() / "org" / "flyte" / "jflyte" / build.version / f"jflyte-{build.version}.jar"
    if not build.dirty and stamp.is_file() and stamp.read_text().strip() == build.commit and jar.is_file():
        return
    stamp.unlink(missing_ok=True)
    modules = [m for m in SOURCE_MODULES if (build.source_dir / m / "pom.xml").is_file()]
    progress.write(f"==> {build.describe()}: mvn install ({', '.join(modules)} and what they need); "
                   f"log in {(build.out / 'flytekit-java-build.log').relative_to(paths.REPO_ROOT)}\n")
    progress.flush()
    env = {**os.environ, "CI": "true",  # CI=true: the not-ci profile would run spotless:apply on the sources
           "MAVEN_OPTS": " ".join([os.environ.get("MAVEN_OPTS", ""), *_JAVAC_EXPORTS]).strip()}
    _run_maven(["-f", str(build.source_dir / "pom.xml"), "install", *_SOURCE_SKIPS, "-pl", ",".join(modules), "-am"],
               build.out / "flytekit-java-build.log", progress, env, cwd=build.source_dir)
    stamp.write_text(f"{build.commit}\n")


def build_reactor(build: Build, progress: IO[str]) -> None:
    """``mvn package`` over jvm/ against ``build``, into jvm/target/<id>; cached by its inputs."""
    stamp = build.out / _STAMP
    digest = _jvm_inputs_digest(build)
    if not build.dirty and stamp.is_file() and stamp.read_text().strip() == digest and (build.out / "jflyte" / "lib").is_dir():
        progress.write(f"==> JVM: up to date ({build.describe()}, jvm/target/{build.id})\n")
        for name, make in ((ARCHIVE_NAME, class_archive), (EXECUTE_ARCHIVE_NAME, execute_archive)):
            tried = build.out / "jflyte" / (name + ".none")
            if not (build.out / "jflyte" / name).is_file() and not tried.is_file():
                make(build, progress)
        return
    stamp.unlink(missing_ok=True)
    for name in (ARCHIVE_NAME, ARCHIVE_NAME + ".none", EXECUTE_ARCHIVE_NAME, EXECUTE_ARCHIVE_NAME + ".none"):
        (build.out / "jflyte" / name).unlink(missing_ok=True)
    progress.write(f"==> JVM: mvn package over jvm/ against {build.describe()} into jvm/target/{build.id}\n")
    progress.flush()
    extra = os.environ.get("MVN_ARGS", "").split()
    extra = [f"-Dflytekit.since.{since}=src/none" for since in SINCE
             if as_version(build.version) < as_version(since)] + extra
    try:
        _run_maven(["-f", str(paths.JVM_DIR / "pom.xml"), "clean", "package", "-DskipTests",
                    f"-Dflytekit.version={build.version}", f"-Dflytekit.api={build.api}",
                    f"-Dflytekit.build.id={build.id}", f"-Dflyte.out={build.out}", *extra],
                   build.out / "reactor-build.log", progress)
    except UsageError as err:
        log = (build.out / "reactor-build.log").read_text(encoding="utf-8", errors="replace")
        if build.commit is None and re.search(r"(Could not find artifact|Non-resolvable import POM:) org\.flyte:", log):
            raise UsageError(f"flytekit-java {build.version} does not resolve from Maven Central here; check the "
                             f"version, or build it from source: FLYTEKIT_JAVA_REF={build.version} "
                             f"(log: {(build.out / 'reactor-build.log').relative_to(paths.REPO_ROOT)})") from None
        raise err
    class_archive(build, progress)
    execute_archive(build, progress)
    (build.out / "flytekit-java.txt").write_text(
        f"version={build.version}\ncommit={build.commit or ''}\nsource={'git' if build.commit else 'maven-central'}\n",
        encoding="utf-8")
    stamp.write_text(digest + "\n")


def _archive_tools(build: Build) -> tuple[str, Path] | None:
    """(java, jflyte's lib folder) for an archive dump, or None when either is missing."""
    lib, java = build.out / "jflyte" / "lib", shutil.which("java")
    return (java, lib) if java is not None and lib.is_dir() else None


def _jflyte_dump(java: str, lib: Path, archive: Path | None = None, *options: str) -> list[str]:
    """A jflyte command line (its arguments follow), dumping its classes into ``archive`` if given."""
    dump = [f"-XX:ArchiveClassesAtExit={archive}"] if archive is not None else []
    return [java, *dump, *options, "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-Dfile.encoding=UTF-8", "-cp", f"{lib}/*",
            "org.flyte.jflyte.Main", "jflyte"]


def _archive_env(build: Build, **extra: str) -> dict[str, str]:
    """jflyte's environment for a dump: no user FLYTE_* settings, harmless endpoints, our modules."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}, "FLYTE_PLATFORM_URL": "127.0.0.1:1",
            "FLYTE_INTERNAL_MODULE_DIR": str(build.out / "jflyte" / "modules"), "FLYTE_INTERNAL_IMAGE": "unused",
            "FLYTE_PLATFORM_INSECURE": "true", **extra}


def _run_quietly(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None


def _keep_or_mark(archive: Path, result: subprocess.CompletedProcess | None, progress: IO[str], without: str) -> None:
    """Keep a dumped archive; after a failed dump remove any partial file and leave a marker (so
    the dump is retried only with a new build), saying what launches do ``without`` it."""
    if result is None or result.returncode != 0 or not archive.is_file():
        archive.unlink(missing_ok=True)
        (archive.parent / (archive.name + ".none")).write_text("the dump failed; rebuilt with the build\n")
        progress.write(f"    ({without})\n")


def class_archive(build: Build, progress: IO[str]) -> None:
    """A dynamic class-data archive of jflyte's class path (JDK 13+), made by one execute-local of
    the upstream Welcome workflow; jflyte launches then map those classes instead of loading them.
    It lives in the build's folder, so a rebuild (new sources, version, commit or JDK) replaces
    it. Without it (an older JDK, a failed dump) launches simply run without one."""
    tools = _archive_tools(build)
    if tools is None:
        return
    archive = build.out / "jflyte" / ARCHIVE_NAME
    progress.write("==> JVM: class-data archive of jflyte's class path (faster jflyte starts)\n")
    progress.flush()
    command = _jflyte_dump(*tools, archive) + [
        "execute-local", f"-cp={build.out / 'lib' / 'upstream-java'}", "--workflow=org.flyte.examples.WelcomeWorkflow",
        "--name=archive"]
    _keep_or_mark(archive, _run_quietly(command, _archive_env(build)), progress,
                  "no archive: jflyte launches start without one")


def execute_archive(build: Build, progress: IO[str]) -> None:
    """The class-data archive for ``jflyte execute`` launches (most of the suite's): made by one
    ``jflyte execute`` of the upstream GreetTask as its container would run it — serialized, jars
    staged to a temporary folder, inputs and template written — which loads the task-run path's
    classes (staged-jar fetching, the task's module) that an execute-local never loads."""
    try:
        from flyteidl.admin import task_pb2
        from flyteidl.core import literals_pb2
    except ImportError:  # a build started outside the virtualenv (the wrapper on a bare python3): later
        return
    tools = _archive_tools(build)
    if tools is None:
        return
    archive = build.out / "jflyte" / EXECUTE_ARCHIVE_NAME
    progress.write("==> JVM: class-data archive for jflyte execute launches\n")
    progress.flush()
    result = None
    with tempfile.TemporaryDirectory(prefix="flyte-parity-archive-") as tmp:
        work = Path(tmp)
        env = _archive_env(build, FLYTE_STAGING_LOCATION=(work / "staging").as_uri(),
                           **{f"FLYTE_INTERNAL_{prefix}{name}": "archive" for prefix in ("", "TASK_")
                              for name in ("PROJECT", "DOMAIN", "VERSION")})
        (work / "serialized").mkdir()
        (work / "out").mkdir()
        serialized = _run_quietly(_jflyte_dump(*tools) + [
            "serialize", "workflows", f"-cp={build.out / 'lib' / 'upstream-java'}", "-f", str(work / "serialized")], env)
        found = sorted((work / "serialized").glob("*_org.flyte.examples.GreetTask_1.pb"))
        if serialized is not None and serialized.returncode == 0 and found:
            spec = task_pb2.TaskSpec.FromString(found[0].read_bytes())
            (work / "task.pb").write_bytes(spec.template.SerializeToString())
            inputs = literals_pb2.LiteralMap()
            inputs.literals["name"].scalar.primitive.string_value = "archive"
            (work / "inputs.pb").write_bytes(inputs.SerializeToString())
            (work / "tmp").mkdir()  # where jflyte copies the task's jars: removed with the folder
            result = _run_quietly(_jflyte_dump(*tools, archive, f"-Djava.io.tmpdir={work / 'tmp'}") + [
                "execute", "--task", "org.flyte.examples.GreetTask", "--inputs", (work / "inputs.pb").as_uri(),
                "--outputPrefix", (work / "out").as_uri(), "--taskTemplatePath", (work / "task.pb").as_uri()], env)
    _keep_or_mark(archive, result, progress, "no execute archive: jflyte execute launches use the general one")


def point_current(build: Build) -> None:
    """Make jvm/target/current name this build (what the suite and the wrapper use)."""
    link = paths.JVM_TARGET / "current"
    tmp = paths.JVM_TARGET / ".current.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(build.id)
    tmp.replace(link)


def ensure(ref: str | None = None, release: str | None = None, remote: str | None = None,
           progress: IO[str] | None = None, make_current: bool = True) -> Build:
    """Resolve, build what is missing, and (by default) make the build current; returns it."""
    out = progress or sys.stderr
    build = resolve(ref, release, remote, out)
    build.out.mkdir(parents=True, exist_ok=True)
    if build.source_dir is not None:
        install_source(build, out)
    build_reactor(build, out)
    if make_current:
        point_current(build)
    return build


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flyte_parity.sdk.jvm_build", description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default=os.environ.get("FLYTEKIT_JAVA_REF") or None,
                        help="a tag, branch or commit of flytekit-java to build from source (FLYTEKIT_JAVA_REF)")
    parser.add_argument("--release", default=os.environ.get("FLYTEKIT_JAVA_VERSION") or None,
                        help="a flytekit-java release from Maven Central (FLYTEKIT_JAVA_VERSION)")
    parser.add_argument("--git", default=os.environ.get("FLYTEKIT_JAVA_GIT") or None,
                        help="where to fetch flytekit-java from: URL, mirror or bundle (FLYTEKIT_JAVA_GIT)")
    parser.add_argument("--no-current", action="store_true", help="build, but leave jvm/target/current alone")
    parser.add_argument("--print-id", action="store_true", help="print the build id on standard output")
    args = parser.parse_args(argv)
    try:
        build = ensure(args.ref, args.release, args.git, sys.stderr, make_current=not args.no_current)
    except UsageError as err:
        print(f"flyte-parity: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("flyte-parity: JVM build interrupted", file=sys.stderr)
        return 130
    if args.print_id:
        print(build.id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
