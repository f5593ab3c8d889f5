"""Screens render their markup once: bold and code where the template says so, names and
labels as people typed them (never `&amp;`), no bidi overrides in what admins read.

The check after every handler test (conftest `screens_show_no_markup`) is tested here too.
"""

from __future__ import annotations

import pytest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageReplyMarkup,
    SendMessage,
    SendPhoto,
    SetMyCommands,
)
from aiogram.types import (
    BotCommand,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.surfaces import plain_surfaces
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest, raw_markup_on_screens
from tests.handlers.shopkit import (
    ADMIN_ID,
    add_method,
    admin_group,
    buy_until_payment_screen,
    cards,
    deliver,
    find_button,
    open_shop,
    press,
    send,
    start,
    tap,
)
from tests.kit.faketelegram import JSON, FakeTelegram
from tests.kit.images import receipt_jpeg

ANI, BOB = 801, 802


def entity_texts(message: JSON, kind: str) -> list[str]:
    """The text under each entity of `kind` (offsets count UTF-16 code units)."""
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities") or []
    units = text.encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in entities
        if e["type"] == kind
    ]


# ---------------------------------------------------------------- payment instructions


async def test_payment_instructions_show_the_bank_bold_and_the_number_to_copy_in_indonesian(
    app: BotUnderTest,
) -> None:
    await add_method(app, "BCA", number="1234567890")
    ani = await start(app, ANI, "Ani")
    shown = await buy_until_payment_screen(app, ani, "Basic")
    assert "🏦 BCA\nNo. rekening: 1234567890\nAtas nama: PT Kreator Nusantara" in shown["text"]
    assert "<b>" not in shown["text"] and "<code>" not in shown["text"]
    assert "BCA" in entity_texts(shown, "bold")
    assert entity_texts(shown, "code") == ["1234567890"]


async def test_payment_instructions_show_the_bank_bold_and_the_number_to_copy_in_english(
    app: BotUnderTest,
) -> None:
    await add_method(app, "BCA", number="1234567890")
    bob = await start(app, BOB, "Bob", "en")
    shown = await buy_until_payment_screen(app, bob, "Basic", "Continue to pay")
    assert "🏦 BCA\nAccount no.: 1234567890\nName: PT Kreator Nusantara" in shown["text"]
    assert "<b>" not in shown["text"] and "<code>" not in shown["text"]
    assert "BCA" in entity_texts(shown, "bold")
    assert entity_texts(shown, "code") == ["1234567890"]


async def test_an_account_holder_typed_with_markup_is_shown_as_typed(app: BotUnderTest) -> None:
    await add_method(app, "BCA", name="PT A&B <Jaya>")
    ani = await start(app, ANI, "Ani")
    shown = await buy_until_payment_screen(app, ani, "Basic")
    assert "Atas nama: PT A&B <Jaya>" in shown["text"]


# ---------------------------------------------------------------- catalog, buttons, popups


async def test_the_english_catalog_shows_q_and_a(app: BotUnderTest) -> None:
    bob = await start(app, BOB, "Bob", "en")
    catalog = await open_shop(app, bob)
    assert "Q&A with admins" in catalog["text"]
    assert "&amp;" not in catalog["text"]


async def test_a_method_labelled_with_an_ampersand_shows_it_on_its_button(
    app: BotUnderTest,
) -> None:
    await add_method(app, "A&B")
    await add_method(app, "DANA", number="0812000111")  # a choice: the method buttons show
    ani = await start(app, ANI, "Ani")
    catalog = await open_shop(app, ani)
    await tap(app, ani, catalog, "Basic")
    quote = app.core.last_sent(ANI)
    assert quote is not None
    await tap(app, ani, quote, "Lanjut bayar")
    methods = app.core.last_sent(ANI)
    assert methods is not None
    assert "A&B" in [text for text, _ in app.core.buttons(methods)]
    await tap(app, ani, methods, "A&B")
    shown = app.core.last_sent(ANI)
    assert shown is not None and "A&B" in entity_texts(shown, "bold")


async def test_a_popup_naming_an_admin_with_an_ampersand_shows_it(app: BotUnderTest) -> None:
    app.core.user(ADMIN_ID, "Dewi & Co", username="dewi_admin")
    people = admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani")
    await buy_until_payment_screen(app, ani, "Basic")
    await send(app, app.core.private_photo(ani, receipt_jpeg(1, 1)))
    await deliver(app)
    card = cards(app)[-1]
    await tap(app, people["admin"], card, "Setujui")
    late = await press(app, people["other"], card, find_button(app, card, "Setujui"), strict=False)
    assert late["show_alert"] is True
    assert "Dewi & Co" in late["text"] and "&amp;" not in late["text"]


