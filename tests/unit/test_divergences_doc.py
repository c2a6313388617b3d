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
