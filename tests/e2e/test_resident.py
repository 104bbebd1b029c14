"""A resident's conversation with the real bot through the Bot API emulator."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.storage.models import Feedback, UnansweredQuestion, User
from handlers.local import running_bot
from handlers.services import Services
from tests.e2e.conftest import Env
from tests.helpers import last_message_becomes
from tests.rtl import problems, unmarked
from tgemulator import BotApiEmulator

pytestmark = pytest.mark.database


def stored_user(env: Env, user_id: int) -> User:
    with env.services.db.session() as session:
        user = session.scalar(select(User).where(User.external_id == str(user_id)))
        assert user is not None
        return user


def title(env: Env, entry_id: str, lang: str) -> str:
    return env.services.engine.knowledge.get(entry_id).text(lang).title


def texts(env: Env, lang: str, key: str, **values: object) -> str:
    return env.services.texts.get(lang, key, **values)


def buttons(message) -> list[str]:  # type: ignore[no-untyped-def]
    markup = message.data.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_start_preselects_the_client_language_and_stores_the_choice(env: Env) -> None:
    user = env.emu.user(501, "Ayşe", language_code="tr")
    await user.send_command("start")
    greeting = await env.emu.wait_for_bot_message(user.chat_id)
    assert "Ayşe" in greeting.text
    assert greeting.text.startswith(texts(env, "tr", "greeting", name=", Ayşe")[:20])
    menu = await env.emu.wait_for_bot_message(user.chat_id)
    assert "Deutsch" in buttons(menu) and "العربية" in buttons(menu)
    await user.press_button("Deutsch")
    done = texts(env, "de", "language_set")
    await last_message_becomes(env.emu, user.chat_id, lambda text: text == done)
    assert stored_user(env, 501).language == "de"


async def test_arabic_question_gets_the_arabic_answer_with_source(env: Env) -> None:
    user = env.emu.user(502, "Omar", language_code="ar")
    await user.send_text("كيف أقدم طلب التجنيس في مدينة هانوفر؟")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert unmarked(answer.text).startswith(title(env, "naturalisation-apply", "ar"))
    assert texts(env, "ar", "source") in answer.text
    assert not problems(answer.text, html=False)  # laid out right to left, pieces in order
    assert "👍" in buttons(answer)


async def test_german_question_without_umlauts(env: Env) -> None:
    user = env.emu.user(503, "Jan", language_code="de")
    await user.send_text("wie viel geld gibt es fuer ein kleinprojekt")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.startswith(title(env, "funding-small", "de"))
    related = env.services.engine.knowledge.get("funding-small").related
    assert [b for b in buttons(answer) if b.startswith("→ ")] == [
        "→ " + title(env, r, "de") for r in related
    ]


async def test_did_you_mean_button_opens_the_chosen_answer(env: Env) -> None:
    question = "Einbürgerung"
    result = env.services.engine.ask(question, hint="de")
    assert result.status == "clarify", result  # precondition: a vague one-word question
    user = env.emu.user(504, "Lea", language_code="de")
    await user.send_text(question)
    offer = await env.emu.wait_for_bot_message(user.chat_id)
    assert offer.text == texts(env, "de", "did_you_mean")
    choice = title(env, result.choices[1], "de")
    assert buttons(offer) == [title(env, c, "de") for c in result.choices] + [
        texts(env, "de", "none_of_these")
    ]
    await user.press_button(choice)
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.startswith(choice)
    with env.services.db.session() as session:
        stored = session.scalars(select(UnansweredQuestion)).all()
        assert [(q.text, q.status) for q in stored] == [(question, "clarify")]


async def test_feedback_is_stored_once_per_answer(env: Env) -> None:
    user = env.emu.user(505, "Max", language_code="de")
    await user.send_text("Wer darf einen Antrag beim WIR2.0-Förderprogramm stellen?")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    query = await user.press_button("👍")
    assert (await env.emu.wait_for_callback_answer(query)).get("text") == texts(
        env, "de", "feedback_thanks"
    )
    query = await user.press_button("👎", message=answer)
    await env.emu.wait_for_callback_answer(query)
    with env.services.db.session() as session:
        votes = session.scalars(select(Feedback)).all()
        assert [(v.entry_id, v.helpful) for v in votes] == [("funding-who", False)]


async def test_topic_browsing_edits_one_message(env: Env) -> None:
    user = env.emu.user(506, "Kasia", language_code="pl")
    await user.send_command("topics")
    menu = await env.emu.wait_for_bot_message(user.chat_id)
    topic = env.services.engine.knowledge.topic("funding").title["pl"]
    await user.press_button(topic)
    small = title(env, "funding-small", "pl")
    await env.emu.world.wait_until(lambda: small in buttons(env.emu.history(user.chat_id)[-1]), 5)
    current = env.emu.history(user.chat_id)[-1]
    assert current.message_id == menu.message_id
    await user.press_button(small, message=current)
    current = await last_message_becomes(env.emu, user.chat_id, lambda t: t.startswith(small))
    assert current.message_id == menu.message_id
    await user.press_button(texts(env, "pl", "back"), message=current)
    await env.emu.world.wait_until(lambda: small in buttons(env.emu.history(user.chat_id)[-1]), 5)
    assert len(env.emu.bot_messages(user.chat_id)) == 1


async def test_deep_link_opens_the_entry(env: Env) -> None:
    user = env.emu.user(507, "Olena", language_code="uk")
    await user.send_command("start", "funding-small")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.startswith(title(env, "funding-small", "uk"))


async def test_sticker_voice_and_location_get_a_clear_reply(env: Env) -> None:
    user = env.emu.user(508, "Reza", language_code="fa")
    await user.send_sticker()
    sticker_reply = await env.emu.wait_for_bot_message(user.chat_id)
    assert unmarked(sticker_reply.text) == texts(env, "fa", "unsupported_sticker")
    await user.send_voice()
    assert unmarked((await env.emu.wait_for_bot_message(user.chat_id)).text) == texts(
        env, "fa", "unsupported_voice"
    )
    await user.send_location(52.37, 9.73)
    assert unmarked((await env.emu.wait_for_bot_message(user.chat_id)).text) == texts(
        env, "fa", "unsupported_location"
    )


async def test_bad_text_input_is_answered_calmly(env: Env) -> None:
    user = env.emu.user(509, "Ivan", language_code="ru")
    await user.send_text("🙂🙂🙂")
    assert (await env.emu.wait_for_bot_message(user.chat_id)).text == texts(
        env, "ru", "smalltalk.other"
    )
    await user.send_text("а" * 3000)
    reply = await env.emu.wait_for_bot_message(user.chat_id)
    assert reply.text == texts(env, "ru", "too_long", length=3000, limit=1500)
    sent = await user.send_text("Как получить гражданство?")
    await env.emu.wait_for_bot_message(user.chat_id)
    await user.edit_message(sent, "Как получить гражданство Германии?")
    assert (await env.emu.wait_for_bot_message(user.chat_id)).text == texts(
        env, "ru", "edited_message"
    )


async def test_forged_button_data_changes_nothing(env: Env) -> None:
    user = env.emu.user(510, "Eve", language_code="en")
    await user.send_text("How do I apply for WIR2.0 funding?")
    await env.emu.wait_for_bot_message(user.chat_id)
    for data in ("fb:no-such-entry:1", "l:xx", "e:../../etc", "x" * 64, "fb:funding-apply:7"):
        query = await user.press_button(data=data)
        answer = await env.emu.wait_for_callback_answer(query)
        assert answer.get("text") == texts(env, "en", "button_expired")
    with env.services.db.session() as session:
        assert session.scalars(select(Feedback)).all() == []
    assert stored_user(env, 510).language is None  # never chosen, still not set


async def test_out_of_scope_is_honest_and_stored_for_editors(env: Env) -> None:
    user = env.emu.user(511, "Tom", language_code="en")
    await user.send_text("What will the weather be like in Hannover tomorrow?")
    reply = await env.emu.wait_for_bot_message(user.chat_id)
    assert reply.text == texts(env, "en", "not_found")
    assert buttons(reply) == [texts(env, "en", "browse_topics")]
    with env.services.db.session() as session:
        stored = session.scalars(select(UnansweredQuestion)).one()
        assert (stored.status, stored.language) == ("none", "en")


async def test_message_in_another_language_is_answered_in_it_with_an_offer(env: Env) -> None:
    user = env.emu.user(512, "Mehmet", language_code="de")
    await user.send_text("Vatandaşlık başvurusu için hangi şartlar gerekiyor?")
    answer = await env.emu.wait_for_bot_message(user.chat_id)
    assert answer.text.startswith(title(env, "naturalisation-requirements", "tr"))
    offer = await env.emu.wait_for_bot_message(user.chat_id)
    assert offer.text == texts(env, "tr", "switch_language_offer", language="Türkçe")
    await user.press_button(texts(env, "tr", "switch_language_button", language="Türkçe"))
    await asyncio.sleep(0.3)
    assert stored_user(env, 512).language == "tr"


async def test_a_429_on_send_message_is_retried_and_delivered_once(env: Env) -> None:
    user = env.emu.user(513, "Ana", language_code="de")
    env.emu.inject_fault("sendMessage", error_code=429, retry_after=1, times=1)
    await user.send_text("Wie lange dauert der Einbürgerungstest?")
    answer = await env.emu.wait_for_bot_message(user.chat_id, timeout=10)
    assert answer.text.startswith(title(env, "naturalisation-test", "de"))
    await asyncio.sleep(0.5)
    assert len(env.emu.bot_messages(user.chat_id)) == 1
    assert len(env.emu.faults) == 1


async def test_command_menu_is_set_in_every_language(env: Env) -> None:
    for lang in ("de", "ar", "uk"):
        commands = env.emu.commands(language_code=lang)
        assert [c["command"] for c in commands] == [
            "start",
            "topics",
            "appointment",
            "myrequests",
            "language",
            "help",
            "privacy",
            "mydata",
            "forget",
            "cancel",
        ]
        assert commands[1]["description"] == texts(env, lang, "commands.topics")


async def test_restart_keeps_the_users_language(bot_settings, engine) -> None:  # type: ignore[no-untyped-def]
    async with BotApiEmulator() as emu:
        services = Services.create(bot_settings, engine=engine)
        user = emu.user(520, "Piotr", language_code="en")
        async with running_bot(bot_settings, emu, services):
            await user.send_command("language")
            await emu.wait_for_bot_message(user.chat_id)
            await user.press_button("Polski")
            await asyncio.sleep(0.3)
        services.db.dispose()
        services = Services.create(bot_settings, engine=engine)
        async with running_bot(bot_settings, emu, services):
            await user.send_command("help")
            reply = await emu.wait_for_bot_message(
                user.chat_id, lambda m: m.text.startswith("Jak"[:0]) and "/topics" in (m.text or "")
            )
            assert reply.text == services.texts.get("pl", "help").replace("<b>", "").replace(
                "</b>", ""
            )
        services.db.dispose()


async def test_quick_messages_are_answered_in_order(env: Env) -> None:
    user = env.emu.user(530, "Lina", language_code="de")
    other = env.emu.user(531, "Ali", language_code="de")
    questions = {
        "Wie viel Geld gibt es für ein Kleinprojekt?": "funding-small",
        "Was kostet der Einbürgerungstest?": "naturalisation-test",
        "Was ist der Internationale Ausschuss?": "ia-committee",
        "Wer darf beim WIR2.0-Förderprogramm einen Antrag stellen?": "funding-who",
    }
    for text in questions:  # no waiting in between, another resident writing at the same time
        await user.send_text(text)
        await other.send_text(text)
    for expected in questions.values():
        answer = await env.emu.wait_for_bot_message(user.chat_id, timeout=10)
        assert answer.text.startswith(title(env, expected, "de"))


async def test_a_refused_answer_is_tried_again_and_shown_once(env: Env) -> None:
    user = env.emu.user(532, "Noor", language_code="en")
    env.emu.inject_fault(
        "sendMessage", error_code=400, times=1, description="Bad Request: chat not found"
    )
    await user.send_text("How do I apply for WIR2.0 funding?")
    answer = await env.emu.wait_for_bot_message(user.chat_id, timeout=10)
    assert answer.text.startswith(title(env, "funding-apply", "en"))
    await user.send_text("How do I apply for WIR2.0 funding?")
    await env.emu.wait_for_bot_message(user.chat_id, timeout=10)
    shown = [m.text for m in env.emu.bot_messages(user.chat_id)]
    assert len(shown) == 2 and shown[0] == shown[1]
