"""The learned ranker, its training texts (transliteration) and the engine's cache of it."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.engine_build import build_in_worker
from bot.engine_store import (
    Built,
    TrainingError,
    cache_path,
    read_cache,
    train_ranker,
    training_texts,
)
from bot.knowledge import KnowledgeBase, KnowledgeError
from bot.language.normalize import fold
from bot.language.translit import romanisations
from bot.matching.ranker import LearnedRanker, RankerOptions, char_grams, word_grams


def test_question_time_features_equal_the_trained_vectoriser() -> None:
    texts = ["wie beantrage ich foerderung", "antrag stellen verein", "kak poluchit grazhdanstvo"]
    ranker = LearnedRanker.train([texts[:2], texts[2:]], RankerOptions())
    message = "foerderung beantragen fuer verein verein"
    ids, values = ranker.features(message)
    for analyzer, block in ((char_grams, slice(0, len(ranker.char_vocabulary))),
                            (word_grams, slice(len(ranker.char_vocabulary), None))):  # fmt: skip
        vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True).fit(texts)
        expected = vectorizer.transform([message]).toarray()[0]
        got = np.zeros(len(ranker.idf))
        got[ids] = values
        assert np.allclose(got[block], expected, atol=1e-5)


def test_training_needs_two_classes(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="at least two entries"):
        LearnedRanker.train([["only one entry"]], RankerOptions())
    with pytest.raises(TrainingError, match="cannot be trained"):
        train_ranker(KnowledgeBase(entries=[], topics=[]), settings)


def test_transliterated_forms() -> None:
    assert "kak poluchit grazhdanstvo" in romanisations(fold("Как получить гражданство"), "ru")
    assert "yak otrimati gromadyanstvo" in romanisations(fold("Як отримати громадянство"), "uk")
    assert "kif a2dm 3li aljnsia" in romanisations(fold("كيف أقدم على الجنسية"), "ar")
    assert romanisations("wie beantrage ich", "de") == []


def test_training_texts_include_latin_forms(engine) -> None:  # type: ignore[no-untyped-def]
    kb = engine.knowledge
    plain = training_texts(kb, transliterate=False)
    latin = training_texts(kb, transliterate=True)
    assert len(latin) == len(plain) == len(kb.document_ids)
    assert all(set(p) <= set(t) for p, t in zip(plain, latin, strict=True))
    assert sum(map(len, latin)) > 1.3 * sum(map(len, plain))


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("kak poluchit grazhdanstvo v germanii", "naturalisation-"),
        ("yak podaty zayavu na finansuvannya proektu", "funding-"),
    ],
)
def test_latin_script_russian_and_ukrainian_find_the_entry(engine, question, topic) -> None:  # type: ignore[no-untyped-def]
    result = engine.ask(question)
    assert result.status != "none"
    assert result.entry_id and result.entry_id.startswith(topic)


def test_score_is_the_confidence_the_decision_used(engine) -> None:  # type: ignore[no-untyped-def]
    s = engine.settings.matching
    for question in ("How do I apply for WIR2.0 funding?", "Förderung", "wo kann ich parken"):
        result = engine.ask(question)
        if result.status == "answer":
            assert result.score >= s.answer_threshold
        elif result.status == "clarify":
            assert s.clarify_threshold <= result.score
        assert 0.0 <= result.score <= 1.0


def test_cache_key_follows_content_and_training_settings(engine, settings) -> None:  # type: ignore[no-untyped-def]
    kb = engine.knowledge
    smaller = KnowledgeBase(entries=kb.entries[:-1], topics=kb.topics)
    retrained = settings.model_copy(
        update={"matching": settings.matching.model_copy(
            update={"ranker": settings.matching.ranker.model_copy(update={"c": 0.5})})}
    )  # fmt: skip
    reweighted = settings.model_copy(
        update={"matching": settings.matching.model_copy(
            update={"ranker": settings.matching.ranker.model_copy(update={"weight": 0.1})})}
    )  # fmt: skip
    path = cache_path(settings, kb)
    assert cache_path(settings, smaller) != path
    assert cache_path(retrained, kb) != path
    assert cache_path(reweighted, kb) == path  # the weight is used at question time only


def test_an_old_cache_format_is_not_served(tmp_path: Path) -> None:
    old = tmp_path / "engine-old.pickle"
    old.write_bytes(pickle.dumps(("tables", "index")))
    assert read_cache(old) is None
    (tmp_path / "broken.pickle").write_bytes(b"not a pickle")
    assert read_cache(tmp_path / "broken.pickle") is None


@pytest.mark.slow
def test_first_build_shows_progress_then_loads_from_cache(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.engine import AnsweringEngine

    kb = KnowledgeBase(entries=engine.knowledge.entries[:3], topics=engine.knowledge.topics)
    local = settings.model_copy(update={"data_dir": tmp_path})
    shown: list[int] = []
    build_in_worker(kb, local, cache_path(local, kb), shown.append)
    assert shown == sorted(shown) and shown[-1] == 100 and len(shown) >= 5
    assert isinstance(read_cache(cache_path(local, kb)), Built)
    small = AnsweringEngine.from_knowledge(kb, local)
    assert "ranker" not in small.timings  # loaded, not trained again
    assert small.ask("Wer ist das Sachgebiet?").status in ("answer", "clarify", "none")


@pytest.mark.slow
def test_a_knowledge_base_the_ranker_cannot_learn_stops_start_up(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.engine import AnsweringEngine

    kb = KnowledgeBase(entries=engine.knowledge.entries[:1], topics=engine.knowledge.topics)
    local = settings.model_copy(update={"data_dir": tmp_path})
    with pytest.raises(KnowledgeError, match="ranker cannot be trained on it: it needs"):
        AnsweringEngine.from_knowledge(kb, local)
