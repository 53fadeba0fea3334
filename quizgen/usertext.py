"""Text a user writes onto the pages (titles, section headings, instructions): printable, bounded.

Control characters (NUL, ESC, …), unpaired surrogates, line separators in one-line text and
the bidirectional controls — the overrides and isolates U+202A–U+202E and U+2066–U+2069 (the
"Trojan Source" characters that make text display in another order than it is stored) and the
invisible marks U+200E, U+200F and U+061C, and a byte-order mark (U+FEFF) inside the text — are refused with an InputError naming the
character, never removed silently: what is printed is what was typed.

One rule for every text that reaches a page or the terminal: titles, headings, instructions
(page_text) and roster names and ids (roster.py and a manifest's students, via unprintable).
"""

from __future__ import annotations

import unicodedata

from quizgen.errors import InputError

MAX_TITLE = 200
MAX_INSTRUCTIONS = 2000

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_NAMES = {"\0": "NUL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESC", "\x7f": "DELETE"}


def _refused(ch: str, multiline: bool) -> str | None:
    """Why `ch` may not appear in page text, or None when it may."""
    if ch in _BIDI:
        return "a bidirectional override (or isolate or mark), which shows text in another order than it is written"
    if ch == "\ufeff":
        return "an invisible byte-order mark (left inside the text when files are joined)"
    category = unicodedata.category(ch)
    if category == "Cs":
        return "not a character (an unpaired surrogate: the text is not valid Unicode)"
    if multiline and ch in "\n\t":
        return None
    if category == "Cc":
        return "a control character"
    if category in ("Zl", "Zp"):
        return "a line break (this text is one line)"
    return None


def unprintable(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` may not be printed (``character 4 is U+202E (…), a bidirectional override …: remove it``),
    or None when every character may."""
    for position, ch in enumerate(text, start=1):
        why = _refused(ch, multiline)
        if why is not None:
            name = _NAMES.get(ch) or unicodedata.name(ch, "")
            label = f"U+{ord(ch):04X}" + (f" ({name})" if name else "")
            return f"character {position} is {label}, {why}: remove it"
    return None


def page_text(value: str, field: str, *, limit: int = MAX_TITLE, multiline: bool = False) -> str:
    """`value` stripped, checked as text for the pages; InputError(field) when empty, too long or unprintable."""
    text = value.strip()
    if not text and not multiline:
        raise InputError("must not be empty", field=field)
    if len(text) > limit:
        raise InputError(f"keep it under {limit:,} characters (it has {len(text):,})", field=field)
    why = unprintable(text, multiline=multiline)
    if why is not None:
        raise InputError(why, field=field)
    return text
