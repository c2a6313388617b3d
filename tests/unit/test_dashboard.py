"""The HTML dashboard's content (pure: a synthetic matrix and ledger topics in, files out): every
cell once with its details, values escaped, topics with their upstream threads or the note that
none is known, the versions grid from the reports folder's other matrices. The browser test
(tests/harness/test_dashboard_browser.py) checks what a reader sees and clicks."""

from __future__ import annotations

import json
import re
from html import unescape

from flyte_parity.data.ledger import Divergence, Topic
from flyte_parity.reports import dashboard
from flyte_parity.reports.matrix import Column, build

TOPICS = {"generates-deck": Topic("generates-deck", "why <b>", "source", "", related="flyteorg/flyte#6053 (decks)"),
          "int64-overflow": Topic("int64-overflow", "wraps", "src", "flyteorg/flytekit-java#1 (tracked); a/b#22 (fix)")}


def _matrix(java="0.4.62", commit="3e1a61780762"):
    columns = [Column("idl", "pairs", {"welcome/own-java": ("run", ""), "sum/upstream-java": ("n/a", "no JVM twin")}),
               Column("types", "types", {"types/integer/own-java": ("run", "")})]
    entry = Divergence("welcome/own-java", "idl", 'task["t"].template.metadata.generates_deck', "generates-deck",
                       "<absent>", "BoolValue(False)", "why", "source")
    return build(columns, {("welcome/own-java", "idl"): ["passed"], ("types/integer/own-java", "types"): ["failed"]},
                 {("welcome/own-java", "idl"): [entry]}, header=f"flytekit-java {java}.",
                 versions={"flytekit_java": java, "flytekit_java_commit": commit},
                 failures={("types/integer/own-java", "types"): ["value differs: 1 != 2"]})


def test_upstream_links_name_each_reference_with_its_note():
    assert dashboard.upstream_links("flyteorg/flyte#6614 (removed); flyteorg/flytekit-java#324 (reads them)") == [
        {"ref": "flyteorg/flyte#6614", "note": "(removed)", "url": "https://github.com/flyteorg/flyte/issues/6614"},
        {"ref": "flyteorg/flytekit-java#324", "note": "(reads them)",
         "url": "https://github.com/flyteorg/flytekit-java/issues/324"}]
    assert dashboard.upstream_links("") == [] and dashboard.upstream_links("see the docs") == []


def test_every_cell_once_with_its_details_and_values_escaped(tmp_path):
    matrix = _matrix()
    index = dashboard.write(tmp_path / "html", matrix, TOPICS, tmp_path)
    html = index.read_text(encoding="utf-8")
    cells = re.findall(r'<td class="cell k-([^"]+)" data-row="([^"]+)" data-mode="([^"]+)"><a class="cell" href="#([^"]+)"',
                       html)
    assert sorted((k, r, m) for k, r, m, _ in cells) == [("failed", "types/integer/own-java", "types"),
                                                          ("ledger", "welcome/own-java", "idl"),
                                                          ("n/a", "sum/upstream-java", "idl")]
    for _, _, _, anchor in cells:
        assert html.count(f'id="{anchor}"') == 1
    assert "&lt;absent&gt;" in html and "<absent>" not in html  # a value is text, never markup
    assert "value differs: 1 != 2" in html
    assert 'href="topics/generates-deck.html"' in html


def test_topic_pages_show_upstream_threads_or_that_none_is_known_and_the_cells_they_cover(tmp_path):
    dashboard.write(tmp_path / "html", _matrix(), TOPICS, tmp_path)
    deck = unescape((tmp_path / "html" / "topics" / "generates-deck.html").read_text(encoding="utf-8"))
    assert "a candidate to file" in deck and "https://github.com/flyteorg/flyte/issues/6053" in deck
    assert "why <b>" in deck and "welcome/own-java" in deck
    overflow = (tmp_path / "html" / "topics" / "int64-overflow.html").read_text(encoding="utf-8")
    assert "candidate to file" not in overflow
    assert "https://github.com/flyteorg/flytekit-java/issues/1" in overflow and "https://github.com/a/b/issues/22" in overflow


def test_the_versions_grid_holds_each_version_the_reports_folder_has(tmp_path):
    older = _matrix("0.3.20", "")
    (tmp_path / "versions" / "mvn-0.3.20").mkdir(parents=True)
    (tmp_path / "versions" / "mvn-0.3.20" / "matrix.json").write_text(json.dumps(older), encoding="utf-8")
    html = dashboard.write(tmp_path / "html", _matrix(), TOPICS, tmp_path).read_text(encoding="utf-8")
    grid = html[html.index('<table class="versions">'):]
    assert grid.index("flytekit-java 0.3.20 (Maven Central)") < grid.index("flytekit-java 0.4.62 (3e1a617)")
    assert "ledger: generates-deck" in grid and "FAILED: types" in grid


def test_a_rerun_leaves_no_page_of_a_topic_gone_from_the_ledger(tmp_path):
    dashboard.write(tmp_path / "html", _matrix(), TOPICS, tmp_path)
    dashboard.write(tmp_path / "html", _matrix(), {"generates-deck": TOPICS["generates-deck"]}, tmp_path)
    assert sorted(p.name for p in (tmp_path / "html" / "topics").iterdir()) == ["generates-deck.html"]
