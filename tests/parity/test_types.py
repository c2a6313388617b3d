"""The type table: identity tasks per literal kind through both entrypoints, same inputs.pb and
cross-fed. Each row's findings must be exactly its ledger entries (mode `types`), and
docs/type-table.md must be what this run produces."""

import pytest

from flyte_parity.base import paths, versions
from flyte_parity.data.ledger import check
from flyte_parity.modes.type_table import render_markdown, versions_line

DOC = paths.REPO_ROOT / "docs" / "type-table.md"


@pytest.fixture(scope="session")
def type_rows(parity_catalogue, case_runner):
    return {entry.id: case_runner.result("types", entry) for entry in parity_catalogue.types}


def test_type_row_matches_ledger(type_entry, case_runner, ledger):
    row = case_runner.result("types", type_entry)
    assert not row.crashed, row.crashed
    verdict = check(ledger, type_entry.id, "types", row.all_found())
    assert verdict.ok, verdict.explain(type_entry.id, "types")


def test_type_table_document_is_current(type_rows, ledger, reports_dir):
    """docs/type-table.md records the pinned flytekit-java build; other builds write the report only."""
    produced = render_markdown(list(type_rows.values()), ledger, versions_line())
    (reports_dir / "type-table.md").write_text(produced, encoding="utf-8")
    if not versions.is_pinned_build():
        pytest.skip(f"docs/type-table.md records the pinned flytekit-java build; this run is flytekit-java "
                    f"{versions.java_label()}, whose table is in {reports_dir / 'type-table.md'}")
    assert DOC.read_text(encoding="utf-8") == produced, (
        "docs/type-table.md is not what this run produced (see reports/type-table.md); "
        "regenerate it: python -m flyte_parity.modes.type_table --write docs/type-table.md"
    )
