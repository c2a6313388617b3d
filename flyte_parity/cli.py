"""The ``flyte-parity`` command: a door onto the library for people (pytest is the other door)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from . import paths
from .catalogue import MODES, load_catalogue
from .errors import UsageError


def _cases(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(Path(args.catalogue), paths.REPO_ROOT)
    for pair in catalogue.pairs:
        print(f"{pair.id}: {pair.source.name}:{pair.jvm} ~ {pair.python} modes={','.join(pair.modes)} "
              f"inputs={','.join(pair.inputs)}")
    for mode in MODES:
        print(f"{len(catalogue.cases(mode))} {mode} case(s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="flyte-parity", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    cases = commands.add_parser("cases", help="list the catalogue's pairs and case counts")
    cases.add_argument("--catalogue", default=str(paths.REPO_ROOT / "tests" / "parity" / "catalogue.toml"))
    cases.set_defaults(run=_cases)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as err:
        print(f"flyte-parity: {err}", file=sys.stderr)
        return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
