"""IDL mode: what ``jflyte serialize`` and pyflyte emit for each pair, compared in canonical form.
Semantic differences must be exactly the ledger's entries for the pair; identity differences
are written to the pair's report and never fail."""

from __future__ import annotations

from flyte_parity.modes.base import PairMode, Verdict
from flyte_parity.modes.entity_report import MissingEntity, pair_report, report_lines
from flyte_parity.modes.registry import register


class IdlMode(PairMode):
    name = "idl"
    summary = "the serialized IDL (jflyte serialize against pyflyte's package form), in canonical form"

    def work(self, subject, run):
        return run.entities(subject.value.sources)

    def judge(self, subject, run, entities) -> Verdict:
        try:
            report = pair_report(subject.value, run.catalogue, entities)
        except MissingEntity as missing:
            return Verdict(problems=[str(missing)])
        out = run.reports.text(self.name, subject.id, report_lines(report))
        return Verdict(list(report.semantic), detail=f"(full report: {out})")


register(IdlMode())
