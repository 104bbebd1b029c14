"""Does a message look like it holds sensitive data? An IBAN (with a valid check number), a
passport, ID card, residence permit or file number (a keyword of those documents in one of the
eight languages next to a number-like word), or health details (words for illnesses,
diagnoses, pregnancy, disability). Used before a message goes to staff or into a request's
description, so the resident can decide; a false alarm costs one button press."""

from __future__ import annotations

import re

from bot.text_clean import clean_text

_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b")
_DOCUMENTS = (
    r"pass\b|passnummer|reisepass|ausweis|personalausweis|aufenthaltstitel|aufenthaltserlaubnis"
    r"|aktenzeichen|\baz\b|kennziffer|passport|\bid\b|identity card|residence permit|file number"
    r"|case number|pasaport|kimlik|oturma izni|ikamet|dosya numara|جواز|هوية|بطاقة|إقامة|اقامة"
    r"|رقم الملف|паспорт|посвідк|посвідчен|вид\w* на жительство|номер справи|номер дела|ВНЖ|внж"
    r"|گذرنامه|پاسپورت|کارت ملی|کارت اقامت|اقامت|شماره پرونده|paszport|dowód|dowod"
    r"|kart\w* pobytu|sygnatur|numer sprawy"
)
_HEALTH = (
    r"diagnos|krankheit|erkrank|schwanger|behinderung|depression|psychiatr|therapie|\bhiv\b"
    r"|krebs|chemotherap|diabetes|illness|disease|pregnan|disabilit|cancer|hastal|hamile"
    r"|engelli|kanser|depresyon|teşhis|مرض|حامل|إعاقة|اعاقة|سرطان|اكتئاب|تشخيص|хвороб|вагітн"
    r"|інвалідн|депрес|діагноз|болезн|беремен|инвалид|диагноз|онколог|بیماری|باردار|معلولیت"
    r"|افسردگی|تشخیص|chorob|ciąż|ciaz|niepełnospraw|nowotw|depresj|diagnoz"
)
_DOCUMENT = re.compile(_DOCUMENTS, re.IGNORECASE)
_HEALTH_WORDS = re.compile(_HEALTH, re.IGNORECASE)
MIN_NUMBER_DIGITS = 5


def sensitive_kind(text: str) -> str | None:
    """``iban``, ``document`` or ``health`` for the first kind found, else None."""
    cleaned = clean_text(text)
    if any(_valid_iban(m) for m in _IBAN.findall(cleaned.upper())):
        return "iban"
    if _DOCUMENT.search(cleaned) and any(_numberlike(w) for w in cleaned.split()):
        return "document"
    if _HEALTH_WORDS.search(cleaned):
        return "health"
    return None


def _numberlike(word: str) -> bool:
    core = word.strip(".,;:!?()[]«»\"'")
    digits = sum(c.isdigit() for c in core)
    mixed = digits >= 2 and any(c.isalpha() for c in core) and len(core) >= 6
    return digits >= MIN_NUMBER_DIGITS or mixed


def _valid_iban(candidate: str) -> bool:
    iban = candidate.replace(" ", "")
    if not 15 <= len(iban) <= 34:
        return False
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1
