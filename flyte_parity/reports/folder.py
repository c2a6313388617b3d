"""The one place a run's reports are written: a folder (``--reports``, default reports/) with one
file per subject of a mode under ``<mode>/``, documents at the top (``<name>.md``), and the
matrix (``parity-matrix.md`` and ``matrix.json``). Nothing here writes a tracked file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable


class ReportFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, mode: str, subject_id: str, suffix: str) -> Path:
        """Where one subject's report of a mode goes (a subject id's slashes become ``__``)."""
        return self.root / mode / f"{subject_id.replace('/', '__')}{suffix}"

    def text(self, mode: str, subject_id: str, lines: Iterable[str]) -> Path:
        return self._write(self.path(mode, subject_id, ".txt"), "\n".join(lines) + "\n")

    def json(self, mode: str, subject_id: str, data: Any) -> Path:
        return self._write(self.path(mode, subject_id, ".json"), json.dumps(data, indent=2, ensure_ascii=False))

    def document(self, name: str, text: str) -> Path:
        """A report of the whole run, such as ``admin-answers.md`` or ``schema-drift.md``."""
        return self._write(self.root / name, text)

    def _write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
