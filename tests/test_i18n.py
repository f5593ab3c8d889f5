"""Every text exists in Indonesian and English, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kernel.i18n import MissingTranslation, Translator, join, load_catalogs

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = load_catalogs()
# Places where code names a translation key: .t("key", ...), text_key="key", Button("key").
KEY_USES = re.compile(
    r"""(?:\.t\(\s*|text_key\s*=\s*|Button\(\s*)f?["']([a-z_]+(?:\.[a-z_{}.]+)+)["']"""
)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_are_present() -> None:
    assert set(CATALOGS) == {"id", "en"}


@pytest.mark.parametrize(("have", "lack"), [("id", "en"), ("en", "id")])
def test_no_key_is_missing_in_either_language(have: str, lack: str) -> None:
    missing = sorted(set(CATALOGS[have]) - set(CATALOGS[lack]))
    assert missing == [], f"keys in {have}.toml but not in {lack}.toml: {missing}"


def test_both_languages_use_the_same_placeholders() -> None:
    differ = [
        key
        for key in CATALOGS["id"]
        if placeholders(CATALOGS["id"][key]) != placeholders(CATALOGS["en"].get(key, ""))
    ]
    assert differ == []


def test_every_key_the_code_uses_exists() -> None:
    used: set[str] = set()
    for folder in ("bot", "handlers", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(KEY_USES.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no key at all: the pattern is broken"
    expanded = set()
    for key in used:
        if "{" in key:  # f"language.name_{code}": every catalog key with that prefix
            prefix = key.split("{")[0]
            assert any(k.startswith(prefix) for k in CATALOGS["id"]), key
        else:
            expanded.add(key)
    assert sorted(expanded - set(CATALOGS["id"])) == []


def test_every_string_shaped_like_a_key_of_a_known_section_exists() -> None:
    # Catches keys handed around positionally (services queue notices by key).
    sections = {key.split(".")[0] for key in CATALOGS["id"]}
    alternatives = "|".join(sorted(sections))
    literal = re.compile(rf"""["']((?:{alternatives})\.[a-z_]+)["']""")
    used: set[str] = set()
    for folder in ("bot", "handlers", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(literal.findall(path.read_text(encoding="utf-8")))
    assert {"payment.rejected", "payment.expired", "menu.title"} <= used
    assert sorted(used - set(CATALOGS["id"])) == []


def test_a_missing_key_is_an_error_not_a_blank_message() -> None:
    with pytest.raises(MissingTranslation):
        Translator.load().t("no.such.key", "id")


def test_names_typed_by_people_are_escaped_for_html() -> None:
    text = Translator.load().t("start.welcome_back", "en", name="<b>Eve & co</b>")
    assert "&lt;b&gt;Eve &amp; co&lt;/b&gt;" in text


def test_a_translated_text_inside_another_is_escaped_only_once() -> None:
    translator = Translator(
        {"id": {"outer": "Ke:\n{where}", "inner": "<b>{label}</b> <code>{number}</code>"}}, "id"
    )
    where = translator.t("inner", "id", label="A&B", number="12<3>")
    text = translator.t("outer", "id", where=where)
    assert text == "Ke:\n<b>A&amp;B</b> <code>12&lt;3&gt;</code>"


def test_the_english_vip_facilities_inside_the_catalog_say_q_and_a_once() -> None:
    translator = Translator.load()
    facilities = translator.t("facilities.vip", "en")
    offer = translator.t("shop.tier_block", "en", tier="VIP", facilities=facilities)
    assert "Q&amp;A" in offer and "&amp;amp;" not in offer


def test_joined_lines_keep_translated_pieces_and_escape_the_rest_once() -> None:
    translator = Translator({"id": {"line": "<b>{name}</b>", "box": "{lines}"}}, "id")
    lines = [translator.t("line", "id", name="A&B"), "typed <i>", ""]
    text = translator.t("box", "id", lines=join(lines))
    assert text == "<b>A&amp;B</b>\ntyped &lt;i&gt;\n"
    assert translator.t("box", "id", lines=join(lines, " | ")).count("&amp;") == 1


def test_bidirectional_controls_are_stripped_from_inserted_text() -> None:
    translator = Translator({"id": {"k": "Nama: {name}"}}, "id")
    name = "Ani\u202egnp.exe\u202c \u2066x\u2069 \u202a\u202b\u202d\u2067\u2068"
    assert translator.t("k", "id", name=name) == "Nama: Anignp.exe x "
    assert join([name]) == "Anignp.exe x "


def test_money_renders_as_rupiah_with_dots() -> None:
    translator = Translator({"id": {"k": "Bayar {amount:rp}"}, "en": {}}, "id")
    assert translator.t("k", "id", amount=1_250_000) == "Bayar Rp 1.250.000"


def test_english_falls_back_to_the_default_only_for_unknown_languages() -> None:
    translator = Translator.load()
    assert translator.t("menu.help", "fr") == translator.t("menu.help", "id")
    assert translator.t("menu.help", "en") != translator.t("menu.help", "id")


def test_a_plan_name_is_translated_inside_a_message() -> None:
    translator = Translator.load()
    plan = {"key": "plan.days", "params": {"tier": {"key": "tier.vip"}, "days": 30}}
    text = translator.t("payment.approved_until", "en", plan=plan, request=7, until="01-02-2026")
    assert "<b>VIP 30 days</b>" in text
    assert "VIP 30 hari" in translator.t("payment.approved_until", "id", plan=plan, request=7,
                                          until="01-02-2026")  # fmt: skip


def test_feature_files_join_their_language_and_may_not_redefine_a_key(tmp_path: Path) -> None:
    (tmp_path / "id.toml").write_text('[a]\nx = "satu"\n', encoding="utf-8")
    (tmp_path / "id.admin.toml").write_text('[b]\ny = "dua"\n', encoding="utf-8")
    assert load_catalogs(tmp_path) == {"id": {"a.x": "satu", "b.y": "dua"}}
    (tmp_path / "id.more.toml").write_text('[a]\nx = "lain"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="redefines"):
        load_catalogs(tmp_path)


def test_the_shipped_catalogs_are_read_once_and_shared_by_every_translator() -> None:
    first, second = Translator.load(), Translator.load("en")
    assert first.catalogs is second.catalogs
    assert second.default == "en"
    assert first.catalogs == load_catalogs()
