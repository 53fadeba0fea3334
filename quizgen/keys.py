"""What a problem is graded against: its Key, built by one function from a quiz.json entry.

`quizgen check` (one answer, or a class's CSV) and the practice page's checker read the
same fields through problem_key, so the page and the command can never grade a problem
differently. quiz.json, written by ``quizgen make``, is checked strictly: anything
missing, mistyped or out of bounds is a QuizFileError naming the file and the problem.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quizgen.errors import InputError
from quizgen.model import FORMS, MAX_PLACES, NUMBER_TEXT, Problem, graded_form, known_form, rounded_places

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


# A multiple-choice answer given as a letter: C, c, (C), C., C); a capital past the options (F) is a letter too.
_LETTER = re.compile(r"\s*\(?\s*([A-Z]|[a-e])\s*[.)]?\s*")
LETTERS = "ABCDE"

# Words a part may be answered with, each read as its canonical form.
YES_NO = {"yes": "yes", "y": "yes", "true": "yes", "no": "no", "n": "no", "false": "no"}
TRENDS = {"rising": "rising", "increasing": "rising", "up": "rising", "falling": "falling",
          "decreasing": "falling", "down": "falling", "flat": "flat", "stationary": "flat", "level": "flat"}
_NUMBER = NUMBER_TEXT
# Primes are kept (as '): f(5) = −6 does not answer f′(5).
_SUBSCRIPTS = str.maketrans({**{chr(0x2080 + d): str(d) for d in range(10)}, "′": "'", "’": "'",
                             **{c: None for c in " _*∂"}})


@dataclass(frozen=True)
class Part:
    """One part of a multi-part answer: a number (answer) or a word (answer is the canonical
    word, words maps what may be typed to it); labels are the names it may be given by,
    normalised (see label_key); an optional part is graded only when given."""

    name: str
    answer: str
    labels: tuple[str, ...]
    words: Mapping[str, str] | None = None
    required: bool = True
    form: str | None = None  # how a number part is graded: None = "value" (exactly), or "rounded:N"


def label_variants(text: str) -> tuple[str, ...]:
    """label_key of a derivative's name in both spellings: ∂L/∂a and dL/da are one part (l/a, dl/da)."""
    key = label_key(text)
    if "(" in key:
        return (key,)
    if m := re.fullmatch(r"d([^/]+)/d([^/]+)", key):
        return (key, f"{m[1]}/{m[2]}")
    if m := re.fullmatch(r"([^/]+)/([^/]+)", key):
        return (key, f"d{m[1]}/d{m[2]}")
    return (key,)


def label_key(text: str) -> str:
    """A part's label as typed, normalised: lower case, subscripts as digits, primes as ', no spaces, _, * or ∂."""
    return text.strip().lower().translate(_SUBSCRIPTS)


