"""Arabic and Persian texts as the messenger lays them out (Unicode bidi algorithm): every
text the bot can send keeps commands, citations, numbers, URLs and names in reading order, and
every line right-to-left; other languages are sent exactly as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation import render
from bot.conversation.replies import Button, Reply
from bot.i18n import LOCALES, load_texts
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.language.bidi import LRI, PDI, RLM, as_written, right_to_left
from bot.languages import LANGUAGES, RIGHT_TO_LEFT
from tests.rtl import problems

ROOT = Path(__file__).resolve().parents[2]
HUMAN = Button("🙋", "hu")
MARKS = dict.fromkeys(map(ord, "\u200f\u2066\u2068\u2069"))


class _Sample(dict[str, str]):
    """Placeholder values as the bot fills them: names in Latin script, numbers, times."""

    def __missing__(self, key: str) -> str:
        if key in ("name", "staff", "language", "example", "prefix"):
            return "Anna Schmidt"
        if key in ("when", "time", "slot", "date"):
            return "Di 08.12. 10:00"
        return "12"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(ROOT / "knowledge")


def _flat(node: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def interface_texts(language: str) -> dict[str, str]:
    raw = yaml.safe_load((LOCALES / f"{language}.yaml").read_text(encoding="utf-8"))
    return {key: text.format_map(_Sample()) for key, text in _flat(raw).items()}


def sent_texts(kb: KnowledgeBase, language: str) -> dict[str, str]:
    """Every text and button label the bot sends in ``language``, as it sends them."""
    texts = load_texts()
    human = Button(texts.get(language, "desk.button"), "hu")
    replies = {f"{e.id}": render.answer(e, language, texts, kb, human=human) for e in kb.entries}
    for person in ("unavailable", "in_conversation"):  # without the talk-to-a-person button
        replies |= {
            f"{e.id} {person}": Reply(
                render.answer_text(e, language, texts, person), language=language
            )
            for e in kb.entries
        }
    replies |= {f"topic {t.id}": render.topic_menu(kb, t.id, language, texts) for t in kb.topics}
    replies["topics"] = render.topics_menu(kb, language, texts)
    replies["languages"] = render.language_menu(language, texts)
    replies |= {k: Reply(v, language=language) for k, v in interface_texts(language).items()}
    sent = {name: reply.text for name, reply in replies.items()}
    for name, reply in replies.items():
        for row in reply.buttons:
            # a label in one script shows right as it is (e.g. "Deutsch" in the language menu)
            mixed = [b.label for b in row if re.search("[\u0600-\u06ff]", b.label)]
            sent |= {f"{name} button {label}": label for label in mixed}
    return sent


@pytest.mark.parametrize("language", sorted(RIGHT_TO_LEFT))
def test_every_right_to_left_text_reads_in_order(kb: KnowledgeBase, language: str) -> None:
    sent = sent_texts(kb, language)
    assert len(sent) > 300  # 49 answers, topic menus, every interface text, their buttons
    failures = {name: found for name, text in sent.items() if (found := problems(text))}
    assert not failures, f"{len(failures)} {language} texts: {failures}"


@pytest.mark.parametrize("language", sorted(RIGHT_TO_LEFT))
def test_the_isolates_change_no_text_tag_or_link(kb: KnowledgeBase, language: str) -> None:
    texts = load_texts()
    for entry in kb.entries:
        plain = render.answer_text(entry, language, texts)
        sent = render.answer(entry, language, texts, kb, human=HUMAN).text
        assert sent.translate(MARKS) == plain.translate(MARKS)
        assert right_to_left(sent) == sent  # applying it again changes nothing
        for source in entry.sources:
            assert f'<a href="{source.url}">' in sent or "&amp;" in source.url


def test_known_pieces_are_isolated_whole() -> None:
    text = right_to_left("الرسوم (§ 44 Abs. 4 AufenthG). الهاتف: 0511 54571952، أو ‎/human.")
    assert f"{LRI}§ 44 Abs. 4 AufenthG{PDI}" in text
    assert f"{LRI}0511 54571952{PDI}" in text and f"{LRI}/human{PDI}" in text
    assert text.startswith(RLM)
    line = right_to_left(
        '<b>WIR2.0</b> هو &amp; <a href="https://x.de/?a=1&amp;b=2">hannover.de</a>'
    )
    assert (
        line
        == f'{RLM}<b>{LRI}WIR2.0{PDI}</b> هو &amp; <a href="https://x.de/?a=1&amp;b=2">{LRI}hannover.de{PDI}</a>'
    )


def test_staff_words_keep_their_own_direction() -> None:
    head = "💬 <b>Anna</b> (من موظفي مدينة هانوفر):"
    text = Reply(f"{head}\n{as_written('Hallo! Termin am 8.12. um 10:00.')}", language="ar").text
    assert not problems(text)
    assert text.split("\n")[1] == f"{RLM}\u2068Hallo! Termin am 8.12. um 10:00.{PDI}"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang not in RIGHT_TO_LEFT])
def test_left_to_right_languages_are_sent_as_written(kb: KnowledgeBase, language: str) -> None:
    texts = load_texts()
    for entry in kb.entries:
        assert render.answer(entry, language, texts, kb, human=HUMAN).text == render.answer_text(
            entry, language, texts
        )
    for text in interface_texts(language).values():
        assert Reply(text, language=language).text == text


_PIECES = st.sampled_from(
    ["نص", "فارسی", " ", "/human", "§ 44", "(", ")", "0511 54571952", "<b>", "</b>", "&amp;",
     "WIR2.0", ".", "\n", "۰۵۱۱", "%", "<a href=\"https://a.de/?x=1&amp;y\">", "</a>", "Abs. 4"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_isolating_is_idempotent_and_only_adds_marks(text: str) -> None:
    once = right_to_left(text)
    assert right_to_left(once) == once
    assert once.translate(MARKS) == text.translate(MARKS)
