"""The ``flyte-parity`` command: a door onto the library for people (pytest is the other door)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

import json

from flyte_parity.services import local_admin
from flyte_parity.base import paths
from flyte_parity.data.catalogue import load_catalogue
from flyte_parity.base.errors import UsageError
from flyte_parity.idl.compare import Report, compare_launch_plans, compare_workflows
from flyte_parity.idl.pairing import pair
from flyte_parity.sdk.package import load_entities
from flyte_parity.services.processes import ServiceError


def _explain(args: argparse.Namespace) -> int:
    from flyte_parity.base import versions
    from flyte_parity.data.ledger import load_ledger
    from flyte_parity.reproduce import explain

    java = versions.flytekit_java()
    if java == "not built":
        raise UsageError("no JVM build: run `make jvm` first (a reproducer runs the built jflyte)")
    ledger = load_ledger(Path(args.ledger))
    catalogue = load_catalogue(Path(args.catalogue), paths.REPO_ROOT).at(java)
    choice = explain.choose(ledger, catalogue, args.topic, java)
    out = Path(args.out) if args.out else Path.cwd() / f"reproduce-{args.topic}"
    folder = explain.write(choice, ledger, out, java)
    print(f"{args.topic}: {choice.pair.id} [{choice.mode}] {choice.entry.path}: jvm {choice.entry.jvm} != "
          f"python {choice.entry.python}")
    print(f"wrote {folder} (run {folder / 'reproduce.sh'}; README.md is a draft upstream report)")
    return 0


def _cases(args: argparse.Namespace) -> int:
    from flyte_parity.base import versions
    from flyte_parity.modes import registry

    java, python = versions.flytekit_java(), versions.flytekit()
    if java == "not built":
        raise UsageError("no JVM build: run `make jvm` first (the catalogue is read as the built flytekit-java sees it)")
    catalogue = registry.resolve(load_catalogue(Path(args.catalogue), paths.REPO_ROOT).at(java), java, python)
    print(f"flytekit-java {java}, flytekit {python}")
    for pair in catalogue.pairs:
        shown = f"absent: {pair.absent}" if pair.absent else f"modes={','.join(pair.modes)}"
        print(f"{pair.id}: {pair.source.name}:{pair.jvm} ~ {pair.python} {shown} inputs={','.join(pair.inputs)}")
    for mode in registry.modes():
        print(f"{len(mode.subjects(catalogue))} {mode.name} subject(s): {mode.summary}")
    return 0


def _maps(left, right, maps: list[str]) -> dict[str, str]:
    """Each --map LEFT=RIGHT, checked: both names must be a workflow or launch plan of their side."""
    explicit: dict[str, str] = {}
    for item in maps:
        lname, sep, rname = item.partition("=")
        if not sep or not lname or not rname:
            raise UsageError(f"--map takes LEFT_NAME=RIGHT_NAME, got {item!r}")
        if lname not in left.workflows and lname not in left.launch_plans:
            raise UsageError(f"--map {item}: {lname} is no workflow or launch plan of {left.origin}")
        if rname not in right.workflows and rname not in right.launch_plans:
            raise UsageError(f"--map {item}: {rname} is no workflow or launch plan of {right.origin}")
        explicit[lname] = rname
    return explicit


def _diff(args: argparse.Namespace) -> int:
    left, right = load_entities(Path(args.left)), load_entities(Path(args.right))
    pairing = pair(left, right, _maps(left, right, args.map))
    report = Report()
    for lname, rname in pairing.workflows:
        report.extend(compare_workflows(left, lname, right, rname))
    for lname, rname in pairing.launch_plans:
        report.extend(compare_launch_plans(left, lname, right, rname))
    unpaired = [(side, kind, name) for side in ("left", "right") for kind, name in pairing.unpaired[side]]
    if args.json:
        print(json.dumps({
            "pairs": {"workflows": pairing.workflows, "launch_plans": pairing.launch_plans},
            "unpaired": {side: [{"kind": kind, "name": name} for kind, name in pairing.unpaired[side]]
                         for side in ("left", "right")},
            "semantic": [d.as_dict() for d in report.semantic],
            "identity": [d.as_dict() for d in report.identity],
        }, indent=2, ensure_ascii=False))
    else:
        for difference in report.semantic:
            print(difference)
        for side, kind, name in unpaired:
            print(f"not paired: {side} {kind} {name}")
        if args.identity:
            for difference in report.identity:
                print(f"identity: {difference}")
        hint = "accepted by --allow-unpaired" if args.allow_unpaired else \
            "pair them with --map LEFT=RIGHT, or pass --allow-unpaired"
        left_out = f"{len(unpaired)} left out (listed above; {hint})" if unpaired else "nothing left out"
        print(f"{len(report.semantic)} semantic difference(s), {len(report.identity)} identity difference(s); "
              f"compared {len(pairing.workflows)} workflow pair(s) and {len(pairing.launch_plans)} launch plan "
              f"pair(s); {left_out}", file=sys.stderr)
    return 1 if report.semantic or (unpaired and not args.allow_unpaired) else 0


def _local_admin(args: argparse.Namespace) -> int:
    """start and ``status --env``: export lines on stdout for ``eval``, the rest on stderr."""
    folder = local_admin.check_folder(Path(args.dir))
    if args.env and args.action == "stop":
        raise UsageError("--env goes with start or status, not stop")
    if args.action == "start":
        before = local_admin.remembered_ports(folder)
        try:
            state, started = local_admin.start(folder)
        except ServiceError as err:
            print(f"flyte-parity: {err}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("flyte-parity: interrupted; the local FlyteAdmin was stopped", file=sys.stderr)
            return 130
        moved = local_admin.moved_ports(before, state.ports) if started else []
        if moved:
            print(f"flyte-parity: port(s) of the last start were taken, new ones used: {', '.join(moved)}",
                  file=sys.stderr)
        print(local_admin.export_lines(state.environment()), end="")
        print(f"local FlyteAdmin {'started' if started else 'already running'}: {state.platform_url}, http "
              f"{state.http}, project {state.project}, log {state.log}; in a shell: eval \"$(flyte-parity "
              f"local-admin start)\"; stop it with `flyte-parity local-admin stop`", file=sys.stderr)
        return 0
    if args.action == "status":
        state = local_admin.running(folder)
        if state is None:
            print(f"not running ({folder})", file=sys.stderr if args.env else sys.stdout)
            return 1
        health = "healthy" if state.healthy() else "not answering /healthcheck"
        line = (f"running, {health}: {state.platform_url}, http {state.http}, project {state.project}, "
                f"supervisor pid {state.supervisor}, folder {folder}")
        if args.env:
            print(local_admin.export_lines(state.environment()), end="")
        print(line, file=sys.stderr if args.env else sys.stdout)
        return 0
    print("stopped" if local_admin.stop(folder) else f"not running ({folder})")
    return 0


def _local_cluster(args: argparse.Namespace) -> int:
    """Like local-admin: export lines on stdout for ``eval`` (start, ``status --env``), the rest on stderr."""
    from flyte_parity.services import local_cluster

    folder = local_admin.check_folder(Path(args.dir))
    if args.env and args.action == "stop":
        raise UsageError("--env goes with start or status, not stop")
    if args.action == "start":
        try:
            state, started = local_cluster.start(folder)
        except ServiceError as err:
            print(f"flyte-parity: {err}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("flyte-parity: interrupted; the local data plane was stopped", file=sys.stderr)
            return 130
        print(state.export_lines(), end="")
        print(f"local Flyte data plane {'started' if started else 'already running'}: "
              f"{local_cluster.status_line(state)}; in a shell: eval \"$(flyte-parity local-cluster start)\"; "
              "stop it with `flyte-parity local-cluster stop`", file=sys.stderr)
        return 0
    if args.action == "status":
        state = local_cluster.running(folder)
        if state is None:
            print(f"not running ({folder})", file=sys.stderr if args.env else sys.stdout)
            return 1
        if args.env:
            print(state.export_lines(), end="")
        print(local_cluster.status_line(state), file=sys.stderr if args.env else sys.stdout)
        return 0
    print("stopped" if local_cluster.stop(folder) else f"not running ({folder})")
    return 0


MODES_BEGIN = "<!-- modes:begin (written by `make readme` from the mode registry; do not edit) -->"
MODES_END = "<!-- modes:end -->"


def _readme(args: argparse.Namespace) -> int:
    """The README's list of modes (from the registry) and its matrix (from a full run's matrix.json)."""
    from flyte_parity.modes import registry
    from flyte_parity.reports.matrix import BEGIN, END, render, splice

    source = Path(args.matrix)
    try:
        matrix = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot read {source} ({err}); run the parity suite first (`make parity`)") from None
    problems = [why for why, bad in (
        ("not every subject ran", matrix.get("counts", {}).get("not run", 0) or "tables" not in matrix),
        ("some cells were kept from earlier runs", matrix.get("kept", 0)),
        ("it is not the pinned flytekit-java build", not matrix.get("pinned_build")),
        ("it used another catalogue or ledger", not matrix.get("default_catalogue"))) if bad]
    if problems:
        raise UsageError(f"{source} is not a full run of the default suite ({'; '.join(problems)}); "
                         "run `make parity` and then `make readme`")
    readme = paths.REPO_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    try:
        updated = splice(text, render(matrix, full=False), BEGIN, END)
        updated = splice(updated, registry.markdown(), MODES_BEGIN, MODES_END)
    except ValueError as err:
        raise UsageError(f"{readme}: {err}; put the markers back") from None
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
    print(f"README.md: {'updated' if updated != text else 'already current'} from {source} and the mode registry")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="flyte-parity", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Tools around the Flyte SDK parity suite, which compares flytekit-java (jflyte) with "
                    "flytekit.\nThe suite itself runs under pytest: `make parity` (or `pytest tests/parity`); "
                    "`make test` runs every test.",
        epilog="examples:\n"
               "  flyte-parity cases                       the catalogue's pairs and each mode's subjects\n"
               "  flyte-parity diff out/jvm out/python     compare two serializations in canonical form\n"
               "  flyte-parity local-admin start           a FlyteAdmin with PostgreSQL on loopback\n"
               "  flyte-parity local-cluster start         a whole Flyte data plane on loopback (admin, Kubernetes, propeller)\n"
               "  flyte-parity explain int64-overflow      a reproducer of a ledger topic, with a draft report\n"
               "  flyte-parity readme                      refresh the README from the last full run")
    commands = parser.add_subparsers(dest="command", required=True)
    cases = commands.add_parser("cases", help="list the catalogue's pairs and each mode's subjects, as the built "
                                              "flytekit-java sees them")
    cases.add_argument("--catalogue", default=str(paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"))
    cases.set_defaults(run=_cases)
    diff = commands.add_parser(
        "diff", help="compare two serializations (folders of .pb or .tgz) in canonical form",
        description="Exit 0: no semantic difference and nothing left unpaired; 1: differences (one line each), "
                    "or entities neither side's pairs cover (each named); 2: bad input.",
    )
    diff.add_argument("left", help="folder of N_name_K.pb files or a .tgz flyte package")
    diff.add_argument("right", help="folder of N_name_K.pb files or a .tgz flyte package")
    diff.add_argument("--map", action="append", default=[], metavar="LEFT_NAME=RIGHT_NAME",
                      help="pair a workflow or launch plan whose names differ (repeatable)")
    diff.add_argument("--json", action="store_true", help="print the result as JSON")
    diff.add_argument("--identity", action="store_true", help="also print identity differences")
    diff.add_argument("--allow-unpaired", action="store_true",
                      help="entities no pair covers are expected: still listed, but not a failure")
    diff.set_defaults(run=_diff)
    admin = commands.add_parser(
        "local-admin", help="a real FlyteAdmin (with PostgreSQL) on loopback, in the background",
        description="start: once it answers, print `export NAME=value` lines for FLYTE_PLATFORM_URL, "
                    "FLYTE_PLATFORM_INSECURE and FLYTE_STAGING_LOCATION (eval \"$(flyte-parity local-admin "
                    "start)\"), on the ports of the folder's last start where still free (exit 1 when it "
                    "cannot start); status: exit 0 when it runs, 1 when not; stop: stop FlyteAdmin and "
                    "PostgreSQL. The binary: $FLYTEADMIN_BIN, else .tools/bin/flyteadmin (`make flyteadmin`).",
    )
    admin.add_argument("action", choices=["start", "status", "stop"])
    admin.add_argument("--dir", default=str(local_admin.DEFAULT_FOLDER),
                       help="run folder: state, logs, database, blobs (default: .flyte-parity/local-admin)")
    admin.add_argument("--env", action="store_true",
                       help="status: print the export lines start prints (other output goes to stderr)")
    admin.set_defaults(run=_local_admin)
    cluster = commands.add_parser(
        "local-cluster", help="a whole Flyte data plane on loopback, in the background (run as root)",
        description="start: build both SDK images (cached), start PostgreSQL, FlyteAdmin, Kubernetes (etcd, control "
                    "plane, containerd, kubelet), datacatalog and FlytePropeller, and print `export NAME=value` "
                    "lines for FLYTE_PLATFORM_URL, FLYTE_PLATFORM_INSECURE, FLYTE_STAGING_LOCATION, "
                    "FLYTE_INTERNAL_IMAGE (jflyte's image), FLYTE_PARITY_FLYTEKIT_IMAGE and KUBECONFIG; status: "
                    "exit 0 when it runs, 1 when not; stop: stop every part and put the host back.",
    )
    cluster.add_argument("action", choices=["start", "status", "stop"])
    cluster.add_argument("--dir", default=str(paths.REPO_ROOT / ".flyte-parity" / "local-cluster"),
                         help="run folder: state, logs (default: .flyte-parity/local-cluster)")
    cluster.add_argument("--env", action="store_true",
                         help="status: print the export lines start prints (other output goes to stderr)")
    cluster.set_defaults(run=_local_cluster)
    explain = commands.add_parser(
        "explain", help="write a standalone reproducer of a ledger topic, with a draft upstream report",
        description="Chooses the smallest case that shows the topic (execute-local or idl entries), and writes a "
                    "folder: the JVM source and the Python twin, jvm.sh and python.sh with the plain jflyte and "
                    "pyflyte commands, reproduce.sh (runs both, prints what each gave) and README.md (the report).")
    explain.add_argument("topic", help="a ledger topic (tests/parity/ledger.toml [topics.<name>])")
    explain.add_argument("--out", help="the folder to write (must not exist; default ./reproduce-<topic>)")
    explain.add_argument("--ledger", default=str(paths.REPO_ROOT / "tests" / "parity" / "ledger.toml"))
    explain.add_argument("--catalogue", default=str(paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"))
    explain.set_defaults(run=_explain)
    readme = commands.add_parser(
        "readme", help="refresh the README's list of modes and its parity matrix (from a full run)",
        description="Writes the mode registry's list and the matrix of reports/matrix.json into README.md; "
                    "refused unless that matrix is a full run of the default catalogue at the pinned build.")
    readme.add_argument("--matrix", default=str(paths.REPO_ROOT / "reports" / "matrix.json"))
    readme.set_defaults(run=_readme)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as err:
        print(f"flyte-parity: {err}", file=sys.stderr)
        return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
