"""A bad knowledge file stops loading with file, entry and field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeError, load_knowledge
from tests.helpers import block, entry, write_kb


def problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return [str(p) for p in caught.value.problems]


def test_a_valid_knowledge_base_loads(tmp_path: Path) -> None:
    kb = load_knowledge(
        write_kb(tmp_path, {"a.yaml": [entry("one"), entry("two", related=["one"])]})
    )
    assert [e.id for e in kb] == ["one", "two"]
    assert kb.get("two").related == ["one"]


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    write_kb(tmp_path)
    (tmp_path / "entries" / "broken.yaml").write_text(
        "entries:\n  - id: x\n   topic: [\n", encoding="utf-8"
    )
    found = problems(tmp_path)
    assert len(found) == 1
    assert "broken.yaml" in found[0] and "not valid YAML" in found[0]


def test_unknown_and_missing_keys_are_named(tmp_path: Path) -> None:
    bad = entry("one", colour="blue")
    del bad["pl"]
    found = problems(write_kb(tmp_path, {"a.yaml": [bad]}))
    assert any("entry 'one'" in p and "field 'colour'" in p and "unknown key" in p for p in found)
    assert any("entry 'one'" in p and "field 'pl'" in p and "missing" in p for p in found)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    found = problems(write_kb(tmp_path, {"a.yaml": [entry("same")], "b.yaml": [entry("same")]}))
    assert found == [
        f"{tmp_path / 'entries' / 'b.yaml'}: entry 'same': field 'id': duplicate id (also in {tmp_path / 'entries' / 'a.yaml'})"
    ]


def test_dangling_related_and_unknown_topic(tmp_path: Path) -> None:
    found = problems(
        write_kb(tmp_path, {"a.yaml": [entry("one", topic="nowhere", related=["ghost"])]})
    )
    assert any("field 'related'" in p and "no entry 'ghost'" in p for p in found)
    assert any("field 'topic'" in p and "unknown topic 'nowhere'" in p for p in found)


def test_empty_and_overlong_answers(tmp_path: Path) -> None:
    empty = entry("empty")
    empty["de"] = block("t", ["q"], "   ")
    long = entry("long")
    long["ar"] = block("t", ["q"], "ب" * 5000)
    found = problems(write_kb(tmp_path, {"a.yaml": [empty, long]}))
    assert any("entry 'empty'" in p and "field 'de.answer'" in p for p in found)
    assert any(
        "entry 'long'" in p and "field 'ar.answer'" in p
        and "too long: sent with its title and sources it has 50" in p
        and "Telegram allows 4096 (the answer itself has 5000)" in p
        for p in found
    )


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    write_kb(tmp_path)
    (tmp_path / "entries" / "twice.yaml").write_text(
        "entries:\n  - id: a\n    id: b\n", encoding="utf-8"
    )
    assert any("twice.yaml" in p and "'id' appears twice" in p for p in problems(tmp_path))


def test_a_source_needs_url_title_and_date(tmp_path: Path) -> None:
    bad = entry("one", sources=[{"url": "not a url", "title": "x"}])
    found = problems(write_kb(tmp_path, {"a.yaml": [bad]}))
    assert any("field 'sources.0.url'" in p for p in found)
    assert any("field 'sources.0.checked'" in p and "missing" in p for p in found)


def test_numbers_as_keywords_are_text(tmp_path: Path) -> None:
    item = entry("one")
    item["de"] = block("t", ["q"], "a", keywords=[110, "Notruf"])
    kb = load_knowledge(write_kb(tmp_path, {"a.yaml": [item]}))
    assert kb.get("one").text("de").keywords == ["110", "Notruf"]


def test_topic_titles_need_every_language(tmp_path: Path) -> None:
    write_kb(tmp_path)
    (tmp_path / "topics.yaml").write_text(
        "topics:\n  - id: general\n    title: {de: Allgemein}\n", encoding="utf-8"
    )
    assert any("topics.yaml" in p and "missing language(s): en" in p for p in problems(tmp_path))


def test_one_message_per_root_cause(tmp_path: Path) -> None:
    broken = entry("broken")
    del broken["tr"]  # one missing language block
    pointing = [entry(f"points-{i}", related=["broken"]) for i in range(3)]
    kb = write_kb(tmp_path, {"a.yaml": [broken, *pointing]}, topic_ids=("general", "other"))
    topics_file = tmp_path / "topics.yaml"
    data = yaml.safe_load(topics_file.read_text())
    del data["topics"][1]["title"]  # a missing topic title ...
    topics_file.write_text(yaml.safe_dump(data))
    others = [entry(f"in-other-{i}", topic="other") for i in range(3)]  # ... used by 3 entries
    (kb / "entries" / "b.yaml").write_text(yaml.safe_dump({"entries": others}))
    found = problems(kb)
    assert len(found) == 2, found
    assert any("entry 'broken': field 'tr': missing" in p for p in found)
    assert any("entry 'other': field 'title': missing" in p for p in found)


def test_answers_just_under_the_limit_pass_and_person_spans_must_close(tmp_path: Path) -> None:
    fits = entry("fits")
    fits["de"] = block("t", ["q"], "x" * 3900)
    unclosed = entry("unclosed")
    unclosed["en"] = block("t", ["q"], "Ask [person]use the button below.")
    found = problems(write_kb(tmp_path, {"a.yaml": [fits, unclosed]}))
    assert found == [
        f"{tmp_path / 'entries' / 'a.yaml'}: entry 'unclosed': field 'en.answer': "
        "Value error, a [person] span is not closed with [/person]"
    ]


def test_plain_german_only_in_the_german_block_and_within_one_message(tmp_path: Path) -> None:
    wrong = entry("wrong")
    wrong["en"] = {**block("t", ["q"], "An answer."), "plain": "Simple."}
    long = entry("long")
    long["de"] = {**block("t", ["q"], "Eine Antwort."), "plain": "Kurz. " * 900}
    found = problems(write_kb(tmp_path, {"a.yaml": [wrong, long]}))
    assert any("entry 'wrong'" in p and "de block only" in p for p in found)
    assert any(
        "entry 'long'" in p and "field 'de.plain'" in p and "the plain text itself has" in p
        for p in found
    )
