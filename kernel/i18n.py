"""The translation layer: every text a person reads comes from kernel/locales/*.toml
(`id.toml` and per-feature `id.<feature>.toml`, likewise for `en`).

Templates use str.format fields; `{amount:rp}` renders an int as rupiah
(`Rp 1.250.000`); `{count:plural:report|reports}` renders the count with the English
form that agrees with it ("1 report", "2 reports"; Indonesian needs none). A parameter
given as `{"key": ..., "params": {...}}` is itself translated first (a plan's name:
tier name + duration); a list of them becomes one line each. String values are
HTML-escaped, once (messages use HTML parse mode and names are typed by
people), and stripped of bidirectional override characters (a name typed with
U+202E would otherwise disguise the text around it); templates themselves may
hold markup.

Escape exactly once: `Translator.t` returns `_Translated`, a str that is
already rendered, so a translated piece given as a parameter of another text
(`where=where_to_pay(...)`) is inserted as it is. Lines joined into one
parameter keep that mark through `join`, which escapes only the pieces that
are not translated. Surfaces Telegram shows without parsing HTML (buttons,
popups, command descriptions) are unescaped in one place: bot/surfaces.py.
"""

from __future__ import annotations

import functools
import html
import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from domain.money import format_rupiah

LOCALES_DIR = Path(__file__).parent / "locales"


# Embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): typed into a name
# or a note they reorder what an admin reads around them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class MissingTranslation(KeyError):
    pass


class _Translated(str):
    """Already rendered (and escaped) text: not escaped a second time."""


def strip_bidi(text: str) -> str:
    return _BIDI_CONTROLS.sub("", text)


def escape(value: str) -> str:
    """Text typed by a person, ready for an HTML message: escaped (once) and without
    bidirectional controls. Translated text is returned as it is."""
    if isinstance(value, _Translated):
        return value
    return html.escape(strip_bidi(value), quote=False)


def join(pieces: Iterable[str], separator: str = "\n") -> str:
    """Lines composed into one text that is itself a parameter of another text: translated
    pieces stay as they are, anything else is escaped once; the result is not escaped again."""
    return _Translated(escape(separator).join(escape(piece) for piece in pieces))


def _plural(value: Any, forms: str) -> str:
    """`{count:plural:report|reports}`: the count, then the form that agrees with it
    ("1 report", "3 reports"; the forms may carry a verb: `row has|rows have`)."""
    one, _, other = forms.partition("|")
    try:
        single = int(value) == 1
    except (TypeError, ValueError):
        single = False
    shown = escape(value) if isinstance(value, str) else str(value)
    return f"{shown} {one if single else other or one}"


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "rp":
            return format_rupiah(int(value))
        if format_spec.startswith("plural:"):
            return _plural(value, format_spec.removeprefix("plural:"))
        if isinstance(value, str):
            value = escape(value)
        return str(super().format_field(value, format_spec))


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def load_catalogs(folder: Path = LOCALES_DIR) -> dict[str, dict[str, str]]:
    """`id.toml` plus any `id.<feature>.toml` make the `id` catalog; a key defined
    twice is an error rather than a silent override."""
    catalogs: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        language = path.name.split(".", 1)[0]
        flat = _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
        catalog = catalogs.setdefault(language, {})
        twice = sorted(set(catalog) & set(flat))
        if twice:
            raise ValueError(f"{path.name} redefines {twice}")
        catalog.update(flat)
    return catalogs


@functools.cache
def _shipped_catalogs() -> dict[str, dict[str, str]]:
    return load_catalogs(LOCALES_DIR)


class Translator:
    def __init__(self, catalogs: dict[str, dict[str, str]], default: str = "id") -> None:
        self.catalogs = catalogs
        self.default = default
        self._formatter = _Formatter()

    @classmethod
    def load(cls, default: str = "id") -> Translator:
        """The shipped catalogs, read and checked once per process (every container of a
        test session shares them; nothing writes to them)."""
        return cls(_shipped_catalogs(), default)

    def has(self, key: str) -> bool:
        return key in self.catalogs.get(self.default, {})

    @staticmethod
    def join(pieces: Iterable[str], separator: str = "\n") -> str:
        """`join` (below) for handlers, which hold the translator as `i18n`."""
        return join(pieces, separator)

    def t(self, key: str, language: str, /, **params: Any) -> str:
        template = self.catalogs.get(language, {}).get(key)
        if template is None:
            template = self.catalogs.get(self.default, {}).get(key)
        if template is None:
            raise MissingTranslation(key)
        resolved = {name: self._resolve(value, language) for name, value in params.items()}
        return _Translated(self._formatter.vformat(template, (), resolved))

    def _resolve(self, value: Any, language: str) -> Any:
        if isinstance(value, Mapping) and "key" in value:
            inner = {k: self._resolve(v, language) for k, v in value.get("params", {}).items()}
            return self.t(str(value["key"]), language, **inner)
        if (
            isinstance(value, list)
            and value
            and all(isinstance(item, Mapping) and "key" in item for item in value)
        ):  # lines, each its own translation (a list queued in the outbox)
            return join(self._resolve(item, language) for item in value)
        return value
