"""docs/divergences.md explains every ledger topic, and only those."""

import re

from flyte_parity.base import paths
from flyte_parity.data.ledger import load_ledger


def test_every_ledger_topic_has_a_section_and_every_section_a_topic():
    ledger = load_ledger(paths.REPO_ROOT / "tests" / "parity" / "ledger.toml")
    text = (paths.REPO_ROOT / "docs" / "divergences.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\S+)\n\n(.+?)(?=\n\n|\Z)", text, flags=re.M | re.S))
    topics = {d.topic for d in ledger} | {t.name for t in ledger.topics.values() if t.value_rule}
    assert sorted(topics - set(sections)) == [], "ledger topics without a section in docs/divergences.md"
    assert sorted(set(sections) - topics) == [], "sections in docs/divergences.md that no ledger topic uses"
    for topic, sentence in sections.items():
        assert sentence.strip().endswith("."), f"{topic}: the section opens with one sentence"


def test_every_section_names_its_topics_upstream_threads_or_says_none_is_known():
    from flyte_parity.reports.dashboard import upstream_links
    ledger = load_ledger(paths.REPO_ROOT / "tests" / "parity" / "ledger.toml")
    text = (paths.REPO_ROOT / "docs" / "divergences.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S))
    for name, topic in ledger.topics.items():
        if name not in sections:
            continue  # the test above reports it
        upstream = next((line for line in sections[name].splitlines() if line.startswith("Upstream: ")), "")
        assert upstream, f"{name}: no 'Upstream: ' line in its section"
        for link in upstream_links(topic.issue) + upstream_links(topic.related):
            assert f"[{link['ref']}]({link['url']})" in upstream, f"{name}: {link['ref']} not linked in its section"
        if not topic.issue:
            assert "no issue known: a candidate to file" in upstream, f"{name}: says nothing of a missing issue"