async def test_a_name_with_a_right_to_left_override_reaches_the_admin_card_without_it(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await add_method(app)
    ani = await start(app, ANI, "Ani\u202egnp.exe\u202c")
    await buy_until_payment_screen(app, ani, "Basic")
    await send(app, app.core.private_photo(ani, receipt_jpeg(1, 1)))
    await deliver(app)
    caption = cards(app)[-1]["caption"]
    assert "Anignp.exe" in caption
    assert not any(c in caption for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert all(
        "\u202e" not in (m.get("text") or m.get("caption") or "")
        for m in app.core.sent_to(ADMIN_CHAT)
    )


# ---------------------------------------------------------------- plain_surfaces


def keyboard() -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(text="A&amp;B &lt;1&gt;", callback_data="x")
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def test_buttons_are_unescaped_and_the_text_is_left_to_telegram() -> None:
    shared = keyboard()
    method = SendMessage(chat_id=1, text="<b>A&amp;B</b>", reply_markup=shared)
    plain = plain_surfaces(method)
    assert plain.reply_markup.inline_keyboard[0][0].text == "A&B <1>"  # type: ignore[union-attr]
    assert plain.text == "<b>A&amp;B</b>"
    assert plain.reply_markup.inline_keyboard[0][0].callback_data == "x"  # type: ignore[union-attr]
    assert shared.inline_keyboard[0][0].text == "A&amp;B &lt;1&gt;"  # a shared markup stays
    assert method.reply_markup is shared


def test_every_method_with_a_keyboard_gets_plain_buttons() -> None:
    for method in (
        SendPhoto(chat_id=1, photo="file", caption="c", reply_markup=keyboard()),
        EditMessageCaption(chat_id=1, message_id=2, caption="c", reply_markup=keyboard()),
        EditMessageReplyMarkup(chat_id=1, message_id=2, reply_markup=keyboard()),
    ):
        plain = plain_surfaces(method)
        assert plain.reply_markup.inline_keyboard[0][0].text == "A&B <1>"  # type: ignore[union-attr]
        assert type(plain) is type(method)
    assert plain_surfaces(EditMessageReplyMarkup(chat_id=1, message_id=2)).reply_markup is None


def test_reply_keyboards_popups_and_commands_are_plain() -> None:
    reply = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Q&amp;A")]], input_field_placeholder="a &lt; b"
    )
    plain = plain_surfaces(SendMessage(chat_id=1, text="t", reply_markup=reply))
    assert plain.reply_markup.keyboard[0][0].text == "Q&A"  # type: ignore[union-attr]
    assert plain.reply_markup.input_field_placeholder == "a < b"  # type: ignore[union-attr]
    forced = ForceReply(input_field_placeholder="A&amp;B")
    plain = plain_surfaces(SendMessage(chat_id=1, text="t", reply_markup=forced))
    assert plain.reply_markup.input_field_placeholder == "A&B"  # type: ignore[union-attr]
    answer = plain_surfaces(AnswerCallbackQuery(callback_query_id="1", text="Dewi &amp; Co"))
    assert answer.text == "Dewi & Co"
    assert plain_surfaces(AnswerCallbackQuery(callback_query_id="1")).text is None
    commands = SetMyCommands(commands=[BotCommand(command="faq", description="Q&amp;A")])
    assert plain_surfaces(commands).commands[0].description == "Q&A"
    assert commands.commands[0].description == "Q&amp;A"


# ---------------------------------------------------------------- the check after every test


@pytest.mark.raw_text_ok  # the fake Telegram made here shows markup on purpose
def test_the_screen_check_finds_markup_shown_as_text() -> None:
    core = FakeTelegram()
    core.user(5, "Ani", started=True)
    core.handle(
        "sendMessage", {"chat_id": 5, "text": "🏦 &lt;b&gt;BCA&lt;/b&gt;", "parse_mode": "HTML"}
    )
    core.handle("sendMessage", {"chat_id": 5, "text": "Q&amp;amp;A", "parse_mode": "HTML"})
    markup = {"inline_keyboard": [[{"text": "A&amp;B", "callback_data": "x"}]]}
    core.handle("sendMessage", {"chat_id": 5, "text": "ok", "reply_markup": markup})
    found = raw_markup_on_screens(core)
    assert len(found) == 3, found
    assert any("'<b>'" in f for f in found) and any("'&amp;'" in f for f in found)


def test_the_screen_check_accepts_what_a_person_typed() -> None:
    core = FakeTelegram()
    core.user(5, "<b>Eve</b> &amp; co", started=True)
    core.private_text(5, "my note: &lt;x&gt;")
    core.handle(
        "sendMessage",
        {"chat_id": 5, "text": "Hi &lt;b&gt;Eve&lt;/b&gt; &amp;amp; co", "parse_mode": "HTML"},
    )
    core.handle(
        "sendMessage", {"chat_id": 5, "text": "note: &amp;lt;x&amp;gt;", "parse_mode": "HTML"}
    )
    assert raw_markup_on_screens(core) == []


async def test_the_owner_s_method_list_shows_account_numbers_to_copy(app: BotUnderTest) -> None:
    people = admin_group(app)
    await add_method(app, "BCA", number="1234567890")
    await send(app, app.core.group_text(ADMIN_CHAT, people["owner"], "/methods"))
    listing = app.core.last_sent(ADMIN_CHAT)
    assert listing is not None and "1234567890" in listing["text"]
    assert "1234567890" in entity_texts(listing, "code")
