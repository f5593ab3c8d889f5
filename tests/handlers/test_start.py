"""/start, /help, /language and the main menu, as a person on a phone meets them."""

from __future__ import annotations

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select

from storage.models import Member
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.kit.clock import FrozenClock


async def member_row(app: BotUnderTest, telegram_id: int) -> Member | None:
    async with app.container.uow() as work:
        return (
            await work.session.execute(select(Member).where(Member.telegram_id == telegram_id))
        ).scalar_one_or_none()


async def test_start_welcomes_a_new_member_in_indonesian_and_shows_the_menu(
    app: BotUnderTest,
) -> None:
    ani = app.core.user(1, "Ani", language_code="id")
    await app.send(app.core.command(ani, "/start"))
    welcome, menu = app.core.sent_to(1)
    assert welcome["text"].startswith("Halo, Ani!")
    assert "Selamat datang" in welcome["text"]
    assert [text for text, _ in app.core.buttons(menu)] == [
        "🛒 Beli / Upgrade",
        "👤 Keanggotaan saya",
        "📝 Laporan harian",
        "💰 Komisi & saldo",
        "👥 Tim saya",
        "💬 Tanya admin",
        "📅 Meeting Zoom",
        "📚 Materi belajar",
        "❓ Bantuan",
        "🌐 Bahasa",
    ]
    assert await member_row(app, 1) is not None


async def test_start_again_welcomes_back_without_a_second_member(app: BotUnderTest) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/start"))
    await app.send(app.core.command(ani, "/start"))
    assert app.core.sent_to(1)[2]["text"].startswith("Halo lagi, Ani!")
    async with app.container.uow() as work:
        assert len((await work.session.execute(select(Member))).scalars().all()) == 1


async def test_a_referral_link_is_remembered_and_thanked(app: BotUnderTest) -> None:
    budi = app.core.user(2, "Budi")
    await app.send(app.core.command(budi, "/start ref_abcd2345"))
    assert "tautan undangan" in app.core.sent_to(2)[0]["text"]
    row = await member_row(app, 2)
    assert row is not None and row.arrived_with_code == "ABCD2345"


async def test_a_garbled_start_payload_is_ignored_kindly(app: BotUnderTest) -> None:
    budi = app.core.user(2, "Budi")
    await app.send(app.core.command(budi, "/start ref_<b>x</b>"))
    assert app.core.sent_to(2)[0]["text"].startswith("Halo, Budi!")
    row = await member_row(app, 2)
    assert row is not None and row.arrived_with_code is None


async def test_a_name_with_markup_is_shown_as_typed(app: BotUnderTest) -> None:
    eve = app.core.user(3, "<i>Eve</i> & co")
    await app.send(app.core.command(eve, "/start"))
    assert app.core.sent_to(3)[0]["text"].startswith("Halo, <i>Eve</i> & co!")


async def test_an_english_phone_gets_english(app: BotUnderTest) -> None:
    john = app.core.user(4, "John", language_code="en")
    await app.send(app.core.command(john, "/start"))
    assert app.core.sent_to(4)[0]["text"].startswith("Hello, John!")


async def test_help_explains_the_tiers(app: BotUnderTest) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/help"))
    text = app.core.sent_to(1)[0]["text"]
    assert "Basic" in text and "VIP" in text and "/language" in text


async def test_switching_to_english_changes_every_following_answer(app: BotUnderTest) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/start"))
    await app.send(app.core.command(ani, "/language"))
    choice = app.core.last_sent(1)
    assert choice is not None and choice["text"] == "Pilih bahasa:"
    assert app.core.buttons(choice) == [
        ("🇮🇩 Bahasa Indonesia", "lang:id"),
        ("🇬🇧 English", "lang:en"),
    ]
    await app.send(app.core.press(ani, choice, "lang:en"))
    answer = app.core.callback_answers
    assert any(a.get("text") == "Language changed to English. 🇬🇧" for a in answer.values())
    await app.send(app.core.command(ani, "/help"))
    last = app.core.last_sent(1)
    assert last is not None and last["text"].startswith("<b>Help</b>") is False
    assert last["text"].startswith("Help")
    row = await member_row(app, 1)
    assert row is not None and row.chosen_language == "en"


