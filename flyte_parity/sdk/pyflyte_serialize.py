"""Serialize Python flytekit workflows to a folder of ``N_name_K.pb`` files, as ``pyflyte package``
would, in one process that imports flytekit once.

Run as ``python -m flyte_parity.sdk.pyflyte_serialize --root DIR --out DIR PKG [PKG ...]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

IMAGE = "flyte-parity/python-twins:unused"


def serialize(packages: list[str], root: Path, out: Path, image: str = IMAGE) -> int:
    """Write every registrable entity of ``packages`` (found under ``root``) to ``out``; returns the count."""
    from flytekit.configuration import ImageConfig, SerializationSettings
    from flytekit.tools.repo import serialize_get_control_plane_entities, serialize_load_only
    from flytekit.tools.serialize_helpers import persist_registrable_entities

    settings = SerializationSettings(image_config=ImageConfig.auto(img_name=image))
    serialize_load_only(packages, settings, str(root))
    entities = serialize_get_control_plane_entities(settings, str(root))
    out.mkdir(parents=True, exist_ok=True)
    persist_registrable_entities(entities, str(out))
    return len(entities)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", required=True, type=Path, help="source root the packages are found under")
    parser.add_argument("--out", required=True, type=Path, help="folder to write the .pb files to")
    parser.add_argument("--image", default=IMAGE)
    parser.add_argument("packages", nargs="+")
    args = parser.parse_args(argv)
    count = serialize(args.packages, args.root, args.out, args.image)
    print(f"serialized {count} entities to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
