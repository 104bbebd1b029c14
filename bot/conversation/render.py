"""Answers and menus rendered as text with Telegram's HTML subset (<b>, <i>, <a>).

Knowledge-base text is always escaped; only the tags added here reach the messenger.
"""

from __future__ import annotations

from html import escape

from bot import actions
from bot.conversation.replies import Button, Reply
from bot.i18n import Texts
from bot.knowledge import Entry, KnowledgeBase
from bot.languages import LANGUAGES, NATIVE_NAMES, RIGHT_TO_LEFT


def answer_text(entry: Entry, language: str, texts: Texts) -> str:
    block = entry.text(language)
    lines = [f"<b>{escape(block.title)}</b>", "", escape(block.answer), ""]
    for source in entry.sources:
        lines.append(
            f"<i>{escape(texts.get(language, 'source'))}: "
            f'<a href="{escape(source.url, quote=True)}">{escape(source.title)}</a> · '
            f"{escape(texts.get(language, 'checked'))} {source.checked.isoformat()}</i>"
        )
    # Right-to-left answers get their direction marks where every reply does (Reply).
    return "\n".join(lines)


def answer(
    entry: Entry,
    language: str,
    texts: Texts,
    kb: KnowledgeBase,
    browsing: bool = False,
    human: Button | None = None,
) -> Reply:
    kind = "browse_entry" if browsing else "entry"
    rows: list[tuple[Button, ...]] = []
    for target in entry.related:
        related = kb.get(target)
        if related is not None:
            rows.append(
                (Button("→ " + related.text(language).title, actions.encode(kind, target)),)
            )
    if "appointment" in entry.actions:
        rows.append((Button(texts.get(language, "intake.button"), actions.encode("intake_start")),))
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
        answer_text(entry, language, texts),
        tuple(rows),
        mode="edit" if browsing else "send",
        language=language,
        rtl=language in RIGHT_TO_LEFT,
    )


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
    buttons = [Button(NATIVE_NAMES[lang], actions.encode("language", lang)) for lang in LANGUAGES]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Reply(texts.get(language, "choose_language"), rows, language=language)


def topics_button(language: str, texts: Texts) -> tuple[Button, ...]:
    return (Button(texts.get(language, "browse_topics"), actions.encode("topics_new")),)
