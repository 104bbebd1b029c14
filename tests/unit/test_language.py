"""Normalisation per script and language identification."""

from __future__ import annotations

import pytest

from bot.language.detect import LanguageDetector
from bot.language.normalize import clean_text, fold
from bot.languages import LANGUAGES


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Einbürgerung", "einbuergerung"),
        ("Einbürgerung", "EINBURGERUNG"),
        ("Straße", "strasse"),
        ("başvuru nasıl", "basvuru nasil"),
        ("İSTANBUL", "istanbul"),
        ("كيف", "کیف"),  # Arabic kaf/yeh typed for Persian
        ("می\u200cخواهم", "میخواهم"),  # ZWNJ
        ("مـــرحبا", "مرحبا"),  # tatweel
        ("مُسَاعَدَة", "مساعدة"),  # harakat
        ("١٢٣", "123"),
        ("۴۵۶", "456"),
        ("Łódź", "lodz"),
        ("всё", "все"),
    ],
)
def test_fold_meets_variants(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_clean_text_removes_direction_marks_and_controls() -> None:
    assert clean_text("\u200f\u202bمرحبا\u202c\x00  world\u200e") == "مرحبا world"


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(LANGUAGES, "de", short_message_words=3, min_confidence=0.8)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wie kann ich mich einbürgern lassen und was brauche ich dafür?", "de"),
        ("How can I apply for funding for our association?", "en"),
        ("Derneğimiz için nasıl destek başvurusu yapabiliriz?", "tr"),
        ("Vatandaslik basvurusu icin ne gerekiyor", "tr"),
        ("كيف يمكنني الحصول على الجنسية الألمانية؟", "ar"),
        ("چطور می‌توانم برای انجمن‌مان کمک مالی بگیرم؟", "fa"),
        ("Як отримати громадянство Німеччини?", "uk"),
        ("Как получить немецкое гражданство?", "ru"),
        ("Jak mogę złożyć wniosek o dofinansowanie projektu?", "pl"),
        ("Jak moge zlozyc wniosek o dofinansowanie projektu dla stowarzyszenia", "pl"),
    ],
)
def test_detects_supported_languages(detector: LanguageDetector, text: str, language: str) -> None:
    assert detector.detect(text).language == language


def test_short_message_keeps_the_users_language(detector: LanguageDetector) -> None:
    assert detector.detect("Termin", hint="en").language == "en"
    assert detector.detect("hallo", hint="pl").language == "pl"


def test_script_overrides_a_hint_that_cannot_be_right(detector: LanguageDetector) -> None:
    assert detector.detect("Привет", hint="de").language in ("ru", "uk")
    assert detector.detect("سلام", hint="en").language in ("ar", "fa")


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "12345", "\x00\x01"])
def test_no_letters_falls_back_to_hint_or_default(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text, hint="uk").language == "uk"
    assert detector.detect(text).language == "de"


# -- the words that carry the sentence ------------------------------------------------------

MIXED = [
    # a German term, name or acronym inside another language: that language
    ("كيف أقدم على Einbürgerung", "ar"),
    ("شو هي شروط Einbürgerung بهانوفر", "ar"),
    ("وين بلاقي Ausländerbehörde", "ar"),
    ("какие документы нужны для Einbürgerung", "ru"),
    ("где находится Ausländerbehörde", "ru"),
    ("скільки коштує Einbürgerungstest", "uk"),
    ("як записатися на Integrationskurs", "uk"),
    ("چطور برای Einbürgerung درخواست بدم", "fa"),
    ("Aufenthaltserlaubnis کی تمدید میشه", "fa"),
    ("gdzie jest Ausländerbehörde", "pl"),
    ("jak złożyć wniosek o Einbürgerung", "pl"),
    ("Einbürgerung için hangi belgeler lazım", "tr"),
    ("Ausländerbehörde randevu nasıl alınır", "tr"),
    ("how do I apply for Einbürgerung", "en"),
    ("where is the Ausländerbehörde in Hannover", "en"),
    ("what does the BAMF do with my Integrationskurs", "en"),
]
ROMANISED = [
    ("kak poluchit grazhdanstvo Germanii", "ru"),
    ("chto nuzhno dlya vida na zhitelstvo", "ru"),
    ("gde mozhno sdat ekzamen na grazhdanstvo", "ru"),
    ("skolko stoit Einbürgerung", "ru"),
    ("yak otrymaty dozvil na prozhyvannia", "uk"),
    ("shcho potribno dlia hromadianstva", "uk"),
    ("de mozhna zapysatysia na kurs movy", "uk"),
    ("kif a2dam 3ala el jinsiye", "ar"),
    ("shu lazem la2 jinsiye almaniya", "ar"),
    ("wein fi maw3ed la Ausländerbehörde", "ar"),
    ("bde 2a3ref kif a2addem talab", "ar"),
    ("chetor mitunam tabeiyat begiram", "fa"),
    ("baraye aghamat che madaraki lazem daram", "fa"),
    ("koja mitunam dar kelas zaban sabtenam konam", "fa"),
    ("vatandaslik nasil alinir", "tr"),
    ("oturum izni icin ne lazim", "tr"),
    ("jak dostac obywatelstwo", "pl"),
    ("gdzie moge zlozyc wniosek o pobyt", "pl"),
]


