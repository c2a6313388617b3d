"""Every registered mode's subjects, each a test (``-k <mode>`` selects a mode): the subject runs
through its mode and must differ exactly by the ledger's entries for its row and mode."""

import pytest

from flyte_parity.base import paths, versions
from flyte_parity.modes import registry
from flyte_parity.modes.type_table import render_markdown
from flyte_parity.pytest_plugin import check

DOC = paths.REPO_ROOT / "docs" / "type-table.md"


def test_parity(parity_subject, parity_run):
    check(parity_subject, parity_run)


def test_type_table_document_is_current(parity_run):
    """docs/type-table.md records the pinned flytekit-java build; other builds write the report only."""
    rows = [parity_run.result(s) for s in registry.get("types").subjects(parity_run.catalogue)]
    produced = render_markdown(rows, parity_run.ledger, versions.line())
    written = parity_run.reports.document("type-table.md", produced)
    if not versions.is_pinned_build():
        pytest.skip(f"docs/type-table.md records the pinned flytekit-java build; this run is flytekit-java "
                    f"{versions.java_label()}, whose table is in {written}")
    assert DOC.read_text(encoding="utf-8") == produced, (
        f"docs/type-table.md is not what this run produced (see {written}); "
        "regenerate it: python -m flyte_parity.modes.type_table --write docs/type-table.md")
