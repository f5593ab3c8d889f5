"""Which language a person reads."""

SUPPORTED = ("id", "en")


def resolve_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """A language chosen with /language wins; otherwise English for users whose
    Telegram is in English (en, en-US, ...); otherwise the default (Indonesian)."""
    if chosen in SUPPORTED:
        return chosen
    if telegram_code and telegram_code.lower().split("-")[0] == "en":
        return "en"
    return default
