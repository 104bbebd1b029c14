"""What a message is before it is matched: an emergency, small talk, or a question.

Both rules are decided before the statistical matcher and independently of it: an emergency
always gets the emergency entry, small talk never gets an entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.emergency import EmergencyRule, emergency_rule
from bot.language.smalltalk import SmallTalk, SmallTalkMatcher, smalltalk_matcher
from bot.languages import LANGUAGES

EMERGENCY_ENTRY = "emergency"
# Small talk in these languages is said by everyone ("hallo", "ok", "thanks"): it never
# changes the reply language.
SHARED_SMALLTALK = frozenset({"de", "en"})


@dataclass(frozen=True)
class Intents:
    emergency: EmergencyRule
    smalltalk: SmallTalkMatcher

    @classmethod
    def load(cls) -> Intents:
        return cls(emergency_rule(), smalltalk_matcher())


def smalltalk_language(
    talk: SmallTalk, script_languages: tuple[str, ...], hint: str | None, default: str
) -> tuple[str, bool]:
    """The reply language for small talk, and whether the text itself says so.

    Arabic or Cyrillic letters decide as for any message. In Latin letters the user's language
    stays unless the phrase belongs to one other language only and not to the words everyone
    uses ("merhaba", "dziękuję", "spasibo" do; "hallo", "ok", "thanks" do not).
    """
    said_in = set(talk.languages)
    if script_languages and "de" not in script_languages:  # Arabic or Cyrillic letters
        fits = [lang for lang in script_languages if lang in said_in] or list(script_languages)
        if hint in fits:
            return hint, False
        return fits[0], True
    if hint is not None and (hint in said_in or not said_in):
        return hint, False
    own = said_in - SHARED_SMALLTALK
    if len(own) == 1 and not SHARED_SMALLTALK & said_in:
        return own.pop(), hint is not None
    if hint is not None:
        return hint, False
    ordered = [lang for lang in LANGUAGES if lang in said_in]
    return (ordered[0] if ordered else default), False
