"""What a setup flow is made of: its questions in order, the buttons that answer one,
how a typed answer is read, the summary shown before confirming, and the act itself.
The engine (engine.py) draws every screen from the answers given so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from aiogram.types import Message

from handlers.admin.setup.callbacks import SetupFlow
from kernel.actor import Actor
from kernel.clock import Clock
from kernel.i18n import Translator
from services.catalog import CatalogService
from services.ledger import LedgerService

Answers = dict[str, Any]  # question → answer (JSON values: kept with the screen)


@dataclass(frozen=True, slots=True)
class Option:
    label: str  # shown on the button
    choice: int  # in the button's payload
    value: Any  # the answer kept


@dataclass(frozen=True, slots=True)
class Ctx:
    i18n: Translator
    lang: str
    catalog: CatalogService
    ledger: LedgerService
    clock: Clock
    zone: Any

    def t(self, key: str, **params: Any) -> str:
        return self.i18n.t(key, self.lang, **params)


class Refused(Exception):
    """A typed answer that cannot be used: the admin is told `text` and asked again."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True, slots=True)
class Done:
    text: str  # what was done, for the screen
    applied: bool = True  # False: it had been done already (nothing repeated)


class Spec(Protocol):
    flow: SetupFlow
    command: str  # the typed shortcut, e.g. "addmethod"

    def questions(self, answers: Answers) -> list[str]: ...

    async def options(self, question: str, answers: Answers, ctx: Ctx) -> list[Option]: ...

    def writable(self, question: str) -> bool:
        """Whether a question with buttons may also be answered by typing."""
        ...

    async def parse(
        self, question: str, message: Message, text: str, answers: Answers, ctx: Ctx
    ) -> Any:
        """The typed answer's value, or Refused (or a service Refusal) with why not."""
        ...

    def summary(self, answers: Answers, ctx: Ctx) -> list[str]: ...

    async def act(self, answers: Answers, ctx: Ctx, actor: Actor) -> Done: ...
