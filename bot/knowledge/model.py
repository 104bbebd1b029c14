"""The loaded knowledge base: entries and topics with lookups, immutable once loaded."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.knowledge.schema import Entry, OutOfScope, Topic
from bot.languages import LANGUAGES


@dataclass(frozen=True)
class KnowledgeBase:
    entries: Sequence[Entry]
    topics: Sequence[Topic]
    out_of_scope: Sequence[OutOfScope] = ()
    _by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def texts(self, language: str) -> list[list[str]]:
        """What the matcher indexes in ``language``: for each entry its title, questions and
        keywords, then for each out-of-scope item its examples."""
        found = []
        for entry in self.entries:
            block = entry.text(language)
            found.append([block.title, *block.questions, *block.keywords])
        return found + [list(item.examples(language)) for item in self.out_of_scope]

    @property
    def document_ids(self) -> list[str]:
        """Entry ids, then out-of-scope ids, in the order of ``texts``."""
        return [e.id for e in self.entries] + [o.id for o in self.out_of_scope]

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def in_topic(self, topic_id: str) -> list[Entry]:
        return [e for e in self.entries if e.topic == topic_id]

    def fingerprint(self) -> str:
        """A hash of everything the matcher indexes, to key caches derived from the content.
        Computed once (about a second at 2,000 entries); the knowledge base never changes."""
        known: str | None = self.__dict__.get("_fingerprint")
        if known is None:
            known = self._digest()
            self.__dict__["_fingerprint"] = known  # frozen: set past __setattr__, once
        return known

    def _digest(self) -> str:
        digest = hashlib.sha256()
        for entry in self.entries:
            digest.update(entry.id.encode())
            for lang in LANGUAGES:
                block = entry.text(lang)
                for text in (block.title, *block.questions, *block.keywords):
                    digest.update(b"\x00" + text.encode())
        for item in self.out_of_scope:
            for lang in LANGUAGES:
                for text in item.examples(lang):
                    digest.update(b"\x01" + text.encode())
        return digest.hexdigest()[:16]