async def test_the_same_language_tap_twice_changes_nothing_and_says_so(
    app: BotUnderTest,
) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/language"))
    choice = app.core.last_sent(1)
    assert choice is not None
    await app.send(app.core.press(ani, choice, "lang:en"))
    await app.send(app.core.press(ani, choice, "lang:en"))
    texts = [a.get("text") for a in app.core.callback_answers.values()]
    assert texts == ["Language changed to English. 🇬🇧", "English is already in use."]
    assert len([m for m in app.core.sent_to(1) if "changed" in m["text"]]) == 1


async def test_a_forged_button_gets_an_alert_and_changes_nothing(app: BotUnderTest) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/language"))
    choice = app.core.last_sent(1)
    assert choice is not None
    for forged in ("lang:fr", "lang:", "approve_12", "menu:explode"):
        await app.send(app.core.press(ani, choice, forged, strict=False))
    answers = list(app.core.callback_answers.values())
    assert len(answers) == 4
    assert all(a.get("show_alert") for a in answers)
    assert all("tidak berlaku" in a["text"] for a in answers)
    row = await member_row(app, 1)
    assert row is None or row.chosen_language is None


async def test_the_menu_buttons_open_help_and_the_language_choice(app: BotUnderTest) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/start"))
    menu = app.core.last_sent(1)
    assert menu is not None
    await app.send(app.core.press(ani, menu, "menu:help"))
    assert app.core.last_sent(1)["text"].startswith("<b>Bantuan</b>") is False  # type: ignore[index]
    assert app.core.last_sent(1)["text"].startswith("Bantuan")  # type: ignore[index]
    await app.send(app.core.press(ani, menu, "menu:language"))
    assert app.core.last_sent(1)["text"] == "Pilih bahasa:"  # type: ignore[index]
    assert len(app.core.callback_answers) == 2  # every tap is answered: no spinner left


async def test_a_sticker_or_a_question_outside_any_flow_goes_to_the_admins(
    app: BotUnderTest,
) -> None:
    app.core.make_group(ADMIN_CHAT, "Admin")
    ani = app.core.user(1, "Ani")
    await app.send(app.core.private_sticker(ani))
    await app.send(app.core.private_text(ani, "halo min, mau tanya"))
    while await app.container.relay.run_once():
        pass
    in_group = app.core.sent_to(ADMIN_CHAT)
    assert "sticker" in in_group[1] and in_group[-1]["text"].endswith("halo min, mau tanya")
    (told,) = app.core.sent_to(1)  # told once that it reached the admins
    assert told["text"].startswith("✅ Pesanmu sudah diteruskan ke admin.")


async def test_an_unknown_command_gets_a_clear_answer(app: BotUnderTest) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.private_text(ani, "/hapus_akun"))
    (answer,) = app.core.sent_to(1)
    assert answer["text"].startswith("Maaf, pesan itu belum bisa saya proses")


async def test_the_bot_stays_quiet_in_groups_for_private_commands(app: BotUnderTest) -> None:
    app.core.make_group(ADMIN_CHAT, "Admin")
    ani = app.core.user(1, "Ani")
    await app.send(app.core.group_text(ADMIN_CHAT, ani, "/start"))
    assert app.core.sent_to(ADMIN_CHAT) == []


async def test_too_many_taps_at_once_are_slowed_down_kindly(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/start"))
    menu = app.core.last_sent(1)
    assert menu is not None
    for _ in range(12):
        await app.send(app.core.press(ani, menu, "menu:help"))
    answers = [a.get("text") for a in app.core.callback_answers.values()]
    assert len(answers) == 12  # every tap answered, even the throttled ones
    # /start used one of the eight updates allowed per three seconds: 7 taps pass, 5 wait.
    assert answers.count("Pelan-pelan ya, tunggu sebentar lalu coba lagi.") == 5
    helps = len(app.core.sent_to(1))
    clock.advance(seconds=3)
    await app.send(app.core.press(ani, menu, "menu:help"))
    assert len(app.core.sent_to(1)) == helps + 1  # after a breath, taps work again


async def test_a_real_referral_link_names_the_new_leader(app: BotUnderTest) -> None:
    lina = app.core.user(3, "Lina")
    await app.send(app.core.command(lina, "/start"))
    row = await member_row(app, 3)
    assert row is not None
    eve = app.core.user(4, "Eve", language_code="en")
    await app.send(app.core.command(eve, f"/start ref_{row.referral_code}"))
    welcome = app.core.sent_to(4)[0]["text"]
    assert "You joined through Lina's invitation link" in welcome
    # A second /start with the link changes nothing and says nothing about it.
    await app.send(app.core.command(eve, f"/start ref_{row.referral_code}"))
    assert "invitation link" not in app.core.sent_to(4)[2]["text"]


# ---------------------------------------------------------------------- first contact

APOLOGY = "Maaf, ada gangguan di sisi kami. Coba lagi sebentar lagi ya. Data kamu aman."


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/buy", "Paket yang bisa kamu beli"),
        ("/me", "Keanggotaan kamu"),
        ("/report", "Laporan harian"),
        ("/balance", "Komisi & saldo"),
    ],
)
async def test_a_command_as_the_very_first_message_registers_and_answers(
    app: BotUnderTest, command: str, expected: str
) -> None:
    """No /start first: the person is registered on the way in, without the welcome."""
    ani = app.core.user(1, "Ani", username="ani_k", language_code="id")
    await app.send(app.core.command(ani, command))
    texts = [m.get("text", "") for m in app.core.sent_to(1)]
    assert texts, command
    assert all(APOLOGY not in t for t in texts)
    assert all("Selamat datang" not in t for t in texts)  # registered, not welcomed
    assert expected in "\n".join(texts)
    row = await member_row(app, 1)
    assert row is not None and row.first_name == "Ani" and row.username == "ani_k"
    assert row.arrived_with_code is None and len(row.referral_code) == 8