@dataclass(frozen=True)
class Key:
    """What one problem is graded against: built the same way for one answer and for a class."""

    number: int
    answer: str
    rtol: float | None = None
    atol: float | None = None
    mistakes: tuple[tuple[str, str], ...] = ()
    form: str | None = None
    parts: tuple[Part, ...] = ()  # a multi-part answer, graded part by part (see grade_parts)
    kind: str = ""  # the problem's kind, for --stats
    labels: tuple[str, ...] = ()  # names of the asked quantity, as an answer may give it on the left (f′(2) = 9)
    # A multiple-choice problem's options (--style mc): (letter, answer, why), why "" for the right one.
    choices: tuple[tuple[str, str, str], ...] = ()

    def grade(self, typed: str) -> Verdict:
        """The checker's verdict on a typed answer (part by part when the problem has parts); on a
        multiple-choice problem a letter (C, c, (C), C.) is graded as the option it names; a lone
        lowercase e is option E only where there is one (else the number e)."""
        from quizgen.answers import check  # the parser (lark) loads only when something is checked

        letter = _LETTER.fullmatch(typed) if self.choices and isinstance(typed, str) else None
        if letter and typed.strip() == "e" and not any(c[0] == "E" for c in self.choices):
            letter = None  # a lone lowercase e names no option of A–D: it is the number e
        if letter:
            return self.grade_letter(letter[1].upper())
        if self.choices and self.parts:
            # Multiple choice asks for the main part alone (the options are values of `answer`).
            # A neural-network kind offers one part of its list (its right option): graded as that part.
            right = next((c[1] for c in self.choices if not c[2]), self.answer)
            slips = self.mistakes
            if right != self.answer:
                main = next((p for p in self.parts if p.answer == right), None)
                slips = tuple((c[1], c[2]) for c in self.choices if c[2])
                alone = check(typed, right, mistakes=slips, form=main.form if main is not None else None)
            else:
                alone = check(typed, self.answer, rtol=self.rtol, atol=self.atol, mistakes=slips, form=self.form)
            if alone.status == "correct" or (alone.status == "incorrect" and "=" not in typed and ";" not in typed
                                             and any(alone.message == says for _, says in slips)):
                return alone
        if self.parts:
            return grade_parts(self, typed)
        return check(typed, self.answer, rtol=self.rtol, atol=self.atol, mistakes=self.mistakes, form=self.form,
                     labels=self.labels)

    def grade_letter(self, letter: str) -> Verdict:
        """A multiple-choice answer given by its letter: right, or which misconception the option is."""
        from quizgen.answers import Verdict
        from quizgen.answers.limits import CORRECT

        option = next((c for c in self.choices if c[0] == letter), None)
        if option is None:
            return Verdict("invalid", f"There is no option {letter}: choose {self.choices[0][0]}–{self.choices[-1][0]}.")
        if not option[2]:
            return Verdict("correct", CORRECT)
        return Verdict("incorrect", f"Option {letter} is not right. {option[2]}")

    @property
    def full_answer(self) -> str:
        """The whole right answer as a student would type it: the parts in order, `;` between
        (the answer alone for a one-part problem)."""
        return "; ".join(p.answer for p in self.parts) if self.parts else self.answer

    def readable(self) -> bool:
        """True if the stored answer (and every numeric part) is itself read as correct (else no
        answer can be checked)."""
        from quizgen.answers import check

        def ok(text: str, form: str | None) -> bool:
            return check(text, text, rtol=self.rtol, atol=self.atol, form=form).status == "correct"

        return ok(self.answer, self.form) and all(ok(p.answer, p.form or "value") for p in self.parts if p.words is None)

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
        if self.labels:
            out["labels"] = list(self.labels)
        if self.parts:
            out["parts"] = [{"name": p.name, "answer": p.answer, "labels": list(p.labels), "required": p.required,
                             **({"words": dict(p.words)} if p.words is not None else {}),
                             **({"form": p.form} if p.form else {})} for p in self.parts]
        return out


def _rounded_number(text: str, places: int) -> bool:
    """True for a decimal with exactly `places` decimal places (−0.4200 at 4; 3 at 0)."""
    tail = rf"\.[0-9]{{{places}}}" if places else ""
    return re.fullmatch(rf"\s*[-\u2212]?[0-9]+{tail}\s*", text) is not None


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


# ---------------------------------------------------------------- multi-part answers


def _texts(value: Any, n: int | None = None) -> list[str] | None:
    """value as a list of short strings (n of them, if given), else None."""
    if not isinstance(value, list) or (n is not None and len(value) != n):
        return None
    if not all(isinstance(v, str) and _NUMBER.fullmatch(v) for v in value):
        return None
    return list(value)


def _number(value: Any) -> str | None:
    return value if isinstance(value, str) and _NUMBER.fullmatch(value) else None


