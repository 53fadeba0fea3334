"""The options of `quizgen make`, checked in one place.

The command line (after click has read the words) and a class set's manifest (``quizgen make
--rebuild CODE --manifest FILE``, whose ``options`` were written by an earlier run and may
have been edited since) both go through check_options: the same types, ranges and choices,
the same title rule (usertext.page_text), and the same cap on the size of a class set
(check_class_size). An error is an InputError whose ``field`` is the option's key as the
manifest spells it (``count``, ``answer_bank``); the CLI names its flag instead
(cli._FLAGS), the manifest reader ``manifest.json: options.count: …``. A key that is not an
option of `quizgen make` is an error, never ignored.

Only light modules are imported at the top: `quizgen --help` reads LAYOUTS from here
(tests/test_startup.py); the kinds (and with them sympy) are imported when a list of kinds
is checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from quizgen.errors import InputError, clip
from quizgen.levels import DEFAULT_LEVEL, LEVELS
from quizgen.model import DEFAULT_COUNT, MAX_COUNT, MAX_VARIANTS
from quizgen.plots import PLACES
from quizgen.render import DEFAULT_FORMATS, FORMATS, PAPER
from quizgen.roster import MAX_STUDENTS
from quizgen.usertext import page_text

LAYOUTS = ("normal", "compact")
STYLES = ("open", "mc")
DEGREES = (2, 4)
DEFAULT_TITLE = "Derivatives from first principles"
# The most versions one class set makes: one per student of the largest roster.
MAX_VERSIONS = MAX_STUDENTS
# The most problems one class set makes in all (versions × problems each): a class of 200 with
# the default 20 problems. Each problem costs about 0.2 s of CPU to typeset (benchmarks/README.md),
# so this is about 15 minutes on a 2-core machine; 200 × 500 (hours) is refused before any work.
MAX_CLASS_PROBLEMS = 4000

# Every option a manifest may record, and its default when absent.
DEFAULTS: dict[str, Any] = {
    "count": None, "kinds": None, "degree": 2, "function": None, "point": None, "step": None, "rate": None,
    "title": DEFAULT_TITLE, "difficulty": DEFAULT_LEVEL, "formats": list(DEFAULT_FORMATS), "paper": "a4",
    "layout": "normal", "plots": "key", "answer_bank": False, "style": "open",
    # A manifest written before --variants made practice pages without "New numbers" (the CLI's default is 10).
    "variants": 0,
}
KNOWN = tuple(DEFAULTS)


def _shown(value: Any) -> str:
    return clip(json.dumps(value, ensure_ascii=True, default=str), 60)


def _error(key: str, value: Any, why: str) -> InputError:
    return InputError(why, field=key, value=_shown(value))


def _whole(values: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    value = values.get(key, DEFAULTS[key])
    if value is None and DEFAULTS[key] is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(key, value, "is not a whole number")
    if not low <= value <= high:
        raise _error(key, value, f"choose {low} to {high}")
    return value


def _choice(values: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = values.get(key, DEFAULTS[key])
    if not isinstance(value, str) or value not in choices:
        raise _error(key, value, f"is not one of {', '.join(choices)}")
    return value


def _list(values: Mapping[str, Any], key: str, choices: tuple[str, ...], what: str, hint: str) -> tuple[str, ...] | None:
    value = values.get(key, DEFAULTS[key])
    if value is None:
        return None
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _error(key, value, f"is not a list of {what}")
    for item in value:
        if item not in choices:
            raise _error(key, item, f"is not one of the {what} ({hint})")
    return tuple(dict.fromkeys(value))


def check_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` (a manifest's ``options``, or what the command line read) checked; the options with
    defaults filled in, kinds and formats as tuples, the title stripped. InputError(field=key) else."""
    from quizgen.kinds import KINDS

    unknown = [key for key in values if key not in DEFAULTS]
    if unknown:
        raise InputError(f"is not an option of quizgen make (known: {', '.join(KNOWN)})",
                         field=clip(str(unknown[0]), 40))
    checked: dict[str, Any] = {
        "count": _whole(values, "count", 1, MAX_COUNT),
        "kinds": _list(values, "kinds", tuple(KINDS), "kinds", "ids: quizgen kinds"),
        "degree": _whole(values, "degree", *DEGREES),
        "variants": _whole(values, "variants", 0, MAX_VARIANTS),
    }
    for key in ("function", "point", "step", "rate", "title"):
        value = values.get(key, DEFAULTS[key])
        if value is not None and not isinstance(value, str):
            raise _error(key, value, "is not text")
        checked[key] = value
    try:
        checked["title"] = page_text(checked["title"], "title")
    except InputError as exc:
        raise InputError(exc.message, field="title") from None
    checked["difficulty"] = _choice(values, "difficulty", tuple(LEVELS))
    checked["formats"] = _list(values, "formats", FORMATS, "formats", ", ".join(FORMATS))
    checked["paper"] = _choice(values, "paper", tuple(PAPER))
    checked["layout"] = _choice(values, "layout", LAYOUTS)
    checked["plots"] = _choice(values, "plots", PLACES)
    checked["style"] = _choice(values, "style", STYLES)
    answer_bank = values.get("answer_bank", False)
    if not isinstance(answer_bank, bool):
        raise _error("answer_bank", answer_bank, "is not true or false")
    checked["answer_bank"] = answer_bank
    return checked


def check_class_size(versions: int, count: int | None) -> None:
    """A class set of `versions` versions of `count` problems (None: the default) is within the caps."""
    if not 1 <= versions <= MAX_VERSIONS:
        raise InputError(f"choose 1 to {MAX_VERSIONS}", field="versions", value=str(versions))
    each = DEFAULT_COUNT if count is None else count
    if versions * each > MAX_CLASS_PROBLEMS:
        raise InputError(f"{versions} versions of {each} problems are {versions * each:,} problems; a class set "
                         f"makes at most {MAX_CLASS_PROBLEMS:,} (give fewer versions or fewer problems)",
                         field="versions", value=str(versions))
