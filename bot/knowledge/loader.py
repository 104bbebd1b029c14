"""Load and validate the knowledge files, naming file, entry and field for every problem.

All problems are collected before failing, so an editor sees the whole list at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.knowledge.model import KnowledgeBase
from bot.knowledge.schema import (
    ANSWER_ADVICE_CHARS,
    QUESTIONS_ADVICE,
    TELEGRAM_MESSAGE_LIMIT,
    Entry,
    EntryFile,
    OutOfScope,
    OutOfScopeFile,
    Topic,
    TopicFile,
)

TOPICS_FILE = "topics.yaml"
OUT_OF_SCOPE_FILE = "out-of-scope.yaml"
ENTRIES_DIR = "entries"


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f": entry '{self.entry}'"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [f"knowledge base has {len(problems)} problem(s):"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when available


class _UniqueKeyLoader(_Base):  # type: ignore[misc, valid-type]
    """A YAML loader that refuses a key given twice in one mapping (easy to do by hand)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' appears twice", key_node.start_mark
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a ``yaml.YAMLError`` says where it broke."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_UniqueKeyLoader)  # noqa: S506 - safe loader subclass


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load ``topics.yaml`` and ``entries/*.yaml`` below ``directory`` or raise KnowledgeError."""
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), None, None, "knowledge folder not found")])
    problems: list[Problem] = []
    broken: set[str] = set()  # ids of topics and entries already reported as invalid
    topics = _load_topics(directory / TOPICS_FILE, problems, broken)
    entries: list[tuple[str, Entry]] = []
    entry_files = sorted((directory / ENTRIES_DIR).glob("*.yaml"))
    if not entry_files:
        problems.append(
            Problem(str(directory / ENTRIES_DIR), None, None, "no entry files (*.yaml)")
        )
    for path in entry_files:
        entries += _load_entries(path, problems, broken)
    _check_references(entries, topics, problems, broken)
    negatives = _load_out_of_scope(directory / OUT_OF_SCOPE_FILE, entries, problems)
    _check_message_length(entries, problems)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(entries=[e for _, e in entries], topics=topics, out_of_scope=negatives)


def _load_out_of_scope(
    path: Path, entries: list[tuple[str, Entry]], problems: list[Problem]
) -> list[OutOfScope]:
    """The optional file of out-of-scope examples; ids must not clash with entries."""
    if not path.exists():
        return []
    taken = {e.id for _, e in entries}
    items: list[OutOfScope] = []
    for raw in _parse_file(path, OutOfScopeFile, problems):
        item = _validate(OutOfScope, raw, str(path), problems, set())
        if item is None:
            continue
        if item.id in taken:
            problems.append(Problem(str(path), item.id, "id", "id used twice"))
        taken.add(item.id)
        items.append(item)
    return items


def _parse_file(path: Path, wrapper: type[BaseModel], problems: list[Problem]) -> list[Any]:
    try:
        data = read_yaml(path)
    except FileNotFoundError:
        problems.append(Problem(str(path), None, None, "file not found"))
        return []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), None, None, f"not valid YAML: {_oneline(exc)}"))
        return []
    try:
        parsed = wrapper.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or None
            problems.append(Problem(str(path), None, field, err["msg"]))
        return []
    items: list[Any] = list(getattr(parsed, next(iter(wrapper.model_fields))))
    return items


def _load_topics(path: Path, problems: list[Problem], broken: set[str]) -> list[Topic]:
    topics: list[Topic] = []
    for raw in _parse_file(path, TopicFile, problems):
        topic = _validate(Topic, raw, str(path), problems, broken)
        if topic is not None:
            topics.append(topic)
    return topics


def _load_entries(path: Path, problems: list[Problem], broken: set[str]) -> list[tuple[str, Entry]]:
    loaded = []
    for raw in _parse_file(path, EntryFile, problems):
        entry = _validate(Entry, raw, str(path), problems, broken)
        if entry is not None:
            loaded.append((str(path), entry))
    return loaded


def _validate(
    model: type[Any], raw: dict[str, Any], file: str, problems: list[Problem], broken: set[str]
) -> Any:
    """The validated item, or None with its problems reported (and its id noted as broken, so
    that entries pointing to it are not reported again: one message per root cause)."""
    entry_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        if entry_id:
            broken.add(entry_id)
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or None
            problems.append(Problem(file, entry_id or "(no id)", field, _message(err)))
        return None


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "missing"
    if err["type"] == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return f"too long ({len(err['input'])} characters, at most {limit})"
    return str(err["msg"])


def _check_references(
    entries: list[tuple[str, Entry]], topics: list[Topic], problems: list[Problem], broken: set[str]
) -> None:
    first_seen: dict[str, str] = {}
    topic_ids = {t.id for t in topics}
    for file, entry in entries:
        if entry.id in first_seen:
            problems.append(
                Problem(file, entry.id, "id", f"duplicate id (also in {first_seen[entry.id]})")
            )
        first_seen.setdefault(entry.id, file)
    seen_topics: set[str] = set()
    for topic in topics:
        if topic.id in seen_topics:
            problems.append(Problem(TOPICS_FILE, topic.id, "id", "duplicate topic id"))
        seen_topics.add(topic.id)
    for file, entry in entries:
        if topics and entry.topic not in topic_ids and entry.topic not in broken:
            problems.append(Problem(file, entry.id, "topic", f"unknown topic '{entry.topic}'"))
        for target in entry.related:
            if target not in first_seen and target not in broken:
                problems.append(Problem(file, entry.id, "related", f"no entry '{target}'"))
            elif target == entry.id:
                problems.append(Problem(file, entry.id, "related", "names the entry itself"))


def _oneline(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _check_message_length(entries: list[tuple[str, Entry]], problems: list[Problem]) -> None:
    """Each answer as the bot sends it must fit one Telegram message: measured on the real
    rendering (title, answer, source lines), the longer of with and without a staff desk."""
    from bot.conversation.render import sent_length  # the renderer needs loaded entries
    from bot.i18n import load_texts

    texts = load_texts()
    for file, entry in entries:
        for lang, block in entry.blocks():
            versions = [("answer", "answer", block.answer)]
            if block.plain is not None:
                versions.append(("plain", "plain text", block.plain))
            for field, name, text in versions:
                plain = field == "plain"
                length = sent_length(entry, lang, texts, plain)
                if length > TELEGRAM_MESSAGE_LIMIT:
                    problems.append(Problem(file, entry.id, f"{lang}.{field}", (
                        f"too long: sent with its title and sources it has {length} characters, "
                        f"Telegram allows {TELEGRAM_MESSAGE_LIMIT} (the {name} itself has "
                        f"{len(text)}); shorten it"
                    )))  # fmt: skip


def advice(kb: KnowledgeBase, directory: Path) -> list[Problem]:
    """What ``kb check`` warns about without failing: long answers, few questions."""
    found: list[Problem] = []
    where = str(directory / ENTRIES_DIR)
    for entry in kb:
        for lang, block in entry.blocks():
            if len(block.answer) > ANSWER_ADVICE_CHARS:
                found.append(Problem(where, entry.id, f"{lang}.answer", (
                    f"{len(block.answer)} characters; answers over {ANSWER_ADVICE_CHARS} are "
                    "hard to read in a chat"
                )))  # fmt: skip
            if len(block.questions) < QUESTIONS_ADVICE:
                found.append(Problem(where, entry.id, f"{lang}.questions", (
                    f"{len(block.questions)} question(s); at least {QUESTIONS_ADVICE} help the "
                    "bot find this entry"
                )))  # fmt: skip
    without_plain = [entry.id for entry in kb if entry.de.plain is None]
    if without_plain:
        found.append(Problem(where, None, "de.plain", (
            f"{len(without_plain)} of {len(kb)} entries have no plain-German answer yet "
            f"(residents who chose plain German get the normal one): {', '.join(without_plain)}"
        )))  # fmt: skip
    return found
