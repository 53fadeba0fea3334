"""What a problem is graded against: its Key, built by one function from a quiz.json entry.

`quizgen check` (one answer, or a class's CSV) and the practice page's checker read the
same fields through problem_key, so the page and the command can never grade a problem
differently. quiz.json, written by ``quizgen make``, is checked strictly: anything
missing, mistyped or out of bounds is a QuizFileError naming the file and the problem.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quizgen.errors import InputError
from quizgen.model import FORMS, Problem

if TYPE_CHECKING:
    from quizgen.answers import Verdict

# Limits (README "Limits"). Each is far above real use and bounds time and memory.
MAX_PROBLEMS = 10_000  # problems in quiz.json
MAX_PROBLEM_NUMBER = 1_000_000
MAX_KEY_TEXT = 10_000  # characters in a stored answer or a mistake's feedback
MAX_MISTAKES = 100  # typical mistakes stored with one problem
ECHO = 60  # characters of a user's text repeated in a message ("…" marks the cut)


class QuizFileError(InputError):
    """quiz.json cannot be read or is not a quiz written by quizgen make."""


@dataclass(frozen=True)
class Key:
    """What one problem is graded against: built the same way for one answer and for a class."""

    number: int
    answer: str
    rtol: float | None = None
    atol: float | None = None
    mistakes: tuple[tuple[str, str], ...] = ()
    form: str | None = None

    def grade(self, typed: str) -> Verdict:
        """The checker's verdict on a typed answer."""
        from quizgen.answers import check  # the parser (lark) loads only when something is checked

        return check(typed, self.answer, rtol=self.rtol, atol=self.atol, mistakes=self.mistakes, form=self.form)

    def readable(self) -> bool:
        """True if the stored answer is itself read as correct (else no answer can be checked)."""
        return self.grade(self.answer).status == "correct"

    def to_json(self) -> dict[str, Any]:
        """The key as quiz.json and the practice page store it (only what is set)."""
        out: dict[str, Any] = {"number": self.number, "answer": self.answer}
        if self.mistakes:
            out["mistakes"] = [list(m) for m in self.mistakes]
        tolerance = {name: value for name, value in (("rtol", self.rtol), ("atol", self.atol)) if value is not None}
        if tolerance:
            out["tolerance"] = tolerance
        if self.form:
            out["form"] = self.form
        return out


def _where(index: int, entry: Mapping[str, Any]) -> str:
    number = entry.get("number")
    if isinstance(number, int) and not isinstance(number, bool):
        return f"problem {number} (entry {index})"
    return f"problem entry {index}"


