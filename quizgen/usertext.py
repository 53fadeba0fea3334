"""Text a user writes onto the pages (titles, section headings, instructions): printable, bounded.

Control characters (NUL, ESC, …), unpaired surrogates, line separators in one-line text and
the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, the "Trojan Source"
characters that make text display in another order than it is stored) are refused with an
InputError naming the character, never removed silently: what is printed is what was typed.
"""

from __future__ import annotations

import unicodedata

from quizgen.errors import InputError

MAX_TITLE = 200
MAX_INSTRUCTIONS = 2000

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_NAMES = {"\0": "NUL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESC", "\x7f": "DELETE"}


def _refused(ch: str, multiline: bool) -> str | None:
    """Why `ch` may not appear in page text, or None when it may."""
    if ch in _BIDI:
        return "a bidirectional override, which shows text in another order than it is written"
    category = unicodedata.category(ch)
    if category == "Cs":
        return "not a character (an unpaired surrogate: the text is not valid Unicode)"
    if multiline and ch in "\n\t":
        return None
    if category == "Cc":
        return "a control character"
    if category in ("Zl", "Zp"):
        return "a line break (a title is one line)"
    return None


def page_text(value: str, field: str, *, limit: int = MAX_TITLE, multiline: bool = False) -> str:
    """`value` stripped, checked as text for the pages; InputError(field) when empty, too long or unprintable."""
    text = value.strip()
    if not text and not multiline:
        raise InputError("must not be empty", field=field)
    if len(text) > limit:
        raise InputError(f"keep it under {limit:,} characters (it has {len(text):,})", field=field)
    for position, ch in enumerate(text, start=1):
        why = _refused(ch, multiline)
        if why is not None:
            name = _NAMES.get(ch) or unicodedata.name(ch, "")
            label = f"U+{ord(ch):04X}" + (f" ({name})" if name else "")
            raise InputError(f"character {position} is {label}, {why}: remove it", field=field)
    return text
