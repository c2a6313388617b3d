"""The divergence ledger: known differences between the SDKs, as a reviewed TOML file.

Strict both ways, like protobuf's conformance failure lists: a difference not in the ledger
fails, and a ledger entry that no longer reproduces fails too (remove it: it was fixed).

Each cause is written once, as a topic (``[topics.<name>]``: why, source, optional issue); an
entry (``[[divergence]]``) holds only what identifies a difference and names its topic, and is
read with the topic's why and source. An entry naming no topic table, a topic no entry names, and
an entry that carries its own why or source are refused.

Version-aware: each entry names the flytekit-java versions it applies to (``flytekit_java``, a
PEP 440 specifier set such as ``">=0.4.0"``, or a list of them meaning any of them) and, where it
matters, the flytekit versions (``flytekit``). A run checks only the entries that apply to the
versions it runs, strictly; ``[versions]`` lists the versions the suite is run at, and an entry
that applies to none of them is refused, as are two entries for the same difference that both
apply to one version.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from flyte_parity.base.errors import UsageError
from flyte_parity.idl.diff import Difference
from flyte_parity.data.version_spec import as_version, matches, parse_specifiers

FIELDS = ("pair", "mode", "path", "topic", "jvm", "python")
VERSION_FIELDS = ("flytekit_java", "flytekit")  # flytekit_java is required, flytekit optional
# jvm_also: other forms the JVM value takes from run to run, each seen and explained in the topic's
# why (optional; a found JVM value must still be one of them exactly).
# jflyte_legacy_env: true or false when the entry holds only for runs with, or without, the opt-in
# --jflyte-legacy-env (the execution mode's JVM tasks then get FLYTE_INTERNAL_PROJECT/DOMAIN/VERSION).
OPTIONAL_FIELDS = ("jvm_also", "jflyte_legacy_env")
# mode: one mode, or a list of them when the same difference is seen in each (such as what an SDK
# serializes and what FlyteAdmin then stores: ["idl", "register"]).
# topic: a short key naming the divergence (one per cause, shared by the entries it explains): a
# [topics.<name>] table explains it, the matrix cells name it and docs/divergences.md says what it
# means for a user.
TOPIC_FIELDS = ("why", "source")  # required: the cause and its consequence, the upstream files
# issue: the upstream issues or pull requests that track this divergence or fix it ("owner/repo#N
# (what it is)", several separated by "; "); related: other upstream threads a reader should know
# (where the behaviour came from), in the same form; rule: where the topic holds for any pair; value_rule: the
# name of the predicate (flyte_parity/values/rules.py) that says which generated values it explains
# in the values mode — such a topic needs no entry, the rule's witnesses are its evidence.
TOPIC_OPTIONAL_FIELDS = ("issue", "related", "rule", "value_rule")


@dataclass(frozen=True)
class Rule:
    """Where a topic holds for every pair, entry or not: a difference in one of ``modes`` whose path
    matches ``path`` (a regular expression, whole path) with exactly these JVM and Python values.
    It explains such a difference in a pair the ledger has no entry for (a new pair's, say);
    entries stay the evidence and are checked strictly as ever."""

    path: re.Pattern
    jvm: str
    python: str
    modes: tuple[str, ...]

    def explains(self, mode: str, found: Difference) -> bool:
        return (mode in self.modes and found.jvm == self.jvm and found.python == self.python
                and self.path.fullmatch(found.path) is not None)


@dataclass(frozen=True)
class Topic:
    """One cause, explained once for every entry that names it."""

    name: str
    why: str
    source: str
    issue: str = ""
    rule: Rule | None = None
    value_rule: str = ""
    related: str = ""  # other upstream threads (owner/repo#N (what it is); ...)


@dataclass(frozen=True)
class Divergence:
    pair: str
    mode: str
    path: str
    topic: str
    jvm: str
    python: str
    why: str
    source: str
    flytekit_java: tuple[str, ...] = ()  # specifier sets, any of which applies; () = every version
    flytekit: tuple[str, ...] = ()
    jvm_also: tuple[str, ...] = ()
    issue: str = ""  # why, source and issue come from the entry's topic
    legacy_env: bool | None = None  # the runs it holds for: with (True) or without (False) --jflyte-legacy-env

    def explains(self, found: "Difference") -> bool:
        """Whether ``found`` is this divergence: same path and Python value, and the JVM value or
        one of its other forms."""
        return (found.path == self.path and found.python == self.python
                and (found.jvm == self.jvm or found.jvm in self.jvm_also))

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.pair, self.mode, self.path)

    def applies(self, flytekit_java: str, flytekit: str | None = None, legacy_env: bool | None = None) -> bool:
        """Whether this entry is a claim about a run at these versions (and with or without the option)."""
        return (matches(self.flytekit_java, flytekit_java) and (flytekit is None or matches(self.flytekit, flytekit))
                and (legacy_env is None or self.legacy_env is None or self.legacy_env == legacy_env))


@dataclass(frozen=True)
class LedgerCheck:
    unexpected: tuple[Difference, ...]  # found, not in the ledger (or with other values)
    stale: tuple[Divergence, ...]  # in the ledger, not found (or with other values)
    explained: tuple[Divergence, ...]  # every entry that explains a found difference (borrowed ones too)
    borrowed: tuple[Divergence, ...] = ()  # the explaining entries of other pairs with the same JVM entity
    # An unexpected difference's path -> an entry that explains the very same difference for another pair
    elsewhere: Mapping[str, Divergence] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.stale

    def explain(self, pair: str, mode: str) -> str:
        lines = []
        if self.unexpected:
            lines.append(f"{pair} [{mode}]: {len(self.unexpected)} difference(s) not in the ledger (jvm != python):")
            for f in self.unexpected:
                known = self.elsewhere.get(f.path)
                note = f"  (known elsewhere: topic {known.topic}, for {known.pair})" if known else ""
                lines.append(f"  {f.path}: {f.jvm} != {f.python}{note}")
        if self.stale:
            lines.append(f"{pair} [{mode}]: {len(self.stale)} ledger entr(y/ies) no longer reproduce (remove or update):")
            lines += [f"  {d.path}: {d.jvm} != {d.python}" for d in self.stale]
        return "\n".join(lines)


@dataclass(frozen=True)
class Ledger:
    """Every entry, the versions the suite is run at (what 'applies nowhere' is measured by), and
    the topics that explain the entries."""

    entries: tuple[Divergence, ...]
    flytekit_java_versions: tuple[str, ...] = ()
    flytekit_versions: tuple[str, ...] = ()
    topics: Mapping[str, Topic] = field(default_factory=dict)

    def applicable(self, flytekit_java: str, flytekit: str | None = None,
                   legacy_env: bool | None = None) -> list[Divergence]:
        """The entries a run at these versions (with or without --jflyte-legacy-env) must reproduce, exactly."""
        return [d for d in self.entries if d.applies(flytekit_java, flytekit, legacy_env)]

    def __iter__(self):
        return iter(self.entries)


def parse_ledger(data: dict, origin: str = "ledger") -> Ledger:
    known = data.get("versions", {})
    java_versions = tuple(str(v) for v in known.get("flytekit_java", ()))
    python_versions = tuple(str(v) for v in known.get("flytekit", ()))
    for version in (*java_versions, *python_versions):
        as_version(version)
    topics = _parse_topics(data.get("topics", {}), origin)
    entries: list[Divergence] = []
    by_key: dict[tuple[str, str, str], list[Divergence]] = {}
    for number, entry in enumerate(data.get("divergence", []), start=1):
        where = f"{origin}: divergence #{number}"
        _refuse_own_explanation(entry, where)
        missing = [k for k in (*FIELDS, "flytekit_java") if not entry.get(k)]
        missing = [k for k in missing if k == "flytekit_java" or not str(entry.get(k, "")).strip()]
        if missing:
            raise UsageError(f"{where} lacks {', '.join(missing)}; every entry needs evidence and the flytekit-java "
                             "versions it applies to")
        unknown = sorted(set(entry) - set(FIELDS) - set(VERSION_FIELDS) - set(OPTIONAL_FIELDS))
        if unknown:
            raise UsageError(f"{where} has unknown keys {unknown}; use {list(FIELDS + VERSION_FIELDS + OPTIONAL_FIELDS)}")
        also = entry.get("jvm_also", [])
        if "jvm_also" in entry and (not isinstance(also, list) or not also
                                    or not all(isinstance(v, str) and v.strip() for v in also)
                                    or len(set(also)) != len(also) or str(entry["jvm"]) in also):
            raise UsageError(f"{where}: jvm_also must be a list of other, distinct JVM values (not the jvm value)")
        legacy = entry.get("jflyte_legacy_env")
        if legacy is not None and not isinstance(legacy, bool):
            raise UsageError(f"{where}: jflyte_legacy_env must be true or false")
        modes = entry["mode"] if isinstance(entry["mode"], list) else [entry["mode"]]
        if not modes or not all(isinstance(m, str) and m.strip() for m in modes) or len(set(modes)) != len(modes):
            raise UsageError(f"{where}: mode must be a mode name or a list of distinct mode names")
        topic = _topic_of(entry, topics, where)
        for mode in modes:
            divergence = Divergence(**{k: str(entry[k]) for k in FIELDS if k != "mode"}, mode=mode,
                                    why=topic.why, source=topic.source, issue=topic.issue,
                                    flytekit_java=parse_specifiers(entry["flytekit_java"], where, "flytekit_java"),
                                    flytekit=parse_specifiers(entry["flytekit"], where, "flytekit") if "flytekit" in entry
                                    else (), jvm_also=tuple(also), legacy_env=legacy)
            _add(divergence, where, entries, by_key, java_versions, python_versions)
    unused = sorted(set(topics) - {d.topic for d in entries} - {t.name for t in topics.values() if t.value_rule})
    if unused:
        raise UsageError(f"{origin}: [topics.{unused[0]}] explains no divergence entry (a stale explanation); "
                         "remove the table, or name the topic in the entries it explains")
    return Ledger(tuple(entries), java_versions, python_versions, topics)


def _refuse_own_explanation(entry: dict, where: str) -> None:
    """An entry names its topic; the why and source it would repeat belong to the topic's table."""
    own = sorted(set(entry) & set(TOPIC_FIELDS))
    if own:
        raise UsageError(f"{where} ({entry.get('pair')} {entry.get('path')}) has {', '.join(own)} of its own; the "
                         f"explanation belongs to its topic: move it to [topics.{entry.get('topic') or '<name>'}] "
                         "and delete it from the entry")


def _topic_of(entry: dict, topics: Mapping[str, Topic], where: str) -> Topic:
    topic = topics.get(str(entry["topic"]))
    if topic is None:
        raise UsageError(f"{where} ({entry['pair']} {entry['path']}) names topic {entry['topic']!r}, which has no "
                         f"[topics.{entry['topic']}] table; name an existing topic or add that table with its why "
                         "and source")
    return topic


def _parse_topics(data: object, origin: str) -> dict[str, Topic]:
    """The ``[topics.<name>]`` tables, each with a why and a source (and optionally an issue)."""
    if not isinstance(data, dict):
        raise UsageError(f"{origin}: topics must be tables, [topics.<name>] with why and source; fix the file")
    topics = {}
    for name, table in data.items():
        where = f"{origin}: [topics.{name}]"
        if not isinstance(table, dict):
            raise UsageError(f"{where} must be a table with why and source; fix the file")
        unknown = sorted(set(table) - set(TOPIC_FIELDS) - set(TOPIC_OPTIONAL_FIELDS))
        if unknown:
            raise UsageError(f"{where} has unknown keys {unknown}; use {list(TOPIC_FIELDS + TOPIC_OPTIONAL_FIELDS)}")
        empty = [k for k in TOPIC_FIELDS if not isinstance(table.get(k), str) or not table[k].strip()]
        if empty:
            raise UsageError(f"{where} lacks {', '.join(empty)}; write the cause and its consequence for a user (why) "
                             "and the upstream files (source)")
        for key in ("issue", "related"):
            if not isinstance(table.get(key, ""), str):
                raise UsageError(f"{where}: {key} must be a string naming upstream threads as owner/repo#N; fix it")
        rule = _parse_rule(table["rule"], where) if "rule" in table else None
        value_rule = table.get("value_rule", "")
        if not isinstance(value_rule, str):
            raise UsageError(f"{where}: value_rule must be the name of a rule in flyte_parity/values/rules.py; fix it")
        topics[name] = Topic(name, table["why"], table["source"], table.get("issue", ""), rule, value_rule,
                             table.get("related", ""))
    return topics


def _parse_rule(table: object, where: str) -> Rule:
    """A topic's ``rule = { path = "<regex>", jvm = "...", python = "...", modes = [...] }``, checked."""
    keys = ("path", "jvm", "python", "modes")
    if not isinstance(table, dict) or sorted(table) != sorted(keys):
        raise UsageError(f"{where}: rule must be a table with exactly {', '.join(keys)}; fix it")
    modes = table["modes"]
    if not isinstance(modes, list) or not modes or not all(isinstance(m, str) and m.strip() for m in modes) \
            or not all(isinstance(table[k], str) for k in ("path", "jvm", "python")):
        raise UsageError(f"{where}: rule's path, jvm and python are strings and modes a list of mode names; fix it")
    try:
        pattern = re.compile(table["path"])
    except re.error as err:
        raise UsageError(f"{where}: rule's path is no regular expression ({err}); fix it") from None
    return Rule(pattern, table["jvm"], table["python"], tuple(modes))


def _add(divergence: Divergence, where: str, entries: list[Divergence], by_key: dict,
         java_versions: Sequence[str], python_versions: Sequence[str]) -> None:
    """Check one entry (for one mode) against the run versions and the entries before it; keep it."""
    if java_versions and not any(matches(divergence.flytekit_java, v) for v in java_versions):
        raise UsageError(f"{where} ({divergence.pair} {divergence.path}) applies to no flytekit-java version the "
                         f"suite runs ({', '.join(java_versions)}); fix its flytekit_java or remove it")
    if python_versions and not any(matches(divergence.flytekit, v) for v in python_versions):
        raise UsageError(f"{where} ({divergence.pair} {divergence.path}) applies to no flytekit version the "
                         f"suite runs ({', '.join(python_versions)}); fix its flytekit or remove it")
    for other in by_key.get(divergence.key, []):
        shared = _shared_versions(other, divergence, java_versions, python_versions)
        if shared:
            raise UsageError(f"{where} repeats {divergence.key} for flytekit-java {', '.join(shared)}; keep one, "
                             "or narrow their flytekit_java so that they apply to different versions")
    by_key.setdefault(divergence.key, []).append(divergence)
    entries.append(divergence)


def _shared_versions(a: Divergence, b: Divergence, java_versions: Sequence[str],
                     python_versions: Sequence[str]) -> list[str]:
    """The run versions both entries apply to (with no [versions] table: equal specifiers clash);
    none when one holds only with --jflyte-legacy-env and the other only without."""
    if None not in (a.legacy_env, b.legacy_env) and a.legacy_env != b.legacy_env:
        return []
    if not java_versions:
        return ["(same specifiers)"] if (a.flytekit_java, a.flytekit) == (b.flytekit_java, b.flytekit) else []
    if python_versions and not any(matches(a.flytekit, p) and matches(b.flytekit, p) for p in python_versions):
        return []
    return [v for v in java_versions if matches(a.flytekit_java, v) and matches(b.flytekit_java, v)]


def load_ledger(path: Path) -> Ledger:
    try:
        return parse_ledger(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise UsageError(f"cannot read ledger {path}: {err}; fix the file") from None


def check(ledger: Iterable[Divergence], pair: str, mode: str, found: Iterable[Difference], within: str = "",
          sharing: Iterable[str] = ()) -> LedgerCheck:
    """Match what a run found for one pair and mode against the ledger; ``within`` limits both to
    the paths under one prefix (one input case of a pair). ``sharing`` names the other pairs with
    the same JVM entity: their entries explain this pair's differences too (a known difference
    travels with the workflow), and so do the rules of the ledger's topics (``RunLedger.topics``);
    only this pair's own entries can be stale."""
    entries = list(ledger)
    listed = {d.path: d for d in entries if d.pair == pair and d.mode == mode and d.path.startswith(within)}
    sharing = set(sharing) - {pair}
    others = [d for d in entries if d.pair in sharing and d.mode == mode and d.path.startswith(within)]
    unexpected, explained, borrowed = [], [], []
    matched = set()
    for item in found:
        entry = listed.get(item.path)
        if entry is not None and entry.explains(item):
            explained.append(entry)
            matched.add(item.path)
            continue
        lender = next((d for d in others if d.path == item.path and d.explains(item)), None)
        if lender is None:
            lender = next((Divergence(pair, mode, item.path, topic.name, item.jvm, item.python, topic.why,
                                      topic.source, issue=topic.issue)
                           for topic in getattr(ledger, "topics", {}).values()
                           if topic.rule is not None and topic.rule.explains(mode, item)), None)
        if lender is not None:
            explained.append(lender)
            borrowed.append(lender)
        else:
            unexpected.append(item)
    stale = [d for path, d in sorted(listed.items()) if path not in matched]
    elsewhere = {item.path: known for item in unexpected
                 if (known := next((d for d in entries if d.mode == mode and d.path == item.path and d.explains(item)),
                                   None))}
    result = LedgerCheck(tuple(unexpected), tuple(stale), tuple(explained), tuple(borrowed), elsewhere)
    draft = getattr(ledger, "draft", None)
    if draft is not None and not result.ok:
        draft.record(pair, mode, result)
    return result


class RunLedger(list):
    """The entries a run applies (a list), the topics' rules, and where it drafts entries for what it
    found unexplained (``--ledger-draft``): a maintainer's starting point, never read back."""

    def __init__(self, entries: Iterable[Divergence], draft: "Draft | None" = None,
                 topics: Mapping[str, Topic] | None = None) -> None:
        super().__init__(entries)
        self.draft = draft
        self.topics = dict(topics or {})


@dataclass(frozen=True)
class Draft:
    path: Path
    flytekit_java: str
    legacy_env: bool = False  # the run had --jflyte-legacy-env: its entries are drafted as holding only then

    def record(self, pair: str, mode: str, result: LedgerCheck) -> None:
        """Append a [[divergence]] per unexpected difference (its topic left to fill in) and a
        comment per stale entry."""
        lines = []
        for found in result.unexpected:
            known = result.elsewhere.get(found.path)
            hint = (f"# topic: the same difference is explained for {known.pair} by topic {known.topic}" if known else
                    "# topic: name an existing topic of the ledger, or add a [topics.<name>] table with why and source")
            lines += ["[[divergence]]", f"pair = {_toml(pair)}", f"mode = {_toml(mode)}", f"path = {_toml(found.path)}",
                      hint, f"topic = {_toml(known.topic if known else '')}",
                      f'flytekit_java = {_toml(">=" + self.flytekit_java)}', f"jvm = {_toml(found.jvm)}",
                      f"python = {_toml(found.python)}", *(["jflyte_legacy_env = true"] if self.legacy_env else []), ""]
        for entry in result.stale:
            lines.append(f"# stale at flytekit-java {self.flytekit_java}: {pair} [{mode}] {entry.path}: "
                         f"{entry.jvm} != {entry.python}")
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write("\n".join(lines) + "\n")


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)