def _kind_of(value: Any) -> str:
    names = {str: "a string", bool: "true/false", int: "a whole number", float: "a number", list: "a list",
             dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _text(value: Any, what: str, where: str, source: str) -> str:
    if not isinstance(value, str):
        raise QuizFileError(f"{source}: {where}: {what} must be text, not {_kind_of(value)}")
    if len(value) > MAX_KEY_TEXT:
        raise QuizFileError(f"{source}: {where}: {what} is {len(value):,} characters long (at most {MAX_KEY_TEXT:,})")
    return value


def _tolerance(value: Any, where: str, source: str) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        raise QuizFileError(f"{source}: {where}: 'tolerance' must be an object such as {{\"rtol\": 0.01}}, not {_kind_of(value)}")
    unknown = sorted(set(value) - {"rtol", "atol"})
    if unknown:
        raise QuizFileError(f"{source}: {where}: 'tolerance' has an unknown key {clip(unknown[0])!r} (only rtol and atol)")
    out: list[float | None] = []
    for name in ("rtol", "atol"):
        tol = value.get(name)
        if tol is not None and (isinstance(tol, bool) or not isinstance(tol, (int, float))
                                or not math.isfinite(tol) or not 0 <= tol <= 1e6):
            raise QuizFileError(f"{source}: {where}: 'tolerance' {name} must be a number from 0 to 1e6, not {_kind_of(tol)}"
                                if not isinstance(tol, (int, float)) or isinstance(tol, bool)
                                else f"{source}: {where}: 'tolerance' {name} must be a number from 0 to 1e6, not {tol}")
        out.append(None if tol is None else float(tol))
    return out[0], out[1]


def _mistakes(value: Any, where: str, source: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise QuizFileError(f"{source}: {where}: 'mistakes' must be a list of [answer, feedback] pairs, not {_kind_of(value)}")
    if len(value) > MAX_MISTAKES:
        raise QuizFileError(f"{source}: {where}: 'mistakes' has {len(value):,} entries (at most {MAX_MISTAKES})")
    pairs = []
    for i, pair in enumerate(value, start=1):
        if not isinstance(pair, list) or len(pair) != 2:
            raise QuizFileError(f"{source}: {where}: mistake {i} must be an [answer, feedback] pair, not {_kind_of(pair)}"
                                + (f" of {len(pair)}" if isinstance(pair, list) else ""))
        pairs.append((_text(pair[0], f"mistake {i}'s answer", where, source),
                      _text(pair[1], f"mistake {i}'s feedback", where, source)))
    return tuple(pairs)


def problem_key(index: int, entry: Any, source: str = "quiz.json") -> Key:
    """The Key of quiz.json's problem entry number `index` (1-based); QuizFileError naming source and problem.

    The one builder of keys: `quizgen check` in both modes and the practice page use it.
    """
    if not isinstance(entry, Mapping):
        raise QuizFileError(f"{source}: problem entry {index} must be an object, not {_kind_of(entry)}")
    where = _where(index, entry)
    if "number" not in entry or "answer" not in entry:
        missing = "number" if "number" not in entry else "answer"
        raise QuizFileError(f"{source}: {where} has no {missing!r}")
    number = entry["number"]
    if isinstance(number, bool) or not isinstance(number, int):
        raise QuizFileError(f"{source}: {where}: 'number' must be a whole number, not {_kind_of(number)}")
    if not 1 <= number <= MAX_PROBLEM_NUMBER:
        raise QuizFileError(f"{source}: {where}: 'number' must be from 1 to {MAX_PROBLEM_NUMBER:,}")
    answer = _text(entry["answer"], "'answer'", where, source)
    if not answer.strip():
        raise QuizFileError(f"{source}: {where}: 'answer' is empty")
    rtol, atol = _tolerance(entry.get("tolerance"), where, source)
    mistakes = _mistakes(entry.get("mistakes"), where, source)
    form = entry.get("form")
    if form is not None and form not in FORMS:
        shown = repr(clip(form)) if isinstance(form, str) else _kind_of(form)
        raise QuizFileError(f"{source}: {where}: 'form' must be {' or '.join(map(repr, FORMS))}, not {shown}")
    return Key(number, answer, rtol, atol, mistakes, form)


def quiz_keys(quiz: Any, source: str = "quiz.json", *, check_answers: bool = True) -> dict[int, Key]:
    """Every problem's Key by number, from quiz.json's parsed value; QuizFileError on the first
    thing wrong (naming source and the problem). check_answers: every stored answer must be readable."""
    if not isinstance(quiz, Mapping):
        raise QuizFileError(f"{source} must hold a JSON object with a list of problems, not {_kind_of(quiz)}")
    problems = quiz.get("problems")
    if not isinstance(problems, list):
        raise QuizFileError(f"{source} is not a quiz.json: 'problems' must be a list, not {_kind_of(problems)}")
    if not problems:
        raise QuizFileError(f"{source} has no problems")
    if len(problems) > MAX_PROBLEMS:
        raise QuizFileError(f"{source} has {len(problems):,} problems (at most {MAX_PROBLEMS:,})")
    keys: dict[int, Key] = {}
    for index, entry in enumerate(problems, start=1):
        key = problem_key(index, entry, source)
        if key.number in keys:
            raise QuizFileError(f"{source}: problem number {key.number} appears twice (entries {_entry(problems, key.number)} and {index})")
        keys[key.number] = key
    if check_answers:
        for key in keys.values():
            ensure_readable(key, source)
    return keys


def _entry(problems: list[Any], number: int) -> int:
    return next(i for i, p in enumerate(problems, start=1) if isinstance(p, Mapping) and p.get("number") == number)


def ensure_readable(key: Key, source: str = "quiz.json") -> None:
    """QuizFileError if the stored answer of key cannot be read by the checker."""
    if not key.readable():
        raise QuizFileError(f"{source}: problem {key.number}: the stored answer {clip(key.answer)!r} cannot be read")


def generated_key(problem: Problem) -> Key:
    """A generated problem's key: read back from its quiz.json entry, exactly as `quizgen check` reads it."""
    return problem_key(problem.number, problem.to_json(), "the generated quiz")


def clip(text: str, width: int = ECHO) -> str:
    """At most width characters of a user's text, with … where it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"
