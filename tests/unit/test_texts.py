"""Interface texts and message splitting."""

from __future__ import annotations

import pytest

from bot.i18n import LocaleError, check_catalogues, load_texts
from bot.languages import LANGUAGES
from handlers.send import split_message


def test_every_language_has_every_text() -> None:
    texts = load_texts()
    assert set(texts.languages()) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert texts.get(lang, "greeting", name="")
        assert texts.get(lang, "commands.topics")


def test_inconsistent_catalogues_are_reported() -> None:
    catalogues = {
        "en": {"a": "Hello {name}", "b": "x"},
        "de": {"a": "Hallo", "c": "y"},
    }
    problems = check_catalogues(catalogues)
    assert "de.yaml: key 'a' has other placeholders than en" in problems
    assert "de.yaml: missing key 'b'" in problems
    assert "de.yaml: unknown key 'c'" in problems


def test_a_broken_locale_file_stops_loading(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for lang in LANGUAGES:
        (tmp_path / f"{lang}.yaml").write_text("a: x\n", encoding="utf-8")
    (tmp_path / "fa.yaml").write_text("a: [\n", encoding="utf-8")
    load_texts.cache_clear()
    with pytest.raises(LocaleError, match="fa.yaml"):
        load_texts(tmp_path)
    load_texts.cache_clear()


def test_short_messages_are_not_split() -> None:
    assert split_message("<b>Title</b>\n\nText") == ["<b>Title</b>\n\nText"]


def test_long_messages_split_at_line_breaks_within_the_limit() -> None:
    paragraph = "Ein Satz mit Wörtern. " * 30
    text = "\n".join(f"<b>{n}</b> {paragraph}" for n in range(20))
    chunks = split_message(text, limit=4096)
    assert len(chunks) > 1
    assert all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == text
    assert all(c.count("<b>") == c.count("</b>") for c in chunks)


def test_one_enormous_line_is_cut_at_spaces() -> None:
    text = "wort " * 3000
    chunks = split_message(text, limit=4096)
    assert all(len(c) <= 4096 for c in chunks)
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")


def test_long_button_labels_are_shortened_at_a_word_boundary() -> None:
    from bot.conversation.replies import Button

    title = "→ Beratungsstellen für Migrantinnen und Migranten und Menschen mit Einwanderungsgeschichte"
    label = Button(title, "e:x").label
    assert len(label) <= 64 and label.endswith("…")
    assert title.startswith(label[:-1]) and title[len(label) - 1] == " "  # cut before a space
    assert Button("Kurz", "e:x").label == "Kurz"
