"""Exports for learning-management systems, built from quiz.json's data alone.

`quizgen make --format moodle,qti,gift` and `quizgen export quiz.json --to …` both call
`export_bytes` on quiz.json dicts, so a quiz made earlier converts to the same files.

One problem becomes one question (an *item*):

- a single number  → a numerical question (Moodle `numerical`, Canvas `numerical_question`,
  GIFT `{#…}`); the distractors that are numbers give their "why" as feedback to that wrong
  number (Moodle and GIFT; Canvas has no per-answer feedback on numerical questions);
- several numbers and words (f′ at three points; a gradient step's w₁, losses and
  "overshoot?") → in Moodle one Cloze (multianswer) question, a NUMERICAL box per number and
  a MULTICHOICE menu per word, so the problem stays one question (one slot of a pool); in
  Canvas and GIFT, which have no numerical multi-blank question, a multiple-choice question
  on the whole answer;
- an expression (expand, limit-definition, tangent line …) → multiple choice: the answer
  and its distractors (≥ 3, each from a named misconception), the distractor's "why" as the
  feedback to that option, the order shuffled by the problem's seed.

Numbers are exact. Tolerance 0 when the exact value is a terminating decimal (8.003,
−47/4 = −11.75); otherwise (−7/3) the question says "give the answer as a decimal rounded
to 4 decimal places" and the key is that rounding with tolerance 0.00005 (any typed number
that rounds to it). An answer of form "rounded:N" (the question already says how to round)
gets tolerance 0.5·10⁻ᴺ around its N-place key. Canvas keeps only 4 decimal places of a
typed number and turns numbers below 0.0001 into 0 (text2qti refuses such answers for the
same reason): there an answer needing more places, or 0, is asked as multiple choice.

The worked solution (quiz.json "solution") is the general feedback, the answer set in
`\\( … \\)` for the LMS's MathJax filter (LaTeX from answer_latex).

Categories: a single quiz files each problem under `$course$/quizgen/<kind>`. Several
versions of one quiz (a class set) become pools: each problem slot is a category
`$course$/quizgen/<title> <label>/<NN> <kind>` holding every version's problem for that
slot (Moodle: add "a random question" from each; GIFT the same categories; Canvas: a
question group per slot that picks 1).
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import random
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from xml.etree import ElementTree as ET

from quizgen.exact import NumberError, decimal_str, parse_number, terminates
from quizgen.keys import Key, QuizFileError, clip, quiz_keys

# --format name → the file it writes.
FILES = {"moodle": "moodle.xml", "qti": "canvas-qti.zip", "gift": "quiz.gift"}
ROUND_PLACES = 4  # a non-terminating exact answer is asked for rounded to this many places
CANVAS_PLACES = 4  # Canvas keeps this many decimal places of a typed number
MAX_TEXT = 20_000  # characters in one text field of a problem
MAX_LIST = 200  # entries in parts, solution, distractors, or lines of one step
WORDS = {"yes": ("yes", "no"), "no": ("yes", "no"), "rising": ("rising", "falling", "flat"),
         "falling": ("rising", "falling", "flat"), "flat": ("rising", "falling", "flat")}
# Characters XML 1.0 cannot hold (and GIFT/HTML have no use for): control characters but tab and
# newline, lone surrogates, U+FFFE/U+FFFF.
_BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class ExportError(QuizFileError):
    """quiz.json cannot be exported (a field the exports need is missing or malformed)."""


# ---------------------------------------------------------------- reading quiz.json


@dataclass(frozen=True)
class Number:
    """An exact numeric answer as an LMS takes it: the key written out, and the tolerance."""

    value: Fraction  # the exact answer
    shown: str  # the key as written in the file (a decimal)
    tolerance: Fraction  # absolute: |typed − shown| ≤ tolerance is right
    rounded: int | None = None  # the key is rounded to this many decimal places
    note: bool = False  # the export adds "rounded to ROUND_PLACES places" to the question (not quiz.json's form)

    @property
    def places(self) -> int:
        return len(self.shown.partition(".")[2])


@dataclass(frozen=True)
class Blank:
    """One part of a multi-part answer: a number, or a word from a menu."""

    label: str
    answer: str  # checker syntax
    answer_text: str
    number: Number | None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    text: str  # Unicode as printed
    correct: bool
    why: str  # for a wrong option: the misconception; "" for the right one
    answer: str  # checker syntax
    latex: str = ""  # LaTeX, when quiz.json gives it


@dataclass(frozen=True)
class Item:
    """One problem of quiz.json, ready for any of the formats."""

    number: int
    kind: str
    seed: int
    version: str
    prompt: str
    prompt_tex: str  # the prompt with each formula as LaTeX in \( … \) ("" when quiz.json has none)
    answer: str
    answer_text: str
    answer_latex: str
    meaning: str
    solution: tuple[tuple[str, tuple[str, ...]], ...]
    blanks: tuple[Blank, ...]  # one per part (one for a one-part problem)
    choices: tuple[Choice, ...]  # the answer and the distractors, in the order shown
    wrong: tuple[tuple[Number, str], ...]  # distractors that are numbers, with their why

    @property
    def name(self) -> str:
        return f"{self.number:02d} {self.kind}" + (f" · {self.version}" if self.version else "")

    @property
    def single(self) -> Number | None:
        """The numeric answer of a one-number problem."""
        return self.blanks[0].number if len(self.blanks) == 1 else None

    @property
    def short(self) -> bool:
        """No number to type and no wrong option to offer (quiz.json lists no distractor): the
        question can only compare the typed text with the answer (a short-answer question)."""
        return self.single is None and not self.fillable and len(self.choices) < 2

    def typed_forms(self) -> list[str]:
        """The texts a short-answer question accepts: the answer as printed, without spaces, and in
        ASCII (x^2 + 2xh)."""
        ascii_ = self.answer.replace("**", "^").replace("*", "")
        forms = [self.answer_text, self.answer_text.replace(" ", ""), ascii_, ascii_.replace(" ", "")]
        return list(dict.fromkeys(f.strip() for f in forms if f.strip()))

    @property
    def asked(self) -> tuple[Blank, ...]:
        """The blanks a Cloze question asks: the numbers and words (an expression part, such as
        f′(x) before its values, is left to the worked solution)."""
        return tuple(b for b in self.blanks if b.number is not None or b.words)

    @property
    def fillable(self) -> bool:
        """A Cloze question can ask this problem part by part: several parts, at least two of them
        numbers or words, and no part left out is the whole answer."""
        left = [b for b in self.blanks if b not in self.asked]
        return len(self.blanks) > 1 and len(self.asked) >= 2 and all(b.answer.strip() != self.answer.strip()
                                                                     for b in left)


def _bad(source: str, where: str, why: str) -> ExportError:
    return ExportError(f"{source}: {where}: {why}")


def _text(value: Any, what: str, where: str, source: str, *, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise _bad(source, where, f"{what} must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise _bad(source, where, f"{what} is {len(value):,} characters long (at most {MAX_TEXT:,})")
    bad = _BAD_CHARS.search(value)
    if bad:
        raise _bad(source, where, f"{what} holds the control character U+{ord(bad.group()):04X}")
    if not empty and not value.strip():
        raise _bad(source, where, f"{what} is empty")
    return value


def _list(value: Any, what: str, where: str, source: str) -> list[Any]:
    if not isinstance(value, list):
        raise _bad(source, where, f"'{what}' must be a list, not {type(value).__name__}")
    if len(value) > MAX_LIST:
        raise _bad(source, where, f"'{what}' has {len(value):,} entries (at most {MAX_LIST})")
    return value


def _fields(entry: Any, keys: Sequence[str], what: str, where: str, source: str) -> dict[str, str]:
    if not isinstance(entry, Mapping):
        raise _bad(source, where, f"{what} must be an object, not {type(entry).__name__}")
    out = {}
    for key in keys:
        if key not in entry:
            raise _bad(source, where, f"{what} has no {key!r}")
        out[key] = _text(entry[key], f"{what}'s {key!r}", where, source)
    return out


def _reads(key: Key, text: str) -> str:
    """The checker's verdict (correct, incorrect, invalid) on `text` against the problem's whole
    answer as quiz.json stores it (not its parts: the options of a multiple-choice question are
    whole answers)."""
    return _verdict(key.answer, key.form, key.rtol, key.atol, text)


@functools.lru_cache(maxsize=1 << 16)  # make --format moodle,qti,gift reads the same quiz three times
def _verdict(answer: str, form: str | None, rtol: float | None, atol: float | None, text: str) -> str:
    if text.strip() == answer.strip():
        return "correct"
    mine, other = _exact_list(answer), _exact_list(text)
    if mine is not None and other is not None and form in (None, "value") and rtol is None and atol is None:
        return "correct" if mine == other else "incorrect"  # exact numbers (or lists of them): no parser needed
    from quizgen.answers import check  # the parser loads only when something is not a plain number

    return check(text, answer, rtol=rtol, atol=atol, form=form).status


def _exact_list(answer: str) -> tuple[Fraction, ...] | None:
    """A number, or a list of numbers (2, 7, 49 or (−2.78, −1.89)), as exact values; else None."""
    inner = answer.strip()
    if inner[:1] == "(" and inner[-1:] == ")":
        inner = inner[1:-1]
    values = [_exact(piece) for piece in inner.split(",")]
    return None if any(v is None for v in values) else tuple(v for v in values if v is not None)


def _exact(answer: str) -> Fraction | None:
    """The answer as an exact number, or None when it is not a number (an expression, a word)."""
    try:
        return parse_number(answer)
    except NumberError:
        return None


def _round(q: Fraction, places: int) -> str:
    """q rounded half away from zero to `places` decimal places, written with exactly that many."""
    scaled = abs(q) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    digits = str(whole).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}" if places else digits
    return ("-" if q < 0 and whole else "") + text


def number_for(answer: str, form: str | None, tolerance: Mapping[str, Any] | None) -> Number | None:
    """How an LMS asks for the exact answer `answer` (checker syntax), or None if it is no number."""
    value = _exact(answer)
    if value is None:
        return None
    rounded = re.fullmatch(r"rounded:([0-9]{1,2})", form or "")
    if rounded:
        places = int(rounded[1])
        shown = _round(value, places)
        return Number(value, shown, Fraction(5, 10 ** (places + 1)), places)
    extra = Fraction(0)
    if tolerance:  # quiz.json's own tolerance (none of the kinds sets one today)
        atol = Fraction(str(tolerance.get("atol") or 0))
        rtol = Fraction(str(tolerance.get("rtol") or 0))
        extra = max(atol, rtol * abs(value))
    if terminates(value):
        return Number(value, decimal_str(value), extra)
    return Number(value, _round(value, ROUND_PLACES), max(extra, Fraction(5, 10 ** (ROUND_PLACES + 1))), ROUND_PLACES,
                  True)


_ORDINAL = ("1st", "2nd", "3rd")


def _blanks(label: str, answer: str, answer_text: str, form: str | None,
            tol: Mapping[str, Any] | None) -> list[Blank]:
    """The blanks of one part: a number, a word, or a list of numbers (``32.4, 32.04``,
    ``(−2.78, −1.89)``) cut into one blank per number; else one blank that is neither."""
    number = number_for(answer, form, tol)
    if number is not None:
        return [Blank(label, answer, answer_text, number)]
    word = answer.strip().lower()
    if word in WORDS:
        return [Blank(label, answer, answer_text, None, WORDS[word])]
    inner = answer.strip()
    if inner[:1] == "(" and inner[-1:] == ")":
        inner = inner[1:-1]
    pieces = [p.strip() for p in inner.split(",")]
    numbers = [number_for(p, form, tol) for p in pieces]
    if len(pieces) < 2 or any(n is None for n in numbers):
        return [Blank(label, answer, answer_text, None)]
    texts = [t.strip() for t in answer_text.strip().strip("()").split(",")]
    texts = texts if len(texts) == len(pieces) else pieces
    lead, _, inside = label.partition("(")  # "new (w₁, w₂)" → new w₁, new w₂
    names = [f"{lead.strip()} {n.strip()}".strip() for n in inside.rstrip(") ").split(",")] if inside else []
    if len(names) != len(pieces):
        ordinals = [_ORDINAL[i] if i < len(_ORDINAL) else f"{i + 1}th" for i in range(len(pieces))]
        names = [f"{label.strip()} ({o})" if label.strip() else f"{o} value" for o in ordinals]
    return [Blank(name, piece, text, num) for name, piece, text, num in zip(names, pieces, texts, numbers)]


def _items(quiz: Any, source: str) -> list[Item]:
    keys = quiz_keys(quiz, source, check_answers=False)  # the same checks as quizgen check: number, answer, …
    version = quiz.get("version") if isinstance(quiz.get("version"), str) else ""
    version = _text(version, "'version'", "the quiz", source)[:20]
    items = []
    for index, entry in enumerate(quiz["problems"], start=1):
        where = f"problem {entry['number']} (entry {index})"
        for key in ("prompt", "parts", "solution", "distractors"):
            if key not in entry:
                raise _bad(source, where, f"has no {key!r}: quiz.json of an older quizgen lacks the question's "
                                          "text; make the quiz again")
        kind = _text(entry.get("kind", ""), "'kind'", where, source)[:40] or "problem"
        seed = entry.get("seed")
        seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else 0
        form = entry.get("form") if isinstance(entry.get("form"), str) else None
        tol = entry.get("tolerance") if isinstance(entry.get("tolerance"), Mapping) else None
        answer = _text(entry["answer"], "'answer'", where, source, empty=False)
        answer_text = _text(entry.get("answer_text", answer), "'answer_text'", where, source, empty=False)
        answer_latex = _text(entry.get("answer_latex", ""), "'answer_latex'", where, source)
        prompt = _text(entry["prompt"], "'prompt'", where, source, empty=False)
        prompt_tex = _text(entry.get("prompt_tex", ""), "'prompt_tex'", where, source)
        meaning = _text(entry.get("meaning", ""), "'meaning'", where, source)
        blanks = []
        parts = _list(entry["parts"], "parts", where, source)
        if not parts:
            raise _bad(source, where, "'parts' is empty")
        # A part's own form (a neuron's output asked rounded to 4 places) is in graded_parts, by name.
        graded = entry.get("graded_parts") if isinstance(entry.get("graded_parts"), list) else []
        part_forms = {g["name"]: g["form"] for g in graded if isinstance(g, Mapping)
                      and isinstance(g.get("name"), str) and isinstance(g.get("form"), str)}
        for i, part in enumerate(parts, start=1):
            f = _fields(part, ("label", "answer", "answer_text"), f"part {i}", where, source)
            if not f["answer"].strip():
                raise _bad(source, where, f"part {i}'s 'answer' is empty")
            own = part.get("form") if isinstance(part.get("form"), str) else part_forms.get(f["label"], form)
            blanks.extend(_blanks(f["label"], f["answer"], f["answer_text"], own, tol))
        steps = []
        for i, step in enumerate(_list(entry["solution"], "solution", where, source), start=1):
            if not isinstance(step, Mapping) or "words" not in step or "lines" not in step:
                raise _bad(source, where, f"solution step {i} must be an object with 'words' and 'lines'")
            lines = _list(step["lines"], f"solution step {i}'s lines", where, source)
            steps.append((_text(step["words"], f"solution step {i}'s words", where, source),
                          tuple(_text(line, f"solution step {i}'s line", where, source) for line in lines)))
        distractors = []
        for i, d in enumerate(_list(entry["distractors"], "distractors", where, source), start=1):
            f = _fields(d, ("answer", "answer_text", "why"), f"distractor {i}", where, source)
            f["answer_latex"] = _text(d.get("answer_latex", ""), f"distractor {i}'s 'answer_latex'", where, source)
            distractors.append(f)
        stored = keys[entry["number"]]
        if _reads(stored, answer_text) == "incorrect":
            raise _bad(source, where, f"'answer_text' {clip(answer_text)!r} is not the answer {clip(answer)!r}: "
                                      "it would be shown as the right option")
        if len(parts) == 1 and _reads(stored, parts[0]["answer"]) == "incorrect":
            raise _bad(source, where, f"part 1's answer {clip(parts[0]['answer'])!r} is not the answer "
                                      f"{clip(answer)!r}")
        whole = _exact_list(answer)
        numbers = [v for part in parts for v in (_exact_list(part["answer"]) or ())]
        if len(parts) > 1 and whole is not None and len(numbers) == len(whole) and tuple(numbers) != whole:
            # The Cloze question grades the parts, the multiple-choice ones the answer: they must agree.
            raise _bad(source, where, f"the parts' numbers {clip(', '.join(p['answer'] for p in parts))!r} are not "
                                      f"the answer {clip(answer)!r}")
        right = Choice(answer_text, True, "", answer, answer_latex)
        options = [right]
        seen = {answer_text.strip()}
        wrong: list[tuple[Number, str]] = []
        mine = number_for(answer, form, tol)
        for d in distractors:
            if d["answer_text"].strip() in seen:
                continue  # never two options that read the same (nor one that reads as the answer)
            if "correct" in (_reads(stored, d["answer"]), _reads(stored, d["answer_text"])):
                continue  # a "wrong" option the checker grades right (4x² + 2 for 2 + 4x²) would mark a right pick wrong
            seen.add(d["answer_text"].strip())
            options.append(Choice(d["answer_text"], False, d["why"], d["answer"], d["answer_latex"]))
            other = number_for(d["answer"], form, tol)
            if mine is not None and other is not None and abs(other.value - mine.value) > other.tolerance + mine.tolerance:
                wrong.append((other, d["why"]))
        if not all(c.latex for c in options):  # all options typeset alike, or the odd one out gives it away
            options = [Choice(c.text, c.correct, c.why, c.answer) for c in options]
        random.Random(f"quizgen-lms-{seed}-{entry['number']}").shuffle(options)
        items.append(Item(entry["number"], kind, seed, version, prompt, prompt_tex, answer, answer_text, answer_latex, meaning,
                          tuple(steps), tuple(blanks), tuple(options), tuple(wrong)))
    return items


@dataclass(frozen=True)
class Group:
    """Questions filed together: a category (Moodle, GIFT) or a question group (Canvas).

    pick: a pool (a class set's slot): a quiz asks one of its questions at random.
    """

    title: str  # the category path below $course$/quizgen/
    items: tuple[Item, ...]
    pick: bool


def groups(quizzes: Sequence[Mapping[str, Any]], sources: Sequence[str], label: str = "") -> tuple[str, list[Group]]:
    """The quiz's title and its groups: by kind for one quiz; by slot (a pool) for several versions."""
    sets = [_items(q, s) for q, s in zip(quizzes, sources)]
    title = quizzes[0].get("title") if isinstance(quizzes[0].get("title"), str) else ""
    title = " ".join(_text(title, "'title'", "the quiz", sources[0]).split())[:200] or "quizgen quiz"
    if len(sets) == 1:
        by_kind: dict[str, list[Item]] = {}
        for item in sets[0]:
            by_kind.setdefault(item.kind, []).append(item)
        return title, [Group(kind, tuple(items), False) for kind, items in by_kind.items()]
    slots = len(sets[0])
    for quiz_items, source in zip(sets, sources):
        if len(quiz_items) != slots:
            raise ExportError(f"{source} has {len(quiz_items)} problems, the first version {slots}: "
                              "the versions of one class set have the same number of problems")
    base = _category_name(f"{title} {label}".strip())
    pools = []
    for n in range(slots):
        kinds = dict.fromkeys(items[n].kind for items in sets)
        pools.append(Group(f"{base}/{n + 1:02d} {'+'.join(kinds)}", tuple(items[n] for items in sets), True))
    return title, pools


def _category_name(text: str) -> str:
    """A category name without '/', which separates categories in Moodle's paths."""
    return text.replace("/", "\u2215")


# ---------------------------------------------------------------- shared text


def _html(text: str) -> str:
    return html.escape(text, quote=False)


def _math(latex: str, text: str) -> str:
    """A formula for MathJax (`\\( … \\)`) when LaTeX is known, else its Unicode text."""
    return f"\\({latex}\\)" if latex else _html(text)


def rounding_note(item: Item) -> str:
    """What a typed-number question adds when an exact answer is no terminating decimal."""
    if not any(b.number is not None and b.number.note for b in item.blanks):
        if any(b.number is not None and "/" in b.answer for b in item.blanks):
            return "Type numbers as decimals (a fraction such as 3/4 as 0.75)."
        return ""
    if len(item.blanks) == 1:
        return f"Give the answer as a decimal rounded to {ROUND_PLACES} decimal places."
    return (f"Type each number as a decimal: exactly if it terminates, otherwise rounded to {ROUND_PLACES} "
            "decimal places.")


SHORT_NOTE = ("Type the expression with its terms in the usual order, highest powers first (x^2 for x²). This "
              "question compares text: an equal expression written another way may be marked wrong, so check it "
              "against the worked solution.")


def choose_note(item: Item) -> str:
    """What a multiple-choice question on a multi-part problem asks: the parts its options give
    (the options are whole answers, e.g. w₁ alone, or f′ at each point in order)."""
    if len(item.blanks) < 2:
        return ""
    pieces = [p.strip() for p in item.answer.split(",")]
    answers = [b.answer.strip() for b in item.blanks]
    for start in range(len(answers) - len(pieces) + 1):
        if answers[start:start + len(pieces)] == pieces:
            labels = [b.label for b in item.blanks[start:start + len(pieces)]]
            if all(labels):
                if len(labels) == 1:
                    return f"Choose the value of {labels[0]}."
                return f"Choose the values of {', '.join(labels)}, in that order."
    return "Choose the answer."


def question_html(item: Item, extra: str = "", *, typed: bool = False) -> str:
    """The question as HTML: the prompt, then (typed: numbers are typed) the rounding note if
    any, or (a multiple-choice question on a multi-part problem) what to choose; and `extra`
    (a Cloze question's blanks)."""
    note = rounding_note(item) if typed else choose_note(item)
    if item.short:
        note = SHORT_NOTE
    return f"<p>{_html(item.prompt_tex or item.prompt)}</p>" + (f"<p>{_html(note)}</p>" if note else "") + extra


def solution_html(item: Item) -> str:
    """The worked solution as HTML: each step's words, then its lines; the answer; the meaning."""
    out = []
    for words, lines in item.solution:
        if words:
            out.append(f"<p>{_html(words)}</p>")
        if lines:
            out.append("<p>" + "<br>".join(_html(line) for line in lines) + "</p>")
    out.append(f"<p>Answer: {_math(item.answer_latex, item.answer_text)}</p>")
    if item.meaning:
        out.append(f"<p>{_html(item.meaning)}</p>")
    return "".join(out)


def _option(choice: Choice) -> str:
    """A multiple-choice option as HTML: LaTeX for MathJax when every option has it, else text."""
    return _math(choice.latex, choice.text)


def _plain(value: Fraction | str) -> str:
    return value if isinstance(value, str) else decimal_str(value)


# ---------------------------------------------------------------- Moodle XML


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _text_el(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = _sub(parent, tag, **({"format": fmt} if fmt else {}))
    _sub(el, "text", text)
    return el


def _moodle_head(quiz: ET.Element, item: Item, qtype: str, text: str) -> ET.Element:
    q = _sub(quiz, "question", type=qtype)
    _text_el(q, "name", item.name, None)
    _text_el(q, "questiontext", text)
    _text_el(q, "generalfeedback", solution_html(item))
    if qtype != "cloze":
        _sub(q, "defaultgrade", "1")
    _sub(q, "penalty", "0.3333333")
    _sub(q, "hidden", "0")
    return q


def _cloze_escape(text: str) -> str:
    """Text inside a Cloze sub-question ({1:…}): these characters are escaped with a backslash."""
    return re.sub(r'([}#~/"\\])', r"\\\1", text)


def _braces(html_text: str) -> str:
    """HTML around a Cloze question's blanks: braces as entities, so no text ({1:NUMERICAL:=0}, {#1})
    reads as a blank of Moodle's; the browser (and MathJax) still sees { and }."""
    return html_text.replace("{", "&#123;").replace("}", "&#125;")


def _cloze(blank: Blank) -> str:
    if blank.number is not None:
        n = blank.number
        return f"{{1:NUMERICAL:={n.shown}:{_plain(n.tolerance)}}}"
    options = "~".join(("=" if w == blank.answer.strip().lower() else "") + _cloze_escape(w) for w in blank.words)
    return f"{{1:MULTICHOICE:{options}}}"


def _moodle_item(quiz: ET.Element, item: Item) -> None:
    number = item.single
    if number is not None:
        q = _moodle_head(quiz, item, "numerical", question_html(item, typed=True))
        answers = [(number, "100", "Correct.")] + [(n, "0", why) for n, why in item.wrong]
        for n, fraction, says in answers:
            a = _sub(q, "answer", fraction=fraction, format="moodle_auto_format")
            _sub(a, "text", n.shown)
            _text_el(a, "feedback", _html(says))
            _sub(a, "tolerance", _plain(n.tolerance))
        _sub(q, "unitgradingtype", "0")
        _sub(q, "unitpenalty", "0.1000000")
        _sub(q, "showunits", "3")
        _sub(q, "unitsleft", "0")
        return
    if item.fillable:
        rows = "".join(f"<p>{_braces(_html(b.label or '/'.join(b.words)))}{' = ' if b.number is not None else ': '}"
                       f"{_cloze(b)}</p>" for b in item.asked)
        left = [b.label or b.answer_text for b in item.blanks if b not in item.asked]
        if left:
            rows += f"<p>({_braces(_html(', '.join(left)))}: in the worked solution.)</p>"
        _moodle_head(quiz, item, "cloze", _braces(question_html(item, typed=True)) + rows)
        return
    if item.short:
        q = _moodle_head(quiz, item, "shortanswer", question_html(item))
        _sub(q, "usecase", "0")
        for form in item.typed_forms():
            a = _sub(q, "answer", fraction="100", format="moodle_auto_format")
            _sub(a, "text", form.replace("*", "\\*"))  # * is Moodle's wildcard
            _text_el(a, "feedback", "Correct.")
        return
    q = _moodle_head(quiz, item, "multichoice", question_html(item))
    _sub(q, "single", "true")
    _sub(q, "shuffleanswers", "true")
    _sub(q, "answernumbering", "abc")
    _sub(q, "showstandardinstruction", "0")
    _text_el(q, "correctfeedback", "Correct.")
    _text_el(q, "partiallycorrectfeedback", "")
    _text_el(q, "incorrectfeedback", "")
    for choice in item.choices:
        a = _sub(q, "answer", fraction="100" if choice.correct else "0", format="html")
        _sub(a, "text", _option(choice))
        _text_el(a, "feedback", "Correct." if choice.correct else _html(choice.why))


def moodle_xml(title: str, groups_: Sequence[Group]) -> bytes:
    """Moodle XML (question/format/xml): a category question before each group's questions."""
    quiz = ET.Element("quiz")
    for group in groups_:
        c = _sub(quiz, "question", type="category")
        _text_el(c, "category", f"$course$/quizgen/{group.title}", None)
        info = (f"{title}: one question of this category per quiz (a random question)" if group.pick
                else f"{title}: problems of kind {group.title}")
        _text_el(c, "info", _html(info), "html")
        for item in group.items:
            _moodle_item(quiz, item)
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode").encode() + b"\n"


# ---------------------------------------------------------------- Canvas QTI 1.2 (text2qti's XML)

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _ident(*parts: Any) -> str:
    return "g" + hashlib.sha256(repr(parts).encode()).hexdigest()[:30]


def canvas_numerical(item: Item) -> bool:
    """True when Canvas can take the answer as a typed number (else: multiple choice)."""
    n = item.single
    if n is None:
        return False
    if len(item.choices) < 2:
        return True  # no wrong option to offer: typed it is
    if n.value == 0:
        return False
    low = abs(Fraction(n.shown)) - n.tolerance
    return n.places <= CANVAS_PLACES and low >= Fraction(1, 10**CANVAS_PLACES)


def _meta(parent: ET.Element, fields: Sequence[tuple[str, str]]) -> None:
    md = _sub(parent, "qtimetadata")
    for label, entry in fields:
        f = _sub(md, "qtimetadatafield")
        _sub(f, "fieldlabel", label)
        _sub(f, "fieldentry", entry)


def _mattext(parent: ET.Element, text: str) -> None:
    _sub(_sub(parent, "material"), "mattext", text, texttype="text/html")


def _feedback(item_el: ET.Element, ident: str, text: str) -> None:
    fb = _sub(item_el, "itemfeedback", ident=ident)
    _mattext(_sub(fb, "flow_mat"), text)


def _qti_item(section: ET.Element, item: Item, salt: str) -> None:
    qid = _ident("item", salt, item.version, item.number, item.seed)
    el = _sub(section, "item", ident=qid, title=item.name)
    numerical = canvas_numerical(item)
    if item.short:
        _qti_short(el, item, qid)
        return
    choice_ids = [_ident("choice", qid, i) for i in range(len(item.choices))]
    _meta(_sub(el, "itemmetadata"), [
        ("question_type", "numerical_question" if numerical else "multiple_choice_question"),
        ("points_possible", "1"),
        ("original_answer_ids", _ident("numerical", qid) if numerical else ",".join(choice_ids)),
        ("assessment_question_identifierref", _ident("ref", qid)),
    ])
    pres = _sub(el, "presentation")
    _mattext(pres, question_html(item, typed=numerical))
    proc = _sub(el, "resprocessing")
    _sub(_sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    general = _sub(proc, "respcondition", **{"continue": "Yes"})
    _sub(_sub(general, "conditionvar"), "other")
    _sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    if numerical:
        n = item.single
        assert n is not None
        fib = _sub(_sub(pres, "response_str", ident="response1", rcardinality="Single"), "render_fib",
                   fibtype="Decimal")
        _sub(fib, "response_label", ident="answer1")
        right = _sub(proc, "respcondition", **{"continue": "No"})
        either = _sub(_sub(right, "conditionvar"), "or")
        _sub(either, "varequal", n.shown, respident="response1")
        span = _sub(either, "and")
        _sub(span, "vargte", _plain(Fraction(n.shown) - n.tolerance), respident="response1")
        _sub(span, "varlte", _plain(Fraction(n.shown) + n.tolerance), respident="response1")
        _sub(right, "setvar", "100", action="Set", varname="SCORE")
        _feedback(el, "general_fb", solution_html(item))
        return
    render = _sub(_sub(pres, "response_lid", ident="response1", rcardinality="Single"), "render_choice")
    for cid, choice in zip(choice_ids, item.choices):
        label = _sub(render, "response_label", ident=cid)
        _mattext(label, _option(choice))
    for cid, choice in zip(choice_ids, item.choices):
        if not choice.correct:
            cond = _sub(proc, "respcondition", **{"continue": "Yes"})
            _sub(_sub(cond, "conditionvar"), "varequal", cid, respident="response1")
            _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=f"{cid}_fb")
    right_id = next(cid for cid, c in zip(choice_ids, item.choices) if c.correct)
    right = _sub(proc, "respcondition", **{"continue": "No"})
    _sub(_sub(right, "conditionvar"), "varequal", right_id, respident="response1")
    _sub(right, "setvar", "100", action="Set", varname="SCORE")
    _feedback(el, "general_fb", solution_html(item))
    for cid, choice in zip(choice_ids, item.choices):
        if not choice.correct:
            _feedback(el, f"{cid}_fb", _html(choice.why))


def _qti_short(el: ET.Element, item: Item, qid: str) -> None:
    """A Canvas short_answer_question (text2qti's XML): the typed text must equal one of the forms."""
    forms = item.typed_forms()
    _meta(_sub(el, "itemmetadata"), [
        ("question_type", "short_answer_question"), ("points_possible", "1"),
        ("original_answer_ids", ",".join(_ident("form", qid, i) for i in range(len(forms)))),
        ("assessment_question_identifierref", _ident("ref", qid)),
    ])
    pres = _sub(el, "presentation")
    _mattext(pres, question_html(item))
    fib = _sub(_sub(pres, "response_str", ident="response1", rcardinality="Single"), "render_fib")
    _sub(fib, "response_label", ident="answer1", rshuffle="No")
    proc = _sub(el, "resprocessing")
    _sub(_sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    general = _sub(proc, "respcondition", **{"continue": "Yes"})
    _sub(_sub(general, "conditionvar"), "other")
    _sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    right = _sub(proc, "respcondition", **{"continue": "No"})
    cond = _sub(right, "conditionvar")
    for form in forms:
        _sub(cond, "varequal", form, respident="response1")
    _sub(right, "setvar", "100", action="Set", varname="SCORE")
    _feedback(el, "general_fb", solution_html(item))


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode() + b"\n"


def qti_zip(title: str, groups_: Sequence[Group]) -> bytes:
    """A QTI 1.2 package as Canvas imports it (the files and XML text2qti writes)."""
    every = [item for g in groups_ for item in g.items]
    salt = repr(sorted((i.version, i.number, i.seed) for i in every))
    quiz_id = _ident("quiz", title, salt)
    assessment_id, manifest_id, dependency_id = (f"{quiz_id}_{w}" for w in ("assessment", "manifest", "dependency"))
    # The namespaces are written as the root's attributes (as text2qti's text has them); the
    # elements are built unqualified, so ElementTree writes no prefixes.
    root = ET.Element("questestinterop", {"xmlns": QTI_NS, "xmlns:xsi": _XSI,
                                          "xsi:schemaLocation": f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    assessment = _sub(root, "assessment", ident=assessment_id, title=title)
    _meta(assessment, [("cc_maxattempts", "1")])
    top = _sub(assessment, "section", ident="root_section")
    points = 0
    for group in groups_:
        if group.pick:
            section = _sub(top, "section", ident=_ident("group", quiz_id, group.title), title=group.title.rpartition("/")[2])
            sel = _sub(_sub(section, "selection_ordering"), "selection")
            _sub(sel, "selection_number", "1")
            _sub(_sub(sel, "selection_extension"), "points_per_item", "1")
            points += 1
        else:
            section = top
            points += len(group.items)
    # Without pools the questions keep the quiz's order (groups by kind are a Moodle/GIFT filing).
    if not any(g.pick for g in groups_):
        for item in sorted(every, key=lambda i: i.number):
            _qti_item(top, item, quiz_id)
    else:
        for group, section in zip(groups_, top.findall("section")):
            for item in group.items:
                _qti_item(section, item, quiz_id)
    meta = ET.Element("quiz", {"identifier": assessment_id, "xmlns": "http://canvas.instructure.com/xsd/cccv1p0",
                               "xmlns:xsi": _XSI, "xsi:schemaLocation": "http://canvas.instructure.com/xsd/cccv1p0 "
                               "https://canvas.instructure.com/xsd/cccv1p0.xsd"})
    for tag, text in (("title", title), ("description", ""), ("shuffle_answers", "true"),
                      ("scoring_policy", "keep_highest"), ("hide_results", ""), ("quiz_type", "assignment"),
                      ("points_possible", f"{points:.1f}"), ("show_correct_answers", "true"),
                      ("anonymous_submissions", "false"), ("allowed_attempts", "1"),
                      ("one_question_at_a_time", "false"), ("cant_go_back", "false"), ("available", "false")):
        _sub(meta, tag, text)
    assignment = _sub(meta, "assignment", identifier=f"{quiz_id}_assignment")
    for tag, text in (("title", title), ("workflow_state", "unpublished"), ("quiz_identifierref", assessment_id),
                      ("points_possible", f"{points:.1f}"), ("grading_type", "points"),
                      ("submission_types", "online_quiz")):
        _sub(assignment, tag, text)
    _sub(meta, "assignment_group_identifierref", f"{quiz_id}_assignment-group")
    manifest = _manifest(manifest_id, assessment_id, dependency_id, title)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("imsmanifest.xml", manifest), ("non_cc_assessments/", b""),
                           (f"{assessment_id}/assessment_meta.xml", _xml(meta)),
                           (f"{assessment_id}/{assessment_id}.xml", _xml(root))):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # the same bytes for the same quiz
            info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else zipfile.ZIP_DEFLATED
            info.external_attr = (0o40755 << 16 | 0x10) if name.endswith("/") else 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()


def _manifest(manifest_id: str, assessment_id: str, dependency_id: str, title: str) -> bytes:
    root = ET.Element("manifest", {
        "identifier": manifest_id, "xmlns": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
        "xmlns:imsmd": "http://www.imsglobal.org/xsd/imsmd_v1p2", "xmlns:xsi": _XSI,
        "xsi:schemaLocation": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1 "
        "http://www.imsglobal.org/xsd/imscp_v1p1.xsd http://www.imsglobal.org/xsd/imsmd_v1p2 "
        "http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd"})
    meta = _sub(root, "metadata")
    _sub(meta, "schema", "IMS Content")
    _sub(meta, "schemaversion", "1.1.3")
    lom = _sub(meta, "imsmd:lom")
    _sub(_sub(_sub(lom, "imsmd:general"), "imsmd:title"), "imsmd:string", title)
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    res = _sub(resources, "resource", identifier=assessment_id, type="imsqti_xmlv1p2")
    _sub(res, "file", href=f"{assessment_id}/{assessment_id}.xml")
    _sub(res, "dependency", identifierref=dependency_id)
    dep = _sub(resources, "resource", identifier=dependency_id,
               type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
               href=f"{assessment_id}/assessment_meta.xml")
    _sub(dep, "file", href=f"{assessment_id}/assessment_meta.xml")
    return _xml(root)


# ---------------------------------------------------------------- GIFT


def gift_escape(text: str) -> str:
    """Text for a GIFT file: a backslash before ~ = # { } : and the backslash itself; one line."""
    text = " ".join(text.splitlines())
    return re.sub(r"([\\~=#{}:])", r"\\\1", text)


def _gift_lead(text: str) -> str:
    """An option's text as GIFT may start it: a leading %N% would be read as the option's weight, a
    leading [format] as its format; both written as HTML entities (the options are HTML)."""
    if text.startswith("%"):
        return "&#37;" + text[1:]
    if text.startswith("["):
        return "&#91;" + text[1:]
    return text


def _gift_item(item: Item) -> str:
    number = item.single
    head = f"::{gift_escape(item.name)}::[html]{gift_escape(question_html(item, typed=number is not None))}"
    general = gift_escape(solution_html(item))
    if number is not None:
        answers = [f"={number.shown}:{_plain(number.tolerance)}#{gift_escape('Correct.')}"]
        answers += [f"=%0%{n.shown}:{_plain(n.tolerance)}#{gift_escape(_html(why))}" for n, why in item.wrong]
        return f"{head}{{#\n\t" + "\n\t".join(answers) + f"\n\t####{general}\n}}"
    if item.short:
        forms = [f"={gift_escape(form)}#{gift_escape('Correct.')}" for form in item.typed_forms()]
        return f"{head}{{\n\t" + "\n\t".join(forms) + f"\n\t####{general}\n}}"
    options = [("=" if c.correct else "~") + _gift_lead(gift_escape(_option(c)))
               + f"#{gift_escape('Correct.' if c.correct else _html(c.why))}" for c in item.choices]
    return f"{head}{{\n\t" + "\n\t".join(options) + f"\n\t####{general}\n}}"


def gift(title: str, groups_: Sequence[Group]) -> bytes:
    """GIFT (Moodle's text format): a $CATEGORY line before each group's questions."""
    out = [f"// {' '.join(title.splitlines())}: made by quizgen (quiz.json); import in Moodle as GIFT", ""]
    for group in groups_:
        out += [f"$CATEGORY: $course$/quizgen/{' '.join(group.title.splitlines())}", ""]
        for item in group.items:
            out += [_gift_item(item), ""]
    return "\n".join(out).encode()


# ---------------------------------------------------------------- entry point

WRITERS = {"moodle": moodle_xml, "qti": qti_zip, "gift": gift}


def export_bytes(fmt: str, quizzes: Sequence[Mapping[str, Any]], sources: Sequence[str] | None = None,
                 label: str = "") -> bytes:
    """The file of format `fmt` (moodle, qti, gift) for one quiz.json dict, or for several
    versions of one class set (then each problem slot is a pool); ExportError when a quiz
    lacks what the export needs."""
    sources = list(sources) if sources is not None else ["quiz.json"] * len(quizzes)
    title, found = groups(quizzes, sources, label)
    return WRITERS[fmt](title, found)