def _parts(entry: Mapping[str, Any]) -> tuple[Part, ...]:
    """The parts of a multi-part problem, from the fields its kind writes to quiz.json (none for
    a one-part problem, or when a field is missing: then the answer is graded whole)."""
    kind = entry.get("kind")
    answer = entry["answer"]
    if "graded_parts" in entry:
        return _graded_parts(entry["graded_parts"])
    if kind == "gradient-step":
        weights, before, after, over = (_texts(entry.get("weights")), _number(entry.get("loss_before")),
                                        _number(entry.get("loss_after")), entry.get("overshoot"))
        if not weights or len(weights) < 2 or before is None or after is None or not isinstance(over, bool):
            return ()
        n = len(weights) - 1
        sub = str(n).translate(str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089"))
        return (Part(f"w{sub}", weights[-1], (f"w{n}", "w", "weight", "newweight", "wnew")),
                Part("L(w\u2080)", before, ("l(w0)", "l0", "lossbefore", "before", "l(before)")),
                Part(f"L(w{sub})", after, (f"l(w{n})", f"l{n}", "l", "lossafter", "after", "l(after)", "newloss")),
                Part("overshoot (yes/no)", "yes" if over else "no", ("overshoot", "overshot", "overshoots"), YES_NO))
    if kind == "partial-derivatives":
        grad, new, before, after = (_texts(entry.get("gradient"), 2), _texts(entry.get("new_point"), 2),
                                    _number(entry.get("loss_before")), _number(entry.get("loss_after")))
        if grad is None or new is None or before is None or after is None:
            return ()
        from fractions import Fraction

        try:
            down = "yes" if Fraction(after.replace("\u2212", "-")) < Fraction(before.replace("\u2212", "-")) else "no"
        except (ZeroDivisionError, ValueError):  # an edited quiz.json's 1/0: no parts (the answer is graded whole)
            return ()
        return (Part("\u2202L/\u2202w\u2081", grad[0], ("l/w1", "dl/dw1", "g1", "dw1", "lw1")),
                Part("\u2202L/\u2202w\u2082", grad[1], ("l/w2", "dl/dw2", "g2", "dw2", "lw2")),
                Part("new w\u2081", new[0], ("w1", "neww1", "w1new"), required=False),
                Part("new w\u2082", new[1], ("w2", "neww2", "w2new"), required=False),
                Part("loss goes down (yes/no)", down, ("down", "lossdown", "goesdown", "decreases"), YES_NO, required=False))
    if kind == "derivative-at":
        return _derivative_at(entry)
    if kind == "secant-table":
        steps = entry.get("steps")
        values = [v.strip() for v in answer.split(",")]
        if not isinstance(steps, list) or len(steps) != len(values) or not all(_NUMBER.fullmatch(v) for v in values):
            return ()
        slope = _number(entry.get("slope"))
        parts = [Part(f"quotient for h = {clip(str(h), 20)}", v, (f"h={h}".lower(), f"q{i}"))
                 for i, (h, v) in enumerate(zip(steps, values), start=1)]
        if slope is not None:
            parts.append(Part("the number they approach", slope, ("limit", "approach", "f'(a)", "slope"), required=False))
        return tuple(parts)
    if kind == "rising-falling":
        trend = entry.get("trend")
        if trend not in ("rising", "falling", "flat") or _number(answer) is None:
            return ()
        return (Part("rising/falling/flat", trend, ("trend", "f", "direction"), TRENDS, required=False),
                Part("f\u2032(a)", answer, ("f'(a)", "slope", "f'", "derivative"), required=False))
    return ()


MAX_PARTS = 40  # parts of one problem in graded_parts


def _derivative_at(entry: Mapping[str, Any]) -> tuple[Part, ...]:
    """f′ at several points, each a part named f′(a) (typed f′(2) = 8, f'(2)=8, or in order),
    and f′(x) itself, optional, last (any equal expression; quiz.json's part gives it)."""
    points, values = entry.get("points"), [v.strip() for v in entry["answer"].split(",")]
    if (not isinstance(points, list) or len(points) != len(values) or len(values) < 2
            or not all(isinstance(p, str) and 0 < len(p) <= 30 for p in points)
            or not all(_NUMBER.fullmatch(v) for v in values)):
        return ()
    parts = []
    for point, value in zip(points, values):
        shown = point.replace("-", "\u2212")
        names = (f"f\u2032({point})", f"f\u2032({shown})", f"df/dx({point})", f"x={point}", f"x={shown}")
        parts.append(Part(f"f\u2032({shown})", value, tuple(dict.fromkeys(map(label_key, names)))))
    given = entry.get("parts")
    fx = next((p.get("answer") for p in given if isinstance(p, Mapping) and p.get("label") == "f\u2032(x)"), None) \
        if isinstance(given, list) else None
    if isinstance(fx, str) and 0 < len(fx) <= 200:
        parts.append(Part("f\u2032(x)", fx, tuple(map(label_key, ("f\u2032(x)", "df/dx", "dy/dx", "f\u2032"))),
                          required=False, form="any"))
    return tuple(parts)
MAX_LABELS = 20  # names one part may be given by
MAX_WORDS = 60  # the ways a part in words may be answered


def _graded_parts(value: Any) -> tuple[Part, ...]:
    """The parts a kind lists itself in quiz.json's ``graded_parts`` (the neural-network kinds):
    [{"name", "answer", "labels", "required"?, "words"?, "form"?}, …]; () when the list is not well formed
    (then the answer is graded whole, as for a one-part problem)."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_PARTS:
        return ()
    parts = []
    for item in value:
        if not isinstance(item, Mapping):
            return ()
        name, answer, labels = item.get("name"), item.get("answer"), item.get("labels")
        required, words = item.get("required", True), item.get("words")
        if not (isinstance(name, str) and 0 < len(name) <= 60 and isinstance(answer, str) and 0 < len(answer) <= 60):
            return ()
        if not isinstance(labels, list) or len(labels) > MAX_LABELS or not all(
                isinstance(v, str) and 0 < len(v) <= 40 for v in labels):
            return ()
        if not isinstance(required, bool):
            return ()
        if words is not None:
            if not isinstance(words, Mapping) or not 0 < len(words) <= MAX_WORDS or not all(
                    isinstance(k, str) and isinstance(v, str) and len(k) <= 60 for k, v in words.items()):
                return ()
            if answer not in words.values():
                return ()
            words = {k.strip().lower(): v for k, v in words.items()}
        elif not _NUMBER.fullmatch(answer):
            return ()
        form = item.get("form")  # "rounded:N" for a number the question says to round (backprop, neuron)
        if form is not None and (words is not None or rounded_places(form) is None
                                 or not _rounded_number(answer, rounded_places(form) or 0)):
            return ()
        keys = tuple(dict.fromkeys(k for v in labels for k in label_variants(v)))
        parts.append(Part(name, answer, keys[:MAX_LABELS * 2], words, required, form))
    return tuple(parts)


def _pieces(typed: str) -> list[str]:
    """A multi-part answer cut into pieces: at ; and line breaks, and at commas outside brackets;
    a bracketed pair such as (−2.78, −1.89) is two pieces, and a word and a number written
    side by side (falling −25) are two."""
    out: list[str] = []
    for chunk in re.split(r"[;\n]", typed):
        depth, start = 0, 0
        cut: list[str] = []
        for i, ch in enumerate(chunk):
            depth += ch in "([" and 1 or ch in ")]" and -1 or 0
            if ch == "," and depth <= 0:
                cut.append(chunk[start:i])
                start = i + 1
        cut.append(chunk[start:])
        for piece in cut:
            piece = piece.strip()
            if piece[:1] in "([" and piece[-1:] in ")]" and "," in piece:
                out.extend(p.strip() for p in piece[1:-1].split(","))
                continue
            word = re.fullmatch(r"([A-Za-z]+)\s+([^=:]+)|([^=:]+?)\s+([A-Za-z]+)", piece)
            if word:
                first, rest = (word[1], word[2]) if word[1] else (word[4], word[3])
                if first.lower() in TRENDS or first.lower() in YES_NO:
                    out.extend([first, rest.strip()])
                    continue
            out.append(piece)
    return [p for p in out if p]


def grade_parts(key: Key, typed: str) -> Verdict:
    """A multi-part answer graded part by part: pieces labelled `w1 = 1.2` go to the part with that
    label, a yes/no or rising/falling word to the part that takes it, other pieces to the
    remaining number parts in order. Correct when every required part is given and every part
    given is right; otherwise the message names each wrong or missing part. checker.js's
    checkParts is the same, step for step (tests/answer_parts.json holds cases both must pass)."""
    from quizgen.answers import Verdict, check
    from quizgen.answers.limits import message

    pieces = _pieces(typed)
    if not pieces:
        return check(typed, key.answer)  # the checker's own message for an empty answer
    if key.mistakes and "=" not in typed and ":" not in typed:  # a typical mistake in the whole answer
        whole = check(typed, key.answer, rtol=key.rtol, atol=key.atol, mistakes=key.mistakes)
        if whole.status == "incorrect" and any(whole.message == says for _, says in key.mistakes):
            return whole
    given: dict[int, str] = {}
    problems: list[str] = []
    loose: list[str] = []
    for piece in pieces:
        label = re.fullmatch(r"([^=:]{1,30}?)\s*[=:]\s*(.*)", piece, re.S)
        if label and not _NUMBER.fullmatch(label[1]):
            name = label_key(label[1])
            index = next((i for i, p in enumerate(key.parts) if name in p.labels), None)
            if index is None:
                problems.append(message("part_unknown", name=clip(label[1].strip(), 20)))
                continue
            given[index] = label[2].strip()
            continue
        loose.append(piece)
    for piece in loose:
        word = piece.strip().lower()
        if any(p.words and word in p.words for p in key.parts):
            index = next((i for i, p in enumerate(key.parts) if p.words and word in p.words and i not in given), None)
        else:
            index = next((i for i, p in enumerate(key.parts) if p.words is None and i not in given), None)
        if index is None:
            problems.append(message("part_extra", text=clip(piece, 20)))
            continue
        given[index] = piece
    invalid = False
    wrong: set[int] = set()
    for i, part in enumerate(key.parts):
        text = given.get(i)
        if text is None:
            continue
        if part.words is not None:
            said = part.words.get(text.strip().lower())
            if said is None:
                wrong.add(i)
                problems.append(message("part_word", part=part.name, words=" or ".join(sorted(set(part.words.values())))))
            elif said != part.answer:
                wrong.add(i)
                problems.append(message("part_not_right", part=part.name))
            continue
        mistakes = key.mistakes if part.answer == key.answer else ()
        verdict = check(text, part.answer, rtol=key.rtol, atol=key.atol, mistakes=mistakes, form=part.form or "value")
        if verdict.status != "correct":
            wrong.add(i)
            invalid = invalid or verdict.status == "invalid"
            problems.append(message("part_says", part=part.name, says=verdict.message.rstrip(".")))
    missing = [p.name for i, p in enumerate(key.parts) if p.required and i not in given]
    if not given:
        missing = missing or [" or ".join(p.name for p in key.parts)]
    if missing:
        problems.append(message("part_missing", parts=", ".join(missing)))
    if not problems:
        return Verdict("correct", message("correct"))
    right = [p.name for i, p in enumerate(key.parts) if i in given and i not in wrong]
    lead = message("parts_right", parts=", ".join(right)) if right else ""
    text = lead + "; ".join(problems)
    return Verdict("invalid" if invalid else "incorrect", text if text.endswith(".") else text + ".")


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
    if form is not None and not known_form(form):
        shown = repr(clip(form)) if isinstance(form, str) else _kind_of(form)
        allowed = ", ".join(map(repr, FORMS[:-1])) + f" or {FORMS[-1]!r} (N = 0 to {MAX_PLACES})"
        raise QuizFileError(f"{source}: {where}: 'form' must be {allowed}, not {shown}")
    places = rounded_places(form)
    if places is not None and not all(_rounded_number(v, places) for v in answer.split(",")):
        raise QuizFileError(f"{source}: {where}: 'answer' must be numbers with exactly {places} decimal places"
                            f" for the form {form!r}, not {clip(answer)!r}")
    form = graded_form(form, answer)  # quiz.json of older runs carries no "value" form
    kind = entry.get("kind")
    parts = _parts(entry)
    return Key(number, answer, rtol, atol, mistakes, form, parts, clip(kind, 40) if isinstance(kind, str) else "",
               () if parts else _labels(entry), _choices(entry.get("choices"), where, source))


MAX_LABEL = 40  # characters of one name of the asked quantity


def _labels(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of what a one-part question asks for (f′(2), f(5), f′(x)): the labels quiz.json's
    "parts" give the whole answer, and for older quiz.json what the kind asks for."""
    out: list[str] = []
    parts = entry.get("parts")
    if isinstance(parts, list):
        for p in parts[:MAX_PARTS]:
            if isinstance(p, Mapping) and p.get("answer") == entry["answer"]:
                label = p.get("label")
                if isinstance(label, str) and 0 < len(label) <= MAX_LABEL:
                    out.append(label)
    kind, point = entry.get("kind"), entry.get("point")
    if kind == "evaluate" and isinstance(point, str) and len(point) <= MAX_LABEL:
        out.append(f"f({point})")
    elif kind == "limit-definition":
        out.extend(["f′(x)", "df/dx", "dy/dx", "f′"])
    elif kind == "expand":
        out.extend(["f(x+h)", "f(x + h)"])
    return tuple(dict.fromkeys(out))


def _choices(value: Any, where: str, source: str) -> tuple[tuple[str, str, str], ...]:
    """A multiple-choice problem's options from quiz.json ("choices"; absent: not multiple choice)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not 2 <= len(value) <= len(LETTERS):
        raise QuizFileError(f"{source}: {where}: 'choices' must be a list of 2 to {len(LETTERS)} options, not "
                            + (f"{len(value)}" if isinstance(value, list) else _kind_of(value)))
    out = []
    for i, option in enumerate(value):
        if not isinstance(option, Mapping) or option.get("letter") != LETTERS[i] or not isinstance(option.get("correct"), bool):
            raise QuizFileError(f"{source}: {where}: choice {i + 1} must be an object with letter {LETTERS[i]!r} and "
                                "correct true or false")
        answer = _text(option.get("answer"), f"choice {LETTERS[i]}'s answer", where, source)
        why = "" if option["correct"] else _text(option.get("why", ""), f"choice {LETTERS[i]}'s why", where, source)
        out.append((LETTERS[i], answer, why or ("" if option["correct"] else "It is not the answer.")))
    if sum(1 for option in value if option["correct"]) != 1:
        raise QuizFileError(f"{source}: {where}: 'choices' must have exactly one correct option")
    return tuple(out)


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
