"""Typed commands whose fields are separated by `|` also take spaces where the split
cannot be misread (a phone's `|` sits on the second or third symbol page):

    /payout @ani semua BCA TRX 123      MEMBER AMOUNT METHOD [REFERENCE]: the member, the
                                        amount ("Rp 250.000" and "250 rb" count as one)
                                        and the method are one word each, the reference
                                        is the rest
    /addmethod bank BCA Budi Santoso 123 456 7890
                                        KIND LABEL NAME NUMBER: the label is one word, the
                                        number the trailing digits (with . - + and
                                        spaces), the owner's name what is between

Text with a `|` is read as before; text that does not fit is left as it is, so the
command answers with its usual usage or problem."""

from __future__ import annotations

import re

_UNITS = frozenset({"rb", "ribu", "k", "jt", "juta"})
_NUMBER_PART = re.compile(r"^\+?[0-9][0-9.\-]*$")
_ACCOUNT_KINDS = frozenset({"bank", "ewallet"})


def payout_words(text: str) -> list[str] | None:
    """`@ani semua BCA TRX 123` → ["@ani", "semua", "BCA", "TRX 123"]; None when fewer
    than a member, an amount and a method are given."""
    words = text.split()
    if len(words) >= 3 and words[1].lower() in {"rp", "rp."}:
        words[1:3] = [f"{words[1]} {words[2]}"]
    if len(words) >= 3 and words[2].lower() in _UNITS:
        words[1:3] = [f"{words[1]} {words[2]}"]
    if len(words) < 3:
        return None
    member, amount, method, *rest = words
    return [member, amount, method] + ([" ".join(rest)] if rest else [])


def method_with_bars(args: str) -> str:
    """`bank BCA Budi Santoso 123 456 7890` → `bank BCA | Budi Santoso | 123 456 7890`;
    anything else (already with `|`, a QRIS, too few words) as it is."""
    if "|" in args:
        return args
    words = args.split()
    if len(words) < 4 or words[0].lower() not in _ACCOUNT_KINDS:
        return args
    kind, words = words[0], words[1:]
    number: list[str] = []
    while len(words) > 2 and _NUMBER_PART.match(words[-1]):
        number.insert(0, words.pop())
    if not number:
        return args
    return f"{kind} {words[0]} | {' '.join(words[1:])} | {' '.join(number)}"