async def test_a_button_tap_as_the_very_first_update_registers_and_answers(
    app: BotUnderTest,
) -> None:
    ani = app.core.user(1, "Ani", started=True)
    old = await app.bot.send_message(
        1,
        "Menu",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Keanggotaan", callback_data="menu:me")]]
        ),
    )
    menu = app.core.messages[1][old.message_id]
    await app.send(app.core.press(ani, menu, "menu:me"))
    assert [a.get("show_alert") for a in app.core.callback_answers.values()] == [None]
    answer = app.core.last_sent(1)
    assert answer is not None and "Keanggotaan kamu" in answer["text"]
    assert await member_row(app, 1) is not None


async def test_start_after_a_first_command_welcomes_back_without_a_second_member(
    app: BotUnderTest,
) -> None:
    ani = app.core.user(1, "Ani")
    await app.send(app.core.command(ani, "/me"))
    await app.send(app.core.command(ani, "/start"))
    assert any(m["text"].startswith("Halo lagi, Ani!") for m in app.core.sent_to(1))
    async with app.container.uow() as work:
        assert len((await work.session.execute(select(Member))).scalars().all()) == 1


async def test_start_as_the_first_message_still_welcomes_and_keeps_the_referral(
    app: BotUnderTest,
) -> None:
    """The middleware leaves /start to its handler: new-member welcome, referral kept."""
    budi = app.core.user(2, "Budi")
    await app.send(app.core.command(budi, "/start ref_abcd2345"))
    assert app.core.sent_to(2)[0]["text"].startswith("Halo, Budi!")
    row = await member_row(app, 2)
    assert row is not None and row.arrived_with_code == "ABCD2345"


async def test_a_first_message_in_a_group_registers_no_one(app: BotUnderTest) -> None:
    app.core.make_group(ADMIN_CHAT, "Admin")
    ani = app.core.user(1, "Ani")
    await app.send(app.core.group_text(ADMIN_CHAT, ani, "/me"))
    assert await member_row(app, 1) is None


async def test_no_filter_sends_a_member_s_message_to_a_worker_thread(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram runs synchronous filters (every `F.…`) through asyncio.to_thread; the
    dispatcher calls ours in place, so a /me or a menu tap makes no such trip, and the
    private-chat filters still do their work (a group's /me is not answered as one)."""
    import asyncio

    ani = app.core.user(1, "Ani", language_code="id")
    await app.send(app.core.command(ani, "/start"))
    trips: list[object] = []
    real = asyncio.to_thread

    async def counting(function: object, *args: object, **kwargs: object) -> object:
        trips.append(function)
        return await real(function, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(asyncio, "to_thread", counting)
    await app.send(app.core.command(ani, "/me"))
    menu = app.core.last_sent(1)
    assert menu is not None and menu["text"].startswith("Keanggotaan kamu")
    await app.send(app.core.press(ani, menu, app.core.buttons(menu)[-1][1]))
    assert trips == []
    app.core.make_group(-200, "Grup kreator", creator=ani)
    private_before = len(app.core.sent_to(1))
    await app.send(app.core.command(ani, "/me", chat_id=-200))
    assert app.core.sent_to(-200) == [] and len(app.core.sent_to(1)) == private_before
