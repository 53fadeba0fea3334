"""Errors raised by the library; the CLI turns them into messages and exit codes.

An InputError speaks the library's words: ``field`` is the name of the value that is
wrong as the library knows it (``point``, ``step``, ``kinds``, ``title``, ``spec``…),
never a command-line flag. Whoever shows the error names the field in its own words:
the CLI writes ``--point 1e999: …``, the spec reader ``worksheet.toml:7: point 1e999: …``.
"""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

# Values are echoed back to the user at most this long (a 100 kB value is not repeated whole; paths fit).
MAX_ECHO = 100


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """`text` for an error message: at most `limit` characters, saying how long it was when longer;
    characters that do not print (ESC, NUL, bidirectional overrides…) written as escapes."""
    shown = text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"
    if shown.isprintable():
        return shown
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in shown)


class _ShortRepr(reprlib.Repr):
    """reprlib with whole numbers of any size shown by their length (str() refuses 4300+ digits)."""

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:
            return f"<a whole number of about {int(x.bit_length() * 0.30103):,} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()
_SHORT.maxlevel = 3
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = 4
_SHORT.maxstring = _SHORT.maxother = MAX_ECHO
_SHORT.maxlong = 40


def show(value: Any) -> str:
    """A short repr of any value from a file, safe for huge or deeply nested values (no RecursionError)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a whole number of about {int(value.bit_length() * 0.30103):,} digits"
    return _SHORT.repr(value)


class QuizgenError(Exception):
    """Base class for every error quizgen reports to a user."""


class InputError(QuizgenError):
    """A user-supplied value (option, file, function) is invalid; the CLI exits with 2.

    message: what is wrong, without the field's name;
    field: the library's name for the value (``point``, ``kinds``, ``spec``…), or None;
    value: the value as the user wrote it, echoed (clipped) after the field's name;
    section, heading: the section of a sectioned quiz it belongs to;
    file, line: where in a file it was (the spec reader sets them; the field is then the file's).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: str | None = None,
        section: int | None = None,
        heading: str | None = None,
        file: Path | str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.field = field
        self.value = value
        self.section = section
        self.heading = heading
        self.file = file
        self.line = line
        super().__init__(self.describe())

    def describe(self, name: str | None = None) -> str:
        """The one-line message; `name` is what the reader calls the field (the CLI passes its flag).

        ``point 1e999: too large…``, ``section 2 ('Slopes'): count 9: …``; for an error in a
        file ``worksheet.toml:7: …`` (with `name` in front when given: ``--spec worksheet.toml:7: …``).
        """
        if self.file is not None:
            shown = clip(str(self.file), 300)
            where = f"{shown}:{self.line}" if self.line else shown
            head = f"{name} {where}" if name else where
        else:
            value = clip(self.value) if self.value is not None else None
            head = " ".join(part for part in (name or self.field, value) if part)
            if self.section is not None:
                part = f"section {self.section} ({show(self.heading)})" if self.heading else f"section {self.section}"
                head = f"{part}: {head}" if head else part
        return f"{head}: {self.message}" if head else self.message

    def in_section(self, section: int, heading: str | None) -> InputError:
        """The same error, placed in a section of a sectioned quiz."""
        return InputError(self.message, field=self.field, value=self.value, section=section, heading=heading)


class VerificationError(QuizgenError):
    """Two independent computations of an answer disagree: a bug, never shown output."""