# Written after the marker lists, never used to choose them.
UNSEEN = [
    ("privet mne nuzhna pomoshch s dokumentami", "ru"),
    ("kuda obratitsya po povodu kursa nemetskogo yazyka", "ru"),
    ("mozhno li poluchit dengi na proekt dlya nashego obshchestva", "ru"),
    ("kogda budet sleduyushchee zasedanie", "ru"),
    ("u menya vopros pro vid na zhitelstvo", "ru"),
    ("ya hochu sdat test na grazhdanstvo", "ru"),
    ("de mozhna otrymaty dopomohu z dokumentamy", "uk"),
    ("chy mozhna otrymaty hroshi na proekt dlia nashoi hromady", "uk"),
    ("skilky koshtuie ispyt na hromadianstvo", "uk"),
    ("koly nastupne zasidannia", "uk"),
    ("meni potribna konsultatsiia shchodo posvidky", "uk"),
    ("ya khochu zapysatysia na kurs", "uk"),
    ("mar7aba bde sa2el 3an el e2ame", "ar"),
    ("fi da3em la mashari3 el jam3iyat?", "ar"),
    ("kam el so3r la fa7s el jinsiye", "ar"),
    ("emta el jalse el jaye", "ar"),
    ("ana baddi 2a3mel talab la el jinsiye", "ar"),
    ("wein b2dar et3allam almani", "ar"),
    ("salam man mikham baraye tabeiyat darkhast bedam", "fa"),
    ("aya baraye proje anjoman pool midid", "fa"),
    ("azmoon tabeiyat chand hazine dare", "fa"),
    ("jalase badi key hast", "fa"),
    ("man soal daram dar mored eghamat", "fa"),
    ("kelas zaban alman koja hast", "fa"),
    ("dernegimiz icin destek nasil alabiliriz", "tr"),
    ("vatandaslik testi ne kadar", "tr"),
    ("oturum iznimi nasil uzatirim", "tr"),
    ("almanca kursu nerede", "tr"),
    ("jak dostac pieniadze na projekt stowarzyszenia", "pl"),
    ("ile kosztuje test na obywatelstwo", "pl"),
    ("gdzie moge sie zapisac na kurs niemieckiego", "pl"),
    ("kiedy jest nastepne posiedzenie", "pl"),
]


@pytest.mark.parametrize(("text", "language"), MIXED + ROMANISED + UNSEEN)
@pytest.mark.parametrize("hint", [None, "de", "en"])
def test_the_words_that_carry_the_sentence_decide(
    detector: LanguageDetector, text: str, language: str, hint: str | None
) -> None:
    assert detector.detect(text, hint=hint).language == language


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Einbürgerung", "ar"),
        ("Ausländerbehörde Hannover", "ru"),
        ("BAMF", "fa"),
        ("Einbürgerungstest Termin", "uk"),
        ("Integrationskurs", "pl"),
        ("WIR2.0", "tr"),
    ],
)
def test_only_german_terms_keep_the_users_language(
    detector: LanguageDetector, text: str, hint: str
) -> None:
    assert detector.detect(text, hint=hint).language == hint


@pytest.mark.parametrize("text", ["12345", "🙂", "<br>", "null?", "…", "2026-12-03"])
def test_messages_without_words_keep_the_users_language(
    detector: LanguageDetector, text: str
) -> None:
    for hint in ("ar", "uk", "pl"):
        if text == "null?":
            continue  # a word, but English: see the small talk tests for the reply
        assert detector.detect(text, hint=hint).language == hint


def test_ambiguous_romanised_words_keep_the_users_language(detector: LanguageDetector) -> None:
    # "dlya" and "na" are both Russian and Ukrainian: the user's own of the two stays.
    assert detector.detect("dokumenty dlya kursu na", hint="uk").language == "uk"
    assert detector.detect("dokumenty dlya kursu na", hint="ru").language == "ru"


def test_a_whole_german_sentence_is_still_german(detector: LanguageDetector) -> None:
    text = "Wie beantrage ich die Einbürgerung bei der Ausländerbehörde?"
    assert detector.detect(text, hint="ar").language == "de"
    assert detector.detect("how do I apply for Einbürgerung", hint="de").language == "en"


def test_the_knowledge_base_adds_its_german_terms(engine) -> None:  # type: ignore[no-untyped-def]
    terms = engine.detector.terms
    assert "zuwendungsportal" in terms and "festbetrag" in terms
    assert "wie" not in terms and "the" not in terms and "kak" not in terms


def test_keep_button_names_the_language_written() -> None:
    from bot import actions

    assert actions.parse(actions.encode("keep", "de")) == actions.Action("keep", ("de",))
    assert actions.parse("kp") == actions.Action("keep", ())  # buttons sent before
    assert actions.parse("kp:xx") is None


def test_german_terms_are_cached_by_the_knowledge_base(tmp_path, engine) -> None:  # type: ignore[no-untyped-def]
    from bot.language.terms import GermanTerms

    kb = engine.knowledge
    first = GermanTerms.cached(kb, tmp_path)
    assert first == GermanTerms.load(kb)
    (cached,) = tmp_path.glob("terms-*.json")
    assert GermanTerms.cached(kb, tmp_path) == first  # read back, same words
    cached.write_text("not json", encoding="utf-8")
    assert GermanTerms.cached(kb, tmp_path) == first  # a broken file is rebuilt
