"""Types mode: the type table's rows (modes.type_table) — identity tasks per literal kind through
both entrypoints, the same inputs.pb and cross-fed, and through execute-local where the kind can
be passed there. Each row's findings must be exactly its ledger entries."""

from __future__ import annotations

from flyte_parity.modes.base import TYPES, Mode, Subject, Verdict
from flyte_parity.modes.registry import register
from flyte_parity.modes.type_table import run_row


class TypesMode(Mode):
    name = "types"
    summary = "one identity task per literal kind on each side, each value through both entrypoints and cross-fed"
    table = TYPES
    ahead = True

    def subjects(self, catalogue):
        return [Subject(self.name, entry.id, entry.id, entry) for entry in catalogue.types]

    def cells(self, catalogue):
        return {entry.id: ("n/a", entry.unavailable) if entry.unavailable else ("run", "") for entry in catalogue.types}

    def work(self, subject, run):
        entry = subject.value
        entities = run.entities(entry.sources)
        return run_row(entry, entities, run.sdks, run.folder(subject))

    def judge(self, subject, run, row) -> Verdict:
        problems = [f"{name}: {what}" for name, what in row.crashed.items()]
        return Verdict(row.all_found(), problems=problems)


register(TypesMode())
