"""Every number a problem shows, and how many significant digits the longest has.

A student works these numbers by hand: `hard` means more steps and less friendly
numbers, never 18-digit decimals. The generator rejects a drawn task whose worked
solution shows a number longer than MAX_DIGITS significant digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from quizgen.model import Math, Step

# Significant digits of any one number on a page (a fraction's numerator and denominator count apart).
MAX_DIGITS = 8
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def significant(number: str) -> int:
    """Significant digits of ``0.008003`` (4), ``12.012003`` (8), ``10000`` (5: written digits count)."""
    digits = number.replace(".", "").lstrip("0")
    return len(digits) or 1


def texts(given: dict[str, Math], answer_text: str, steps: tuple[Step, ...], meaning: str = "") -> Iterator[str]:
    """Every piece of text a problem puts on a page: given data, answer, worked steps, meaning."""
    for m in given.values():
        yield m.text
    yield answer_text
    for step in steps:
        yield step.words
        for line in step.lines:
            if line.lhs is not None:
                yield line.lhs.text
            yield line.rhs.text
        for cell in step.header:
            yield cell.text
        for row in step.table:
            for cell in row:
                yield cell.text
    yield meaning


def longest(strings: Any) -> int:
    """The most significant digits of any number in the strings."""
    # One scan of all the text (a newline between pieces keeps their numbers apart), each number once.
    return max(map(significant, set(_NUMBER.findall("\n".join(strings)))), default=0)
