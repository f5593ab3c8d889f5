"""/addaccount: an account typed in step by step, one handler per step.

username → TikTok account id → shop id → shop name → login → password → Save / Cancel.
The three ids and names may be skipped (`-`), and so may the login. Every step takes
/cancel, checks the person again, and asks again (without moving on) when what was typed
does not fit. Messages carrying a login or password are deleted from the chat as soon as
they are read, and the login is kept only encrypted, even between two steps. A step takes
the admin's next message in the topic of the flow, or a reply to the flow's last message;
a reply to anything else (a member's question) is left to the areas after this one.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from handlers.admin.accounts.callbacks import AddAccountCallback, AddAction
from handlers.admin.accounts.views import SKIP_WORDS, button, forget, problem_text
from handlers.common.admin_command import AdminCall, actor, admin_command
from handlers.common.admins import AdminGate
from handlers.common.asked import elsewhere, remember
from handlers.common.filters import allowed
from kernel.i18n import Translator
from services.affiliates import (
    AccountField,
    AffiliateError,
    AffiliateService,
    CredentialsError,
    parse_field,
    parse_username,
)

log = logging.getLogger(__name__)


class AddAccount(StatesGroup):
    username = State()
    account_id = State()
    shop_id = State()
    shop_name = State()
    login = State()
    password = State()
    confirm = State()


@admin_command()
async def add_command(call: AdminCall, state: FSMContext) -> None:
    await remember(state, await call.message.reply(await begin(state, call.i18n, call.lang)))


async def begin(state: FSMContext, i18n: Translator, lang: str) -> str:
    """Start the flow afresh (/addaccount, or ➕ on the accounts screen): its first question."""
    await state.clear()
    await state.set_state(AddAccount.username)
    return i18n.t("affiliates.add_username", lang)


async def _say(
    message: Message,
    state: FSMContext,
    text: str,
    *,
    reply: bool = True,
) -> None:
    """Ask (again): a reply to this message is an answer to the flow."""
    say = message.reply if reply else message.answer
    await remember(state, await say(text))


def _is_cancel(text: str) -> bool:
    return text.split("@", 1)[0] == "/cancel" or text.startswith("/cancel ")


def _optional(text: str) -> str | None:
    return None if text.strip().lower() in SKIP_WORDS else text.strip()


async def _typed(
    message: Message,
    state: FSMContext,
    bot: Bot,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    *,
    secret: bool = False,
) -> str | None:
    """What the admin typed at a step; None when it was answered here already (/cancel,
    someone who may not act, no text, a command). A reply to another message than the
    flow's last question (an answer to a member) or a message in another topic is not
    for the flow: it goes on, neither deleted nor kept."""
    if elsewhere(message, await state.get_data()):
        raise SkipHandler
    text = (message.text or "").strip()
    if secret and text and not _is_cancel(text):
        await forget(message, bot, i18n, lang)  # before anything else can go wrong
    if _is_cancel(text):
        await state.clear()
        await message.reply(i18n.t("affiliates.add_cancelled", lang))
        return None
    if not await allowed(message, admins, i18n, lang):
        await state.clear()
        return None
    if not text:
        await _say(message, state, i18n.t("affiliates.add_text_only", lang))
        return None
    if text.startswith("/"):
        await _say(message, state, i18n.t("affiliates.add_command_inside", lang))
        return None
    return text


async def typed_username(
    message: Message,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    text = await _typed(message, state, bot, admins, i18n, lang)
    if text is None:
        return
    try:
        username = parse_username(text)
        free = await affiliates.username_free(username)
    except AffiliateError as error:
        await _say(message, state, problem_text(error, i18n, lang))
        return
    if not free:
        taken = i18n.t("affiliates.problem_username_taken", lang, username=username)
        await _say(message, state, taken)
        return
    await state.update_data(username=username)
    await state.set_state(AddAccount.account_id)
    await _say(message, state, i18n.t("affiliates.add_account_id", lang))


async def _field_typed(
    message: Message,
    state: FSMContext,
    bot: Bot,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
    field: AccountField,
    key: str,
) -> bool:
    """An optional field's step: keep what was typed once it passes the field's check
    (a skip word keeps nothing); else say why and stay at this step."""
    text = await _typed(message, state, bot, admins, i18n, lang)
    if text is None:
        return False
    value = _optional(text)
    try:
        parse_field(field, value)
    except AffiliateError as error:
        await _say(message, state, problem_text(error, i18n, lang))
        return False
    await state.update_data({key: value})
    return True


async def typed_account_id(
    message: Message,
    state: FSMContext,
    bot: Bot,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    field = AccountField.TIKTOK_ACCOUNT_ID
    if await _field_typed(message, state, bot, admins, i18n, lang, field, "account_id"):
        await state.set_state(AddAccount.shop_id)
        await _say(message, state, i18n.t("affiliates.add_shop_id", lang))


async def typed_shop_id(
    message: Message,
    state: FSMContext,
    bot: Bot,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    field = AccountField.SHOP_ID
    if await _field_typed(message, state, bot, admins, i18n, lang, field, "shop_id"):
        await state.set_state(AddAccount.shop_name)
        await _say(message, state, i18n.t("affiliates.add_shop_name", lang))


async def typed_shop_name(
    message: Message,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    field = AccountField.SHOP_NAME
    if await _field_typed(message, state, bot, admins, i18n, lang, field, "shop_name"):
        await state.set_state(AddAccount.login)
        key = (
            "affiliates.add_login"
            if affiliates.can_store_logins
            else "affiliates.add_login_no_keys"
        )
        await _say(message, state, i18n.t(key, lang))


async def typed_login(
    message: Message,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    """The message is deleted before anything else; answers go to the chat, not as replies."""
    text = await _typed(message, state, bot, admins, i18n, lang, secret=True)
    if text is None:
        return
    if text in SKIP_WORDS:
        await state.update_data(sealed_login=None, credentials=None)
        await _confirm(message, state, i18n, lang)
        return
    try:
        # Only ever kept encrypted, even between two steps.
        sealed = affiliates.seal_text(text)
    except AffiliateError as error:
        await _say(message, state, problem_text(error, i18n, lang), reply=False)
        return
    except CredentialsError:
        await _login_again(message, state, i18n, lang)
        return
    await state.update_data(sealed_login=sealed)
    await state.set_state(AddAccount.password)
    await _say(message, state, i18n.t("affiliates.add_password", lang), reply=False)


async def typed_password(
    message: Message,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    text = await _typed(message, state, bot, admins, i18n, lang, secret=True)
    if text is None:
        return
    data = await state.get_data()
    try:
        login = affiliates.open_text(str(data.get("sealed_login") or ""))
        credentials = affiliates.seal(login, text)
    except AffiliateError as error:
        await _say(message, state, problem_text(error, i18n, lang), reply=False)
        return
    except CredentialsError:
        await _login_again(message, state, i18n, lang)
        return
    await state.update_data(sealed_login=None, credentials=credentials)
    await _confirm(message, state, i18n, lang)


async def _login_again(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    """The keys changed mid-flow: start the login step again."""
    await state.set_state(AddAccount.login)
    await _say(message, state, i18n.t("affiliates.add_login", lang), reply=False)


async def typed_at_confirm(
    message: Message,
    state: FSMContext,
    bot: Bot,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if await _typed(message, state, bot, admins, i18n, lang) is not None:
        await _say(message, state, i18n.t("affiliates.add_press_button", lang))


async def _confirm(message: Message, state: FSMContext, i18n: Translator, lang: str) -> None:
    await state.set_state(AddAccount.confirm)
    data = await state.get_data()
    none = i18n.t("affiliates.none", lang)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(
                    i18n.t("affiliates.button_save", lang),
                    AddAccountCallback(action=AddAction.SAVE),
                ),
                button(
                    i18n.t("affiliates.button_cancel", lang),
                    AddAccountCallback(action=AddAction.CANCEL),
                ),
            ]
        ]
    )
    form = await message.answer(
        i18n.t(
            "affiliates.add_confirm",
            lang,
            username=data.get("username", "?"),
            account_id=data.get("account_id") or none,
            shop_id=data.get("shop_id") or none,
            shop_name=data.get("shop_name") or none,
            login={"key": "affiliates.add_login_stored"} if data.get("credentials") else none,
        ),
        reply_markup=markup,
    )
    await remember(state, form)


async def on_add_button(
    query: CallbackQuery,
    callback_data: AddAccountCallback,
    state: FSMContext,
    bot: Bot,
    affiliates: AffiliateService,
    admins: AdminGate,
    i18n: Translator,
    lang: str,
) -> None:
    if not await allowed(query, admins, i18n, lang):
        return
    message = query.message
    # The state is this admin's own: another admin's tap, or a second tap, finds none.
    if await state.get_state() != AddAccount.confirm.state or not isinstance(message, Message):
        await query.answer(i18n.t("affiliates.add_not_yours", lang), show_alert=True)
        return
    data = await state.get_data()
    await state.clear()
    if callback_data.action is AddAction.CANCEL:
        await query.answer(i18n.t("affiliates.add_cancelled", lang))
        await _close(bot, message, i18n.t("affiliates.add_cancelled", lang))
        return
    try:
        new = affiliates.new_account(
            str(data.get("username", "")),
            tiktok_account_id=data.get("account_id"),
            shop_id=data.get("shop_id"),
            shop_name=data.get("shop_name"),
            credentials=data.get("credentials"),
        )
        card = await affiliates.add(new, actor(query.from_user))
    except AffiliateError as error:
        await query.answer(problem_text(error, i18n, lang), show_alert=True)
        await _close(bot, message, problem_text(error, i18n, lang))
        return
    await query.answer(i18n.t("affiliates.done_toast", lang))
    await _close(
        bot, message, i18n.t("affiliates.add_saved", lang, id=card.id, username=card.username)
    )


async def _close(bot: Bot, message: Message, text: str) -> None:
    try:
        await bot.edit_message_text(
            text=text, chat_id=message.chat.id, message_id=message.message_id
        )
    except TelegramBadRequest as error:
        log.info("Add-account form not edited: %s", error.message)


# Each step's handler, in the order of the steps.
STEPS = (
    (AddAccount.username, typed_username),
    (AddAccount.account_id, typed_account_id),
    (AddAccount.shop_id, typed_shop_id),
    (AddAccount.shop_name, typed_shop_name),
    (AddAccount.login, typed_login),
    (AddAccount.password, typed_password),
    (AddAccount.confirm, typed_at_confirm),
)
