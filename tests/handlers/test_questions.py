"""Members ask the admins in private chat; admins answer in the admin group (plain replies
or one forum topic per member); conversations are tickets with status buttons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kernel.actor import Actor
from kernel.admin_input import MemberRef
from storage.models import Conversation, ConversationMessage
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    ADMIN_ID,
    STRANGER_ID,
    admin_group,
    current,
    deliver,
    outbox_to,
    press,
    send,
    start,
    tap,
)
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg

ANI = 101
BUDI = 102


def texts_to(app: BotUnderTest, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in app.core.sent_to(chat_id)]


def last_in_group(app: BotUnderTest) -> JSON:
    message = app.core.last_sent(ADMIN_CHAT)
    assert message is not None
    return message


async def ask(app: BotUnderTest, user: JSON, text: str, **kwargs: Any) -> JSON:
    update = app.core.private_text(user, text, **kwargs)
    await send(app, update)
    await deliver(app)
    message: JSON = update["message"]
    return message


async def reply_in_group(app: BotUnderTest, admin: JSON, to: JSON, text: str) -> JSON:
    update = app.core.group_text(ADMIN_CHAT, admin, text, reply_to=to)
    await send(app, update)
    await deliver(app)
    message: JSON = update["message"]
    return message


async def conversation(app: BotUnderTest) -> Conversation:
    async with app.container.uow() as work:
        return (await work.session.execute(select(Conversation))).scalars().one()


async def plain_setup(app: BotUnderTest) -> tuple[dict[str, JSON], JSON]:
    people = admin_group(app)
    ani = await start(app, ANI, "Ani")
    return people, ani


# ---------------------------------------------------------------------- plain admin group


async def test_a_question_reaches_the_admins_with_the_members_card(app: BotUnderTest) -> None:
    _, ani = await plain_setup(app)
    await ask(app, ani, "halo kak, mau tanya soal akun tiktok")

    card = last_in_group(app)
    assert card["text"].startswith("❓ Pertanyaan baru · #1")
    assert "Ani · tanpa @username · 101" in card["text"]
    assert "belum punya paket" in card["text"]
    assert card["text"].endswith("halo kak, mau tanya soal akun tiktok")
    # A tap-to-open link to the member, since she has no @username.
    assert any(e.get("url") == "tg://user?id=101" for e in card.get("entities", []))
    assert [label for label, _ in app.core.buttons(card)] == [
        "🟢 Menunggu jawaban", "✅ Tandai dijawab", "🔒 Tutup", "🔇 Bisukan",
    ]  # fmt: skip
    assert texts_to(app, ANI)[-1].startswith("✅ Pesanmu sudah diteruskan ke admin.")

    # A second message while she waits follows with a one-line header, and no second
    # "passed on".
    told = len(app.core.sent_to(ANI))
    await ask(app, ani, "akunnya belum bisa login")
    assert last_in_group(app)["text"] == (
        "❓ Ani · tanpa @username · belum punya paket · #1\n\nakunnya belum bisa login"
    )
    assert len(app.core.sent_to(ANI)) == told


async def test_an_admins_reply_reaches_the_member_signed_as_the_team(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    question = await ask(app, ani, "kapan zoom berikutnya?")
    copy = last_in_group(app)

    answer = await reply_in_group(app, people["admin"], copy, "Kamis jam <b>19.00</b> ya kak")

    got = app.core.last_sent(ANI)
    assert got is not None
    assert got["text"] == "💬 Tim Admin:\nKamis jam <b>19.00</b> ya kak"
    assert got["reply_to_message"]["message_id"] == question["message_id"]
    assert app.core.reactions_on(ADMIN_CHAT, answer["message_id"]) == ["👌"]
    assert (await conversation(app)).status == "answered"


async def test_a_non_admins_reply_never_reaches_the_member(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    told, queued = len(app.core.sent_to(ANI)), len(await outbox_to(app, ANI))

    await reply_in_group(app, people["stranger"], last_in_group(app), "aku bukan admin")

    assert len(app.core.sent_to(ANI)) == told
    assert len(await outbox_to(app, ANI)) == queued  # nothing queued for her
    assert (await conversation(app)).status == "open"


async def test_an_admin_command_in_reply_is_not_an_answer(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    told = len(app.core.sent_to(ANI))
    await reply_in_group(app, people["admin"], last_in_group(app), "/questions")
    assert len(app.core.sent_to(ANI)) == told
    assert "Pertanyaan menunggu jawaban: 1" in last_in_group(app)["text"]


async def test_media_go_both_ways_with_card_and_signature(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await send(app, app.core.private_media(ani, "voice"))
    await deliver(app)
    voice = last_in_group(app)
    assert "voice" in voice and voice["caption"].startswith("❓ Pertanyaan baru · #1")

    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1), caption="ini errornya"))
    await deliver(app)
    photo = last_in_group(app)
    assert "photo" in photo
    assert photo["caption"] == "❓ Ani · tanpa @username · belum punya paket · #1\n\nini errornya"

    # A sticker cannot carry a caption: the header comes first, the sticker under it.
    await send(app, app.core.private_sticker(ani))
    await deliver(app)
    sticker = last_in_group(app)
    header = app.core.sent_to(ADMIN_CHAT)[-2]
    assert (
        "sticker" in sticker and sticker["reply_to_message"]["message_id"] == header["message_id"]
    )
    assert header["text"].startswith("❓ Ani")

    # The admin answers the sticker's header with a photo: copied, signed in its caption.
    update = app.core.group_photo(ADMIN_CHAT, people["admin"], receipt_jpeg(2, 3),
                                  caption="coba langkah ini", reply_to=header)  # fmt: skip
    await send(app, update)
    await deliver(app)
    got = app.core.last_sent(ANI)
    assert got is not None and "photo" in got
    assert got["caption"] == "💬 Tim Admin:\ncoba langkah ini"


async def test_replies_thread_on_both_sides(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "pertanyaan satu")
    await reply_in_group(app, people["admin"], last_in_group(app), "jawaban satu")
    answer_copy = app.core.last_sent(ANI)
    assert answer_copy is not None and answer_copy["text"].endswith("jawaban satu")

    # Ani replies to the answer she got: in the group, her message replies to the admin's.
    await ask(app, ani, "masih belum bisa", reply_to=answer_copy)
    followed = last_in_group(app)
    async with app.container.uow() as work:
        pairs = (await work.session.execute(select(ConversationMessage))).scalars().all()
    answer_pair = next(p for p in pairs if p.direction == "answer")
    assert followed["reply_to_message"]["message_id"] == answer_pair.admin_message_id


async def test_edits_are_carried_over_both_ways(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    question = await ask(app, ani, "harga vip berapa?")
    copy = last_in_group(app)
    await send(app, app.core.edited(question, "harga vip bulanan berapa?"))
    await deliver(app)
    edited_copy = current(app, copy)
    assert edited_copy["text"].endswith("harga vip bulanan berapa?")
    assert edited_copy["text"].startswith("❓ Pertanyaan baru · #1\n👤 Ani")  # the card stays
    assert app.core.buttons(edited_copy)[0][0] == "🟢 Menunggu jawaban"  # buttons kept

    answer = await reply_in_group(app, people["admin"], copy, "Rp 299.000")
    member_copy = app.core.last_sent(ANI)
    assert member_copy is not None
    await send(app, app.core.edited(answer, "Rp 299.000 per bulan"))
    await deliver(app)
    assert current(app, member_copy)["text"] == "💬 Tim Admin:\nRp 299.000 per bulan"


async def test_status_buttons_close_and_a_new_message_reopens(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    card = last_in_group(app)

    answer = await tap(app, people["admin"], card, "Tandai dijawab")
    assert answer["text"] == "Status sekarang: ✅ Sudah dijawab"
    assert [label for label, _ in app.core.buttons(current(app, card))][:3] == [
        "✅ Sudah dijawab", "🔒 Tutup", "↩️ Buka lagi",
    ]  # fmt: skip
    # The same (now stale) tap again changes nothing and says so.
    again = await press(app, people["other"], card, app.core.buttons(card)[1][1] or "",
                        strict=False)  # fmt: skip
    assert again["text"] == "Statusnya memang sudah: ✅ Sudah dijawab"

    await tap(app, people["admin"], current(app, card), "Tutup")
    assert (await conversation(app)).status == "closed"

    told = len(app.core.sent_to(ANI))
    await ask(app, ani, "satu lagi kak")
    assert last_in_group(app)["text"].startswith("🔁 Pertanyaan lagi · #1")
    assert (await conversation(app)).status == "open"
    assert len(app.core.sent_to(ANI)) == told + 1  # told again that it reached the admins


async def test_a_non_admin_cannot_press_the_status_buttons(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    answer = await tap(app, people["stranger"], last_in_group(app), "Tutup")
    assert answer["show_alert"] and "hanya untuk admin" in answer["text"]
    assert (await conversation(app)).status == "open"


async def test_a_forged_conversation_button_is_refused_kindly(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    card = last_in_group(app)
    for data in ("qa:closed:999999:0", "qa:closed:-1:0", "qa:explode:1:0", "qa:mute_for:1:99999"):
        answer = await press(app, people["admin"], card, data, strict=False)
        assert answer["show_alert"] and "Tombol ini sudah tidak berlaku" in answer["text"]
    assert (await conversation(app)).status == "open"


async def test_a_muted_member_is_told_and_not_relayed_until_it_ends(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    card = last_in_group(app)
    await tap(app, people["admin"], card, "Bisukan")
    answer = await tap(app, people["admin"], current(app, card), "1 hari")
    assert answer["text"].startswith("Ani dibisukan sampai")
    assert "🔊 Batalkan bisu" in [label for label, _ in app.core.buttons(current(app, card))]

    in_group = len(app.core.sent_to(ADMIN_CHAT))
    await ask(app, ani, "halo??")
    assert len(app.core.sent_to(ADMIN_CHAT)) == in_group
    assert texts_to(app, ANI)[-1].startswith("Maaf, untuk sementara pesanmu tidak diteruskan")

    app.container.clock.advance(hours=25)  # type: ignore[attr-defined]
    await ask(app, ani, "halo lagi")
    assert last_in_group(app)["text"].endswith("halo lagi")


async def test_an_unanswered_question_is_raised_once_per_wait(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    questions = app.container.questions
    app.container.clock.advance(minutes=59)  # type: ignore[attr-defined]
    assert await questions.raise_overdue() == 0
    app.container.clock.advance(minutes=2)  # type: ignore[attr-defined]
    assert await questions.raise_overdue() == 1
    assert await questions.raise_overdue() == 0
    await deliver(app)
    alert = last_in_group(app)["text"]
    assert alert.startswith("⏰ 1 pertanyaan belum dijawab lebih dari 60 menit")
    assert "#1 Ani — menunggu 61 menit" in alert

    # Answered, then asked again: a new wait, raised again when it is overdue.
    await reply_in_group(app, people["admin"], app.core.sent_to(ADMIN_CHAT)[0], "ok")
    await ask(app, ani, "satu lagi")
    app.container.clock.advance(minutes=61)  # type: ignore[attr-defined]
    assert await questions.raise_overdue() == 1


async def test_the_same_message_delivered_twice_is_relayed_once(app: BotUnderTest) -> None:
    _, ani = await plain_setup(app)
    update = app.core.private_text(ani, "halo")
    await send(app, update)
    await send(app, update)
    await deliver(app)
    assert sum("halo" in t for t in texts_to(app, ADMIN_CHAT)) == 1


async def test_an_answer_to_a_member_who_blocked_the_bot_is_reported(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    app.core.block_user(ANI, notify=False)
    await reply_in_group(app, people["admin"], last_in_group(app), "jawaban")
    await deliver(app)
    assert last_in_group(app)["text"] == (
        "⚠️ Jawaban untuk Ani (#1) tidak terkirim: member ini memblokir bot."
    )


async def test_questions_lists_vip_first_and_signature_uses_the_admins_name(
    app: BotUnderTest,
) -> None:
    people = admin_group(app)
    ani = await start(app, ANI, "Ani")
    budi = await start(app, BUDI, "Budi")
    await ask(app, ani, "pertanyaan basic")
    app.container.clock.advance(minutes=5)  # type: ignore[attr-defined]
    await ask(app, budi, "pertanyaan vip")
    await app.container.memberships.grant(  # Budi becomes VIP
        MemberRef(telegram_id=BUDI), "vip_lifetime", "test", Actor(ADMIN_ID, "Dewi")
    )
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "/questions"))
    listing = last_in_group(app)["text"].splitlines()
    assert listing[0].startswith("❓ Pertanyaan menunggu jawaban: 2")
    assert "Budi" in listing[1] and "VIP" in listing[1]
    assert "Ani" in listing[2]

    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "/signature"))
    menu = last_in_group(app)
    assert menu["text"].startswith("Jawabanmu dikirim atas nama Tim Admin")
    await tap(app, people["admin"], menu, "Dengan nama saya")
    first_question = next(m for m in app.core.sent_to(ADMIN_CHAT) if "pertanyaan basic" in
                          (m.get("text") or ""))  # fmt: skip
    await reply_in_group(app, people["admin"], first_question, "siap kak")
    got = app.core.last_sent(ANI)
    assert got is not None and got["text"] == "💬 Dewi (Tim Admin):\nsiap kak"


# ---------------------------------------------------------------------- guided flows keep input


async def test_a_report_step_is_not_taken_for_a_question(app: BotUnderTest) -> None:
    admin_group(app)
    ani = await start(app, ANI, "Ani")
    await app.container.memberships.grant(
        MemberRef(telegram_id=ANI), "vip_lifetime", "test", Actor(ADMIN_ID, "Dewi")
    )
    await send(app, app.core.command(ani, "/report"))
    in_group = len(app.core.sent_to(ADMIN_CHAT))
    await ask(app, ani, "2")  # an answer to a report step, or the step's reminder
    assert len(app.core.sent_to(ADMIN_CHAT)) == in_group
    assert await outbox_to(app, ADMIN_CHAT) == []


async def test_a_picture_with_no_payment_open_goes_to_the_admins(app: BotUnderTest) -> None:
    _, ani = await plain_setup(app)
    await send(app, app.core.private_photo(ani, receipt_jpeg(0, 1)))
    await deliver(app)
    assert "photo" in last_in_group(app)
    told = app.core.last_sent(ANI)
    assert told is not None and told["text"].startswith("✅ Fotomu sudah diteruskan ke admin.")
    assert "🛒 Beli / Upgrade" in [label for label, _ in app.core.buttons(told)]


async def test_the_menu_button_says_how_to_ask(app: BotUnderTest) -> None:
    _, ani = await plain_setup(app)
    menu = app.core.last_sent(ANI)
    assert menu is not None
    await tap(app, ani, menu, "Tanya admin")
    assert texts_to(app, ANI)[-1].startswith("💬 Tanya admin\n\nTulis pertanyaanmu")


# ---------------------------------------------------------------------- a forum admin group


async def forum_setup(app: BotUnderTest) -> tuple[dict[str, JSON], JSON]:
    owner = app.core.user(7001, "Owner")
    admin = app.core.user(ADMIN_ID, "Dewi", username="dewi_admin")
    stranger = app.core.user(STRANGER_ID, "Penyusup")
    app.core.make_group(ADMIN_CHAT, "Admin", creator=owner, is_forum=True)
    app.core.set_member_status(ADMIN_CHAT, ADMIN_ID, "administrator")
    app.core.set_member_status(ADMIN_CHAT, STRANGER_ID, "member")
    ani = await start(app, ANI, "Ani", language="en")
    return {"admin": admin, "stranger": stranger}, ani


async def test_in_a_forum_each_member_gets_a_topic_and_any_admin_message_answers(
    app: BotUnderTest,
) -> None:
    people, ani = await forum_setup(app)
    await ask(app, ani, "hello, a question")
    (topic,) = app.core.topics(ADMIN_CHAT)
    assert topic["name"] == "Ani · belum punya paket · #1"
    inside = app.core.sent_in_topic(ADMIN_CHAT, topic["message_thread_id"])
    assert inside[0]["text"].startswith("❓ Pertanyaan baru · #1")
    assert inside[-1]["text"] == "hello, a question"  # copied as it is
    assert (await conversation(app)).topic_id == topic["message_thread_id"]

    # Any admin message in the topic answers (no reply needed); Ani reads English.
    update = app.core.group_text(ADMIN_CHAT, people["admin"], "sure!",
                                 thread_id=topic["message_thread_id"])  # fmt: skip
    await send(app, update)
    await deliver(app)
    assert texts_to(app, ANI)[-1] == "💬 Admin Team:\nsure!"

    # Not a non-admin's message, nor a command.
    told = len(app.core.sent_to(ANI))
    for who, text in ((people["stranger"], "me too"), (people["admin"], "/questions")):
        await send(app, app.core.group_text(ADMIN_CHAT, who, text,
                                            thread_id=topic["message_thread_id"]))  # fmt: skip
        await deliver(app)
    assert len(app.core.sent_to(ANI)) == told


async def test_a_deleted_topic_is_made_again_on_the_next_message(app: BotUnderTest) -> None:
    _, ani = await forum_setup(app)
    await ask(app, ani, "first")
    (old,) = app.core.topics(ADMIN_CHAT)
    app.core.user_deletes_topic(ADMIN_CHAT, old["message_thread_id"])

    await ask(app, ani, "second")
    topics = app.core.topics(ADMIN_CHAT)
    assert [t["state"] for t in topics] == ["deleted", "open"]
    new = topics[1]["message_thread_id"]
    inside = app.core.sent_in_topic(ADMIN_CHAT, new)
    assert inside[0]["text"].startswith("❓ Pertanyaan baru · #1")  # the card, in the new topic
    assert inside[-1]["text"] == "second"
    assert (await conversation(app)).topic_id == new


async def test_without_the_right_to_manage_topics_the_forum_gets_plain_messages(
    app: BotUnderTest,
) -> None:
    _, ani = await forum_setup(app)
    app.core.set_member_status(ADMIN_CHAT, app.core.bot_id, "administrator",
                               can_manage_topics=False)  # fmt: skip
    await ask(app, ani, "hello")
    assert app.core.topics(ADMIN_CHAT) == []
    assert last_in_group(app)["text"].endswith("hello")


async def test_an_album_of_ten_pictures_reaches_the_admins_whole(app: BotUnderTest) -> None:
    _, ani = await plain_setup(app)
    album = app.core.private_album(ani, ["photo"] * 10, caption="ini semua errornya")
    for update in album:  # ten messages at once, faster than the throttle lets a person type
        await app.send(update)
    await deliver(app)
    copies = [m for m in app.core.sent_to(ADMIN_CHAT) if "photo" in m]
    assert len(copies) == 10
    assert copies[0]["caption"].endswith("ini semua errornya")
    # One "your picture went to the admins", not ten.
    told = [t for t in texts_to(app, ANI) if t.startswith("✅ Fotomu sudah diteruskan")]
    assert len(told) == 1


async def test_a_flood_wait_in_the_admin_group_delays_a_question_but_loses_nothing(
    app: BotUnderTest,
) -> None:
    _, ani = await plain_setup(app)
    app.core.fail_next("sendMessage", 429, retry_after=30)
    await ask(app, ani, "halo, ada yang bisa bantu?")
    # Telegram said "wait 30 s" once; the question went after the wait, exactly once.
    assert [c.method for c in app.core.calls if c.fault == "429"] == ["sendMessage"]
    assert sum("ada yang bisa bantu" in t for t in texts_to(app, ADMIN_CHAT)) == 1


async def test_an_old_status_button_after_a_new_question_changes_nothing(
    app: BotUnderTest,
) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "pertanyaan pertama")
    first = last_in_group(app)
    await tap(app, people["admin"], first, "Tandai dijawab")
    await ask(app, ani, "pertanyaan kedua")  # reopens: a fresh card with fresh buttons
    assert (await conversation(app)).status == "open"

    # "🔒 Tutup" under the first card was drawn when it was answered: it must not close
    # the new question nobody has read.
    answer = await tap(app, people["admin"], current(app, first), "Tutup")
    assert answer["text"].startswith("Ada pesan baru dari member sejak tombol ini muncul")
    assert (await conversation(app)).status == "open"
    assert app.core.buttons(current(app, first))[0][0] == "🟢 Menunggu jawaban"


async def test_the_question_replied_to_shows_it_was_answered(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    card = last_in_group(app)
    await reply_in_group(app, people["admin"], card, "halo juga")
    assert app.core.buttons(current(app, card))[0][0] == "✅ Sudah dijawab"


async def test_a_reply_to_a_colleagues_answer_also_reaches_the_member(app: BotUnderTest) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "bisa bantu?")
    first = await reply_in_group(app, people["admin"], last_in_group(app), "sebentar ya")
    await reply_in_group(app, people["other"], first, "sudah kami cek, aman")
    assert texts_to(app, ANI)[-1] == "💬 Tim Admin:\nsudah kami cek, aman"


async def test_an_anonymous_admin_answers_as_the_team(app: BotUnderTest) -> None:
    _, ani = await plain_setup(app)
    await ask(app, ani, "halo")
    update = app.core.group_text(ADMIN_CHAT, app.core.user(1087968824, "Group"), "halo kak",
                                 reply_to=last_in_group(app))  # fmt: skip
    message = update["message"]
    message["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                       "username": "GroupAnonymousBot"}  # fmt: skip
    message["sender_chat"] = message["chat"]
    await send(app, update)
    await deliver(app)
    assert texts_to(app, ANI)[-1] == "💬 Tim Admin:\nhalo kak"


async def test_text_while_a_payment_waits_for_its_proof_is_not_a_question(
    app: BotUnderTest,
) -> None:
    from tests.handlers.shopkit import add_method, buy_until_payment_screen

    _, ani = await plain_setup(app)
    await add_method(app)
    await buy_until_payment_screen(app, ani, "Basic")
    in_group = len(app.core.sent_to(ADMIN_CHAT))
    await ask(app, ani, "sudah transfer kak")
    assert len(app.core.sent_to(ADMIN_CHAT)) == in_group
    assert texts_to(app, ANI)[-1].startswith("Saya sedang menunggu foto bukti transfer")
    # A photo then is the proof, not a question.
    await send(app, app.core.private_photo(ani, receipt_jpeg(1, 8)))
    await deliver(app)
    assert not [row for row in await outbox_to(app, ADMIN_CHAT) if row.kind == "qa_question"]


async def test_in_a_forum_media_threading_edits_and_notes_work(app: BotUnderTest) -> None:
    people, ani = await forum_setup(app)
    question = await ask(app, ani, "first question")
    (topic,) = app.core.topics(ADMIN_CHAT)
    thread = topic["message_thread_id"]
    copy = app.core.sent_in_topic(ADMIN_CHAT, thread)[-1]

    await send(app, app.core.private_media(ani, "video", caption="my screen"))
    await deliver(app)
    video = app.core.sent_in_topic(ADMIN_CHAT, thread)[-1]
    assert "video" in video and video["caption"] == "my screen"

    await send(app, app.core.edited(question, "first question, edited"))
    await deliver(app)
    assert current(app, copy)["text"] == "first question, edited"

    # An internal note stays in the topic; an answer replying to the video threads under
    # Ani's video in her chat.
    told = len(app.core.sent_to(ANI))
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "// cek dulu ke tim",
                                        thread_id=thread))  # fmt: skip
    await deliver(app)
    assert len(app.core.sent_to(ANI)) == told
    update = app.core.group_text(ADMIN_CHAT, people["admin"], "try again now",
                                 reply_to=video, thread_id=thread)  # fmt: skip
    await send(app, update)
    await deliver(app)
    got = app.core.last_sent(ANI)
    assert got is not None and got["text"] == "💬 Admin Team:\ntry again now"
    member_video = app.core.messages[ANI]
    assert got["reply_to_message"]["message_id"] in member_video
    assert "video" in member_video[got["reply_to_message"]["message_id"]]


async def test_a_topic_name_reads_as_typed(app: BotUnderTest) -> None:
    await forum_setup(app)
    tom = await start(app, BUDI, "Tom & <Jerry>")
    await ask(app, tom, "halo")
    names = [t["name"] for t in app.core.topics(ADMIN_CHAT)]
    assert names == ["Tom & <Jerry> · belum punya paket · #1"]


async def test_an_open_announcement_draft_never_takes_an_answer_to_a_member(
    app: BotUnderTest,
) -> None:
    people, ani = await plain_setup(app)
    await ask(app, ani, "kak, zoom jam berapa?")
    question = last_in_group(app)
    # Dewi starts an announcement and leaves it; then she answers Ani by replying.
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "/announce"))
    await reply_in_group(app, people["admin"], question, "jam 19.00 kak")
    assert texts_to(app, ANI)[-1] == "💬 Tim Admin:\njam 19.00 kak"


async def test_an_announcement_draft_left_for_half_an_hour_is_dropped(app: BotUnderTest) -> None:
    people, _ = await plain_setup(app)
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "/announce"))
    app.container.clock.advance(minutes=31)  # type: ignore[attr-defined]
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, people["admin"], "rapat jam 3 ya"))
    assert len(app.core.sent_to(ADMIN_CHAT)) == before  # not taken as a post: no reply
