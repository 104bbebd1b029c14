"""Answers and menus rendered as text with Telegram's HTML subset (<b>, <i>, <a>).

Knowledge-base text is always escaped; only the tags added here reach the messenger.
"""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Literal

from bot import actions
from bot.conversation.replies import Button, Reply
from bot.i18n import Texts
from bot.knowledge import Entry, KnowledgeBase, Source
from bot.languages import CHOICES, RIGHT_TO_LEFT, choice_name

RLM = "\u200f"


# Where an answer points to the talk-to-a-person button (docs/knowledge-format.md).
PERSON_SPAN = re.compile(r"\[person\](.*?)\[/person\]", re.S)
Person = Literal["button", "unavailable", "in_conversation"]


def answer_body(
    entry: Entry, language: str, texts: Texts, person: Person = "button", plain: bool = False
) -> str:
    """The answer's text. A ``[person]…[/person]`` span stays when the talk-to-a-person button
    is shown, says how to reach the unit when there is no desk, and goes when the resident is
    already talking to staff. ``plain``: the plain-German text where the entry has one."""
    block = entry.text(language)
    text = block.plain if plain and language == "de" and block.plain else block.answer
    if person == "button":
        return PERSON_SPAN.sub(r"\1", text)
    if person == "unavailable":
        return PERSON_SPAN.sub(lambda _: texts.get(language, "desk.unavailable"), text)
    return re.sub(r"[ \t]*" + PERSON_SPAN.pattern + r"\n?", "", text, flags=re.S).rstrip()


def answer_text(
    entry: Entry, language: str, texts: Texts, person: Person = "button", plain: bool = False
) -> str:
    block = entry.text(language)
    body = answer_body(entry, language, texts, person, plain)
    lines = [f"<b>{escape(block.title)}</b>", "", escape(body), ""]
    for source in entry.sources:
        lines.append(f"<i>{source_line(source, language, texts)}</i>")
    text = "\n".join(lines)
    # Right-to-left answers start with a right-to-left mark so that a leading Latin term
    # (e.g. "WIR2.0") does not turn the paragraph left-to-right.
    return RLM + text if language in RIGHT_TO_LEFT else text


def source_line(source: Source, language: str, texts: Texts) -> str:
    """"Source: title · as of 2023 · entry reviewed 2026-12-03": how current the information
    is ("Stand", when the source dates it) kept apart from when the entry was last reviewed."""
    parts = [
        f"{escape(texts.get(language, 'source'))}: "
        f'<a href="{escape(source.url, quote=True)}">{escape(source.title)}</a>'
    ]
    if source.as_of:
        parts.append(escape(texts.get(language, "as_of", date=source.as_of)))
    parts.append(escape(texts.get(language, "checked", date=source.checked.isoformat())))
    return " · ".join(parts)


def sent_length(entry: Entry, language: str, texts: Texts, plain: bool = False) -> int:
    """Length of the answer message as Telegram counts it (tags parsed away), the
    longer of with and without the talk-to-a-person button."""
    return max(
        len(
            unescape(TAG.sub("", answer_text(entry, language, texts, person, plain))).encode(
                "utf-16-le"
            )
        )
        // 2  # Telegram counts UTF-16 code units: an emoji counts two
        for person in ("button", "unavailable")
    )


TAG = re.compile(r"<[^>]+>")


def answer(
    entry: Entry,
    language: str,
    texts: Texts,
    kb: KnowledgeBase,
    browsing: bool = False,
    human: Button | None = None,
    plain: bool = False,
) -> Reply:
    kind = "browse_entry" if browsing else "entry"
    shown = {str(a) for a in entry.actions if human is not None or a != "human"}
    rows: list[tuple[Button, ...]] = []
    for target in entry.related:
        related = kb.get(target)
        if related is not None and not _explains_a_button(related, shown):
            rows.append(
                (Button("→ " + related.text(language).title, actions.encode(kind, target)),)
            )
    rows.extend(entry_buttons(entry, language, texts))
    if human is not None:  # first where the entry says a person is the natural next step
        rows.insert(0 if "human" in entry.actions else len(rows), (human,))
    rows.append(
        (
            Button("👍", actions.encode("feedback", entry.id, "1")),
            Button("👎", actions.encode("feedback", entry.id, "0")),
        )
    )
    if browsing:
        rows.append((Button(texts.get(language, "back"), actions.encode("topic", entry.topic)),))
    return Reply(
        answer_text(entry, language, texts, "button" if human else "unavailable", plain),
        _distinct(rows),
        mode="edit" if browsing else "send",
        language=language,
        rtl=language in RIGHT_TO_LEFT,
    )


BOT_TOPIC = "bot"  # entries about the assistant itself (how to talk to a person, book, ...)


def _explains_a_button(related: Entry, shown: set[str]) -> bool:
    """An entry about the assistant whose only point is a button this answer already has
    (e.g. "Talking to a person" next to the talk-to-a-person button): one way there is enough."""
    return related.topic == BOT_TOPIC and bool(related.actions) and set(related.actions) <= shown


def _distinct(rows: list[tuple[Button, ...]]) -> tuple[tuple[Button, ...], ...]:
    """Rows without a button whose destination an earlier button already has."""
    seen: set[str] = set()
    kept: list[tuple[Button, ...]] = []
    for row in rows:
        fresh = tuple(b for b in row if b.action not in seen)
        seen.update(b.action for b in fresh)
        if fresh:
            kept.append(fresh)
    return tuple(kept)


def entry_buttons(entry: Entry, language: str, texts: Texts) -> tuple[tuple[Button, ...], ...]:
    """The buttons an answer's text may point to ("book below"), without the chat's own ones."""
    if "appointment" not in entry.actions:
        return ()
    return ((Button(texts.get(language, "intake.button"), actions.encode("intake_start")),),)


def topics_menu(kb: KnowledgeBase, language: str, texts: Texts, mode: str = "send") -> Reply:
    rows = tuple(
        (Button(t.title.get(language, t.title["de"]), actions.encode("topic", t.id)),)
        for t in kb.topics
        if kb.in_topic(t.id)
    )
    return Reply(texts.get(language, "topics_heading"), rows, mode=mode, language=language)  # type: ignore[arg-type]


def topic_menu(kb: KnowledgeBase, topic_id: str, language: str, texts: Texts) -> Reply:
    topic = kb.topic(topic_id)
    title = topic.title.get(language, topic_id) if topic else topic_id
    rows = [
        (Button(e.text(language).title, actions.encode("browse_entry", e.id)),)
        for e in kb.in_topic(topic_id)
    ]
    rows.append((Button(texts.get(language, "back"), actions.encode("topics")),))
    text = texts.get(language, "topic_heading", topic=escape(title))
    return Reply(text, tuple(rows), mode="edit", language=language)


def clarify(kb: KnowledgeBase, choices: tuple[str, ...], language: str, texts: Texts) -> Reply:
    rows = [
        (Button(kb.get(c).text(language).title, actions.encode("entry", c)),)  # type: ignore[union-attr]
        for c in choices
        if kb.get(c) is not None
    ]
    rows.append((Button(texts.get(language, "none_of_these"), actions.encode("none_of_these")),))
    return Reply(texts.get(language, "did_you_mean"), tuple(rows), language=language)


def language_menu(language: str, texts: Texts) -> Reply:
    buttons = [Button(choice_name(c), actions.encode("language", c)) for c in CHOICES]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Reply(texts.get(language, "choose_language"), rows, language=language)


def topics_button(language: str, texts: Texts) -> tuple[Button, ...]:
    return (Button(texts.get(language, "browse_topics"), actions.encode("topics_new")),)
