"""Class sets: one version of a quiz per student (quizgen make --versions N | --roster FILE).

Fair versions. The run's seed draws each slot's *shape* once: slot n's kind (the kinds in
walkthrough order, as a single run cycles them), its step h (for kinds that take one) and
its learning rate η (gradient-step, partial-derivatives), and, from _SAMPLES sample
problems, the slot's answer form (answer_form: a fraction or not, a decimal or not, a
given point of 0 or not — the commonest form, one without a zero point whenever a sample
has it) and size band (the number of digits in the exact answer, the middle sample's).
Every version then draws its own numbers (f, a, w₀, …) for that shape from its own seed,
keeping only problems of the slot's form whose answer has within SIZE_SLACK digits of
the slot's size. So all versions have the same kinds in the same order, the same h and η
in each slot (so all decimal or all fractional), answers of the same form and similar
length, no f(0) for one student only, and no two versions have the same problem data; a
slot repeats a problem of another version only when the pinned values leave too few
different problems.

A worksheet spec (--spec S --versions N): each section's entries are slots in turn, with that
section's kinds, pins, degree, difficulty and heading; a slot whose pinned values leave one problem
(every value its kind uses pinned) is the same in every version (Slot.fixed; a note says which),
and a spec of only such slots is refused. The manifest then records the parsed spec ("spec":
spec_json), read back by quizgen.spec.spec_from_json with the spec file's own checks.

Seeds: version i's seed is a hash of the run's seed, i and a retry counter (bumped when
its version code or its problems equal an earlier version's); each problem's seed is a
hash of the version's seed, the slot and a retry counter. Everything is a function of the
run's seed, the options and the roster, so `--rebuild CODE --manifest manifest.json`
makes the same version again, byte for byte in HTML and JSON.

Output (one unit, outdir.staged): DIR/manifest.json, a folder NN-CODE per version with the
files of a single run, all-worksheets.pdf and all-keys.pdf (each version starting on an
odd page: blank pages added, so double-sided printing never mixes two students) and
answers.pdf (a line per version). Versions are rendered in forked workers, one per core,
each version written to the staging folder as soon as it is done. When they are all done
the rendering workers end, and a fresh pair of workers makes answers.pdf and joins the
versions' PDFs into the combined ones (quizgen.pdfjoin: streamed, one version's file at a
time, tags kept), so WeasyPrint's workers and the joins never hold memory at once.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import random
import re
import signal
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizgen import __version__, outdir
from quizgen.errors import InputError, QuizgenError, clip
from quizgen.exact import Style, is_decimal_text, parse_number
from quizgen.generate import (Options, Section, _options_json, _shown_key, build_problem, level, parse_pins,
                              pinned_function_refused, pinned_unused, practice_pools, version_code)
from quizgen.kinds import DEFAULT_KINDS, KINDS, Kind
from quizgen.levels import DEFAULT_LEVEL
from quizgen.lms import FILES as LMS_FILES
from quizgen.makeoptions import check_class_size, check_options
from quizgen.model import DEFAULT_COUNT, DEFAULT_VARIANTS, MAX_COUNT, MAX_PAGE_VARIANTS, Pins, Problem, Quiz
from quizgen.practice import Variant
from quizgen.roster import Student
from quizgen.userfile import read_at_most

SIZE_SLACK = 2  # digits an answer may differ from its slot's reference answer
_PROBLEM_TRIES = 80  # draws per slot and version
_SAMPLES = 15  # sample problems that set a slot's form and size
_FRESH_TRIES = 40  # of those, how many insist on a problem no earlier version had in this slot
_VERSION_TRIES = 30
COMBINED = ("all-worksheets.pdf", "all-keys.pdf", "answers.pdf")
# The LMS exports of a class set are written once, beside manifest.json, each problem slot a pool.
CLASS_FILES = frozenset({"manifest.json", *COMBINED, *LMS_FILES.values()})
# A class set may replace a folder holding a single run's files (worksheet.pdf, …), never other files.
REPLACEABLE = CLASS_FILES | frozenset({"worksheet.html", "key.html", "worksheet.pdf", "key.pdf", "quiz.json",
                                       "practice.html"})
FOLDER = re.compile(r"\d{2,3}-[A-HJ-NP-Z2-9]{5}\Z")
# manifest.json's "format". 2: practice.html's "New numbers" come from one pool per slot, drawn once for the
# class (class_pools). A manifest without it (1) was made when each version drew its own (generate.practice_pools):
# --rebuild draws them so again, so its practice.html is the same, byte for byte. 3: the pictures (the key's, and
# the worksheet's with --plots worksheet) are written by quizgen.plots' lean SVG writer; a set of format 1 or 2
# rebuilt now gets the same pictures drawn that way, so its HTML differs in those images (picture_note says so).
# 4: a formula written with spaces in a sentence of the key (w₁ = 0.25, in a caption or a step) is one no-break
# span (mathtex.prose_html); a set of format 1-3 rebuilt now has those spans in its HTML (rebuild_note says so).
# 5: a slot's pool holds no version's problem of that slot (before, only the page's own version's was left out, so
# a page could show a classmate's quiz problem); --rebuild of a format 2-4 set draws its pools as they were drawn.
FORMAT = 5
PICTURES_FORMAT = 3
PROSE_FORMAT = 4
APART_FORMAT = 5
# A no-break span of prose holding a space: only prose_html's formulas since format 4 (before, none held one).
_GLUED = re.compile(rb'<span class="nw">[^<]* [^<]*</span>')
_POOL_TRIES = 4  # draws per pool problem wanted (plus 20): a pool keeps only problems of its slot's form


def derive(*parts: Any) -> int:
    """A 48-bit seed from the parts (a hash: the same parts, the same seed, on every machine)."""
    return int.from_bytes(hashlib.sha256(repr(("quizgen-class",) + parts).encode()).digest()[:6], "big")


@dataclass(frozen=True)
class Slot:
    """What every version's problem n shares: kind, pinned values and the answer-size band."""

    number: int
    kind: str
    pins: Pins
    step: str | None  # as written, for the manifest and README
    rate: str | None
    size: int  # digits in the reference answer
    form: tuple[bool, bool, bool] = (False, False, False)  # answer_form of every version's problem n
    degree: int = 2
    difficulty: str = DEFAULT_LEVEL
    part: int = 0  # a spec's section (1-based), 0 without a spec
    heading: str = ""  # that section's heading, on every version's pages
    fixed: bool = False  # a spec's slot whose pinned values leave one problem: the same in every version


@dataclass(frozen=True)
class ClassOptions:
    """A class run's options: the quiz options and how the pages are rendered."""

    options: Options
    formats: tuple[str, ...] = ("html", "pdf", "json", "practice")
    paper: str = "a4"
    layout: str = "normal"
    plots: str = "key"
    answer_bank: bool = False
    variants: int = DEFAULT_VARIANTS  # practice.html's other numbers per problem (--variants)
    # A class set of a worksheet spec (--spec S --versions N): its sections and instructions; the
    # options then hold only the title, the style and the total count (the sections set the rest).
    sections: tuple[Section, ...] = ()
    instructions: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.sections:
            o = self.options
            return {"count": o.count, "title": o.title, **({"style": o.style} if o.style != "open" else {}),
                    "formats": list(self.formats), "paper": self.paper, "layout": self.layout, "plots": self.plots,
                    "answer_bank": self.answer_bank, "variants": self.variants}
        return {**_options_json(self.options), "difficulty": self.options.difficulty,
                **({"rate": self.options.rate} if self.options.rate else {}),
                "formats": list(self.formats), "paper": self.paper, "layout": self.layout,
                "plots": self.plots, "answer_bank": self.answer_bank, "variants": self.variants}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClassOptions:
        """Options as to_json wrote them, checked by makeoptions.check_options (InputError names the key)."""
        o = check_options(data)
        options = Options(count=o["count"], kinds=o["kinds"] or DEFAULT_KINDS, degree=o["degree"],
                          function=o["function"], point=o["point"], step=o["step"], title=o["title"],
                          difficulty=o["difficulty"], rate=o["rate"], style=o["style"])
        return cls(options, o["formats"] or cls.formats, o["paper"], o["layout"], o["plots"], o["answer_bank"],
                   o["variants"])


@dataclass(frozen=True)
class Version:
    index: int  # 1-based
    code: str
    seed: int
    folder: str
    student: Student | None
    quiz: Quiz = field(repr=False)
    slots: tuple[Slot, ...] = field(default=(), repr=False, compare=False)  # the class's slots (plan_slots)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "seed": self.seed, "folder": self.folder,
                "student": self.student.to_json() if self.student else None}


def answer_size(problem: Problem) -> int:
    """How long the exact answer is: its number of digits (h = 0.001 and 9.008003 give 7)."""
    return sum(ch.isdigit() for ch in problem.answer.plain)


def answer_form(problem: Problem) -> tuple[bool, bool, bool]:
    """What kind of numbers a problem asks to work with: (the answer has a fraction, the answer has a
    decimal, a given point is 0). Versions of one slot share it: no version gets whole-number answers
    where another must work with fractions, or f(0) where another evaluates at 3."""
    t = problem.task
    given = [v for v in (t.point, t.start) if v is not None] + list(t.points) + list(t.at)
    return ("/" in problem.answer.plain, "." in problem.answer.plain, any(v == 0 for v in given))


def _data_key(problem: Problem) -> tuple[Any, ...]:
    t = problem.task
    # Every field of the given data: the neural-network kinds' problems differ only in values, shape, data.
    return (problem.kind, t.coeffs, t.point, t.points, t.step, t.terms, t.at, t.start, t.rate, t.steps, t.variables,
            t.iterations, t.values, t.shape, t.data)


def plan_slots(options: Options, run_seed: int, sections: Sequence[Section] = ()) -> list[Slot]:
    """Each slot's shape, drawn once from the run's seed (see the module's text). With a spec's
    `sections`, each section's slots in turn, with its kinds, pins, degree and difficulty."""
    rng = random.Random(derive(run_seed, "shapes"))
    slots: list[Slot] = []
    if not sections:
        _plan_part(options, run_seed, rng, slots)
        return slots
    for part, section in enumerate(sections, start=1):
        try:
            _plan_part(section.options, run_seed, rng, slots, part, section.heading)
        except InputError as exc:
            if exc.section is not None:
                raise
            raise exc.in_section(part, section.heading) from None
    return slots


def _plan_part(options: Options, run_seed: int, rng: random.Random, slots: list[Slot], part: int = 0,
               heading: str = "") -> None:
    """Append the slots of one set of options (the whole class, or one section of a spec) to `slots`."""
    unknown = [k for k in options.kinds if k not in KINDS]
    if unknown:
        raise InputError("unknown kind", field="kinds", value=unknown[0])
    count = DEFAULT_COUNT if options.count is None else options.count
    if not 1 <= count <= MAX_COUNT:
        raise InputError(f"choose 1 to {MAX_COUNT}", field="count", value=str(count))
    lvl = level(options.difficulty)
    user = parse_pins(options)
    order = [KINDS[k] for k in dict.fromkeys(options.kinds)]
    if user.coeffs is not None:
        order = [kind for kind in order if kind.takes_function]
        if not order:
            raise InputError(pinned_function_refused(options.kinds), field="function")
    if (unused := pinned_unused(order, user)) is not None:
        raise unused
    for i in range(1, count + 1):
        n = len(slots) + 1
        kind = order[(i - 1) % len(order)]
        step_text = rate_text = None
        step, rate, decimal = user.step, user.rate, user.decimal
        if step is None:
            # Drawn for every slot: a kind without h still shows its numbers in h's style (1.5 or 3/2).
            small = [t for t in lvl.steps if kind.max_step is None or abs(parse_number(t)) <= kind.max_step]
            drawn = rng.choice(small or list(lvl.steps))
            step = parse_number(drawn)
            decimal = decimal or is_decimal_text(drawn)
            step_text = drawn if "step" in kind.needs else None
        elif "step" in kind.needs:
            step_text = options.step
        if "rate" in kind.needs:
            if rate is None:
                rate_text = rng.choice(lvl.rates)
                rate = parse_number(rate_text)
                decimal = decimal or is_decimal_text(rate_text)
            else:
                rate_text = options.rate
        pins = Pins(user.coeffs, user.point, step, decimal, rate)
        # The slot's form is the commonest among a few sample problems (a point of 0 only if nothing else
        # comes up), so that most draws of every version have it; its size is the middle sample's of that form.
        samples = _samples(kind, n, run_seed, options, pins)
        if not samples and rate_text is not None and user.rate is None:
            # A kind with rates of its own (training-steps at hard needs one too large) may take none of the
            # level's: the slot takes the rate the kind draws itself, still one rate for every version.
            own = _samples(kind, n, run_seed, options, Pins(user.coeffs, user.point, step, decimal, None), 1)
            if own and own[0].task.rate is not None:
                rate = own[0].task.rate
                rate_text = Style(decimal=True).plain(rate)
                pins = Pins(user.coeffs, user.point, step, decimal or is_decimal_text(rate_text), rate)
                samples = _samples(kind, n, run_seed, options, pins)
        if not samples:
            raise InputError(f"the pinned values allow no {kind.id} problem", field="kinds")
        forms = Counter(answer_form(p) for p in samples)
        form = min(forms, key=lambda f: (f[2], -forms[f], f))
        sizes = sorted(answer_size(p) for p in samples if answer_form(p) == form)
        # A spec may pin every value a problem uses (the walkthrough's f, a and h): then every draw is one problem.
        fixed = bool(part) and len({_data_key(p) for p in samples}) == 1
        slots.append(Slot(n, kind.id, pins, step_text, rate_text, sizes[len(sizes) // 2], form, options.degree,
                          options.difficulty, part, heading, fixed))


def _samples(kind: Kind, n: int, run_seed: int, options: Options, pins: Pins, wanted: int = _SAMPLES) -> list[Problem]:
    """Up to `wanted` problems of slot n's kind and pins, from the run's seed, in at most _PROBLEM_TRIES draws."""
    samples: list[Problem] = []
    ref_rng = random.Random(derive(run_seed, "reference", n))
    for _ in range(_PROBLEM_TRIES):
        sample = build_problem(kind, n, ref_rng.getrandbits(48), options.degree, pins, options.difficulty)
        if sample is not None:
            samples.append(sample)
            if len(samples) == wanted:
                break
    return samples


def fixed_problems(slots: Sequence[Slot]) -> str | None:
    """A note naming a spec's problems that are the same in every version (all their values pinned),
    or None when every problem varies."""
    fixed = [slot for slot in slots if slot.fixed]
    if not fixed:
        return None
    numbers = _ranges([slot.number for slot in fixed])
    parts = _ranges(sorted({slot.part for slot in fixed}))
    one = len(fixed) == 1
    return (f"problem{'' if one else 's'} {numbers} (section{'' if ',' not in parts and '–' not in parts else 's'} "
            f"{parts}) {'is' if one else 'are'} the same in every version: the spec pins every value "
            f"{'it uses' if one else 'they use'}; the other problems differ")


def _ranges(numbers: Sequence[int]) -> str:
    """1, 2, 3, 5 → '1–3, 5'."""
    out: list[str] = []
    for n in numbers:
        if out and out[-1].split("–")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('–')[0]}–{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def _draw(slot: Slot, options: Options, version_seed: int, taken: set[tuple[Any, ...]],
          earlier: set[tuple[Any, ...]]) -> Problem:
    """Slot `slot` of one version: of the slot's form, in its size band, new to this version, new to the
    slot if possible; else the draw that fits best (form first, then size)."""
    kind = KINDS[slot.kind]
    fallback = None
    fallback_fit = (False, False)
    for k in range(_PROBLEM_TRIES):
        problem = build_problem(kind, slot.number, derive(version_seed, slot.number, k), slot.degree, slot.pins,
                                slot.difficulty, slot.heading)
        if problem is None:
            continue
        key = _data_key(problem)
        if key in taken:
            continue
        fit = (answer_form(problem) == slot.form, abs(answer_size(problem) - slot.size) <= SIZE_SLACK)
        if all(fit) and (slot.fixed or key not in earlier or k >= _FRESH_TRIES):
            return problem
        if fallback is None or fit > fallback_fit:
            fallback, fallback_fit = problem, fit
    if fallback is None:
        error = InputError(f"problem {slot.number} ({slot.kind}): the pinned values allow too few different problems",
                           field="count")
        raise error.in_section(slot.part, slot.heading) if slot.part else error
    return fallback


def make_versions(copt: ClassOptions, run_seed: int, students: Sequence[Student | None],
                  progress: Callable[[], None] | None = None, total: int | None = None,
                  notes: list[str] | None = None) -> list[Version]:
    """Every version's problems (no rendering): fair, different, and the same for the same inputs.

    `total` is the class's size when only its first versions are wanted (--rebuild); `notes`, when
    given, receives what a teacher should know (a spec's problems that are the same in every version).
    """
    options = copt.options
    total = len(students) if total is None else total
    check_class_size(total, options.count)
    slots = plan_slots(options, run_seed, copt.sections)
    digest = options
    quiz_options = _options_json(options) | {"count": len(slots)}
    if copt.sections:
        if total > 1 and all(slot.fixed for slot in slots):
            many = len(copt.sections) > 1
            raise InputError(f"every problem is fixed by its section's pinned values (section{'s' if many else ''} "
                             f"{_ranges(list(range(1, len(copt.sections) + 1)))}: every value "
                             f"{'their' if many else 'its'} kinds use is pinned), "
                             f"so all {total} versions would be the same; leave a value unpinned in at least one "
                             "section, or make one worksheet without --versions/--roster", field="spec")
        note = fixed_problems(slots)
        if note is not None and notes is not None:
            notes.append(note)
        recorded = [{"heading": section.heading, **_options_json(section.options)} for section in copt.sections]
        for entry in recorded:
            entry.pop("title", None)
        style = {"style": options.style} if options.style != "open" else {}
        quiz_options = {"count": len(slots), "sections": recorded, **style}
        digest = Options(title=options.title, extra={"sections": recorded, "instructions": copt.instructions, **style})
    per_slot: list[set[tuple[Any, ...]]] = [set() for _ in slots]
    whole: set[tuple[Any, ...]] = set()
    codes: set[str] = set()
    width = max(2, len(str(total)))
    versions: list[Version] = []
    for i, student in enumerate(students, start=1):
        for attempt in range(_VERSION_TRIES):
            seed = derive(run_seed, "version", i, attempt)
            code = version_code(seed, digest)
            if code in codes:
                continue
            taken: set[tuple[Any, ...]] = set()
            problems = []
            for slot, earlier in zip(slots, per_slot):
                problem = _draw(slot, options, seed, taken, earlier)
                taken.add(_data_key(problem))
                problems.append(problem)
            key = tuple(_data_key(p) for p in problems)
            if key not in whole:
                break
        else:
            error = InputError(f"the pinned values allow only {len(versions)} different versions", field="versions")
            varying = [slot for slot in slots if not slot.fixed]
            if copt.sections and varying:
                # The section whose problems ran out first: the one to unpin.
                slot = min(varying, key=lambda sl: (len(per_slot[sl.number - 1]), sl.number))
                kinds = len(per_slot[slot.number - 1])
                error = InputError(f"the pinned values allow only {len(versions)} different versions (problem "
                                   f"{slot.number}, {slot.kind}, has {kinds} different problem{'s' if kinds != 1 else ''} "
                                   "in them); unpin a value here or ask for fewer versions",
                                   field="versions").in_section(slot.part, slot.heading)
            raise error
        whole.add(key)
        codes.add(code)
        for slot_seen, problem in zip(per_slot, problems):
            slot_seen.add(_data_key(problem))
        quiz = Quiz(seed=seed, title=options.title, options=quiz_options, problems=tuple(problems), version=code,
                    instructions=copt.instructions, in_class=True, student=student.to_json() if student else None)
        versions.append(Version(i, code, seed, f"{i:0{width}d}-{code}", student, quiz, tuple(slots)))
        if progress is not None:
            progress()
    return versions


# ---------------------------------------------------------------- practice pools (practice.html's "New numbers")


def pool_size(copt: ClassOptions, count: int) -> int:
    """Variants per problem on a version's practice page: --variants, fewer when the page would hold more
    than MAX_PAGE_VARIANTS (as generate.practice_pools); 0 when no practice page is made."""
    if "practice" not in copt.formats:
        return 0
    return min(copt.variants, MAX_PAGE_VARIANTS // max(1, count))


def slot_pool(problem: Problem, slot: Slot | None, run_seed: int, want: int,
              apart: Sequence[Problem] = ()) -> tuple[Problem, ...]:
    """Up to `want` problems for slot `problem.number`'s practice pool, drawn from the run's seed: drawn and
    verified as every problem is (build_problem, with the kind, pinned values, degree, difficulty and section
    that all versions' problem of this slot share), all showing different numbers, of the slot's answer form;
    those in its size band first, then (if too few turn up) others of the form. None is a problem of `apart`
    (every version's problem of the slot: the same data, _data_key, or the same numbers shown); a slot with too
    few other problems gives fewer. Empty when nothing can vary."""
    draw = problem.draw
    if want <= 0 or draw is None or draw.fixed:
        return ()
    kind = KINDS[problem.kind]
    seen: set[tuple[Any, ...]] = {_shown_key(p) for p in apart}
    taken = {_data_key(p) for p in apart}
    fits: list[Problem] = []
    others: list[Problem] = []
    # Each problem of `apart` met costs a draw: the bound grows with them (a pool is smaller, never a hang).
    for k in range(_POOL_TRIES * want + 20 + len(taken)):
        drawn = build_problem(kind, problem.number, derive(run_seed, "practice", problem.number, k), draw.degree,
                              draw.pins, draw.difficulty, problem.section)
        if drawn is None or _shown_key(drawn) in seen or (slot is not None and answer_form(drawn) != slot.form):
            continue
        if _data_key(drawn) in taken:
            continue
        seen.add(_shown_key(drawn))
        (fits if slot is None or abs(answer_size(drawn) - slot.size) <= SIZE_SLACK else others).append(drawn)
        if len(fits) == want:
            break
    return tuple(fits + others[: want - len(fits)])


def class_pools(copt: ClassOptions, run_seed: int, version: Version,
                apart: Sequence[Version] | None = None) -> list[tuple[Variant, ...]] | None:
    """Each slot's practice pool, drawn once for the whole class and rendered once (render_variants), so every
    version's page shares it (own_pools deals a version its part). `version` is any version of the class: its
    problems show each slot's kind, pins and section. With `apart` (every version of the class: manifest format
    5 on), no pool problem is any of their problems of that slot, pool_size problems per slot; without (the
    pools of formats 2-4, for --rebuild), pool_size + 1, which may hold a classmate's problem. None when there
    is no practice page or --variants is 0."""
    each = pool_size(copt, len(version.quiz.problems))
    if each <= 0:
        return None
    from quizgen.render import environment, render_variants

    env = environment()
    slots = {slot.number: slot for slot in version.slots}
    if apart is None:
        return [render_variants(slot_pool(p, slots.get(p.number), run_seed, each + 1), env)
                for p in version.quiz.problems]
    return [render_variants(slot_pool(p, slots.get(p.number), run_seed, each, [v.quiz.problems[i] for v in apart]), env)
            for i, p in enumerate(version.quiz.problems)]


def own_pools(pools: Sequence[Sequence[Variant]], quiz: Quiz, each: int) -> list[tuple[Variant, ...]]:
    """A version's "New numbers": each slot's pool less any problem showing the version's own numbers, `each` of them."""
    return [tuple(v for v in pool if _shown_key(v.problem) != _shown_key(p))[:each] for pool, p in zip(pools, quiz.problems)]


def manifest(copt: ClassOptions, run_seed: int, versions: Sequence[Version]) -> dict[str, Any]:
    spec = {"spec": spec_json(copt.instructions, copt.sections)} if copt.sections else {}
    return {"quizgen": __version__, "format": FORMAT, "seed": run_seed, "title": copt.options.title,
            "options": copt.to_json(), **spec,
            "versions": [v.to_json() for v in versions]}


def spec_json(instructions: str, sections: Sequence[Section]) -> dict[str, Any]:
    """A spec as a class set's manifest records it (quizgen.spec.spec_from_json reads it back, with the
    checks of a spec file): the instructions and, per section, every value spelled out, so --rebuild
    needs no spec file and no command-line defaults."""
    out = []
    for section in sections:
        o = section.options
        entry: dict[str, Any] = {"heading": section.heading, "kinds": list(o.kinds), "count": o.count,
                                 "degree": o.degree, "difficulty": o.difficulty}
        entry.update({key: value for key, value in (("function", o.function), ("point", o.point),
                                                   ("step", o.step), ("rate", o.rate)) if value is not None})
        out.append(entry)
    return {"instructions": instructions, "sections": out}


def manifest_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def check_out(out: Path) -> Path:
    """Before any work: can `out` take a class set (see outdir.py)?"""
    return outdir.check_out(out, REPLACEABLE, FOLDER)


# ---------------------------------------------------------------- rendering (forked workers)

_JOB: dict[str, Any] = {}  # set before the workers fork; they read it, never write it


def _preload(copt: ClassOptions) -> None:
    """Parent, just before the rendering workers fork: import WeasyPrint and matplotlib and
    register the pictures' fonts here, once, so the two workers share those pages (copy on
    write) instead of each loading its own. 30 versions × 20 problems, quiet machine: peak PSS
    of the process tree 405 → 373 MB (benchmarks/README.md)."""
    typeset = bool({"html", "pdf"} & set(copt.formats))
    if "pdf" in copt.formats:
        import weasyprint  # noqa: F401
    if typeset and copt.plots != "none":
        from quizgen import plots

        plots.preload()


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    import weasyprint  # noqa: F401


def _render_version(index: int) -> int:
    """Worker: write version `index`'s files into its folder in the staging folder."""
    from quizgen.render import build_files

    copt: ClassOptions = _JOB["copt"]
    version: Version = _JOB["versions"][index]
    pools: list[tuple[Variant, ...]] | None = _JOB["pools"]
    try:
        each = pool_size(copt, len(version.quiz.problems))
        formats = [f for f in copt.formats if f not in LMS_FILES]  # the class's pooled exports are written once
        files = build_files(version.quiz, formats, paper=copt.paper, plots=copt.plots,
                            answer_bank=copt.answer_bank, layout=copt.layout,
                            pools=(lambda quiz: own_pools(pools, quiz, each)) if pools is not None else None)
    except QuizgenError:
        raise
    except Exception as exc:  # a bug: one line naming the version, not a worker's traceback
        raise QuizgenError(f"version {version.code}: {type(exc).__name__}: {exc}") from None
    # Written under a temporary name, renamed when complete: a folder with its final name is whole.
    final = Path(_JOB["staging"]) / version.folder
    folder = final.with_name(final.name + ".tmp")
    folder.mkdir()
    for name, data in files.items():
        outdir.write_file(folder / name, data)
    outdir.fsync_dir(folder)
    os.rename(folder, final)
    _forget_memos()
    return index


def _forget_memos() -> None:
    """Worker, after each version: empty quizgen's memo caches (written numbers and polynomials,
    parsed formulas, distractor checks, secant plans, drawn pictures, graphs). They pay off within
    a version, where the same numbers are written again and again; the next version has other
    numbers, and kept full they made each rendering worker grow by about 0.6 MB a version. Pure
    memos: the output is the same with or without them. The one-entry caches (fonts, the text
    measuring renderer) are kept."""
    from quizgen import choices, exact, graphs, mathtex, plots

    for module in (choices, exact, graphs, mathtex, plots):
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if info is not None and getattr(value, "__module__", None) == module.__name__ and (info().maxsize or 2) > 1:
                value.cache_clear()
    exact.forget_memos()
    plots.forget_memos()


def _combine(name: str) -> int:
    """Worker: one combined PDF from the versions' files; its page count."""
    from quizgen.pdfjoin import join_pdfs

    staging = Path(_JOB["staging"])
    versions: list[Version] = _JOB["versions"]
    source = "worksheet.pdf" if name == "all-worksheets.pdf" else "key.pdf"
    title = _JOB["copt"].options.title + (" — all worksheets" if source == "worksheet.pdf" else " — all answer keys")
    labels = [f"{v.code}" + (f" {v.student.name}" if v.student else "") for v in versions]
    return join_pdfs([staging / v.folder / source for v in versions], staging / name, title=title, odd_starts=True,
                     labels=labels)


def _answers_pdf() -> int:
    """Worker: answers.pdf, a line per version: code, student, every answer."""
    from quizgen.render import environment, html_to_pdf

    copt: ClassOptions = _JOB["copt"]
    versions: list[Version] = _JOB["versions"]
    env = environment()
    html = env.get_template("answers.html").render(
        title=copt.options.title, versions=versions, paper_size={"a4": "A4", "letter": "letter"}[copt.paper],
        seed=_JOB["seed"],
    )
    data = html_to_pdf(html)
    outdir.write_file(Path(_JOB["staging"]) / "answers.pdf", data)
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def _combine_one(name: str) -> int:
    return _answers_pdf() if name == "answers.pdf" else _combine(name)


def _combine_all(processes: int, meanwhile: Callable[[], None]) -> dict[str, int]:
    """all-keys.pdf, all-worksheets.pdf and answers.pdf (their page counts), in a fresh pool of at most two
    workers forked from this process (the joins stream, a few tens of MB each; answers.pdf is one small
    WeasyPrint document), running `meanwhile` here as they work."""
    from quizgen.workers import fork_pool

    order = ("answers.pdf", "all-keys.pdf", "all-worksheets.pdf")  # the longest first
    pool = fork_pool(min(processes, 2)) if processes > 1 else None
    try:
        if pool is None:
            meanwhile()
            return {name: _combine_one(name) for name in order}
        pending = {name: pool.apply_async(_combine_one, (name,)) for name in order}
        meanwhile()
        return {name: pending[name].get() for name in COMBINED}
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


@dataclass
class Result:
    versions: list[Version]
    pages: dict[str, int]
    resumed: int = 0  # versions an interrupted run had made


def write_class(out: Path, copt: ClassOptions, run_seed: int, versions: list[Version],
                *, progress: bool = False, processes: int | None = None,
                progress_note: Callable[[str], None] | None = None) -> Result:
    """Render every version and the combined files into `out`, replaced as one unit (outdir.staged)."""
    from quizgen.workers import fork_pool

    processes = processes or os.cpu_count() or 1
    text = manifest_text(manifest(copt, run_seed, versions))
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    pages: dict[str, int] = {}
    resumed = 0
    bar: Any = _NoBar()
    try:
        with outdir.staged(out, REPLACEABLE, FOLDER, resume_key=key) as staging:
            # A run interrupted by Ctrl-C kept its finished versions: keep those, redo the rest.
            for entry in os.listdir(staging):
                if entry in CLASS_FILES or entry.endswith(".tmp") or not (staging / entry).is_dir():
                    outdir.remove(staging / entry)
            done = {v.index - 1 for v in versions if (staging / v.folder).is_dir()}
            resumed = len(done)
            if resumed and progress_note is not None:
                progress_note(f"resuming: {resumed} of {len(versions)} versions were made by the interrupted run")
            todo = [i for i in range(len(versions)) if i not in done]
            bar = progress_bar(len(versions), progress, "rendering")
            bar.update(resumed)
            # The practice pools are drawn and rendered here, once, before the workers fork and share them.
            pools = class_pools(copt, run_seed, versions[todo[0]], versions) if todo else None
            _JOB.update(copt=copt, versions=versions, staging=str(staging), seed=run_seed, pools=pools)
            # What the workers inherit stays shared with this process: frozen, their garbage collector
            # does not write to it (a collection touching every inherited object copies its page).
            gc.collect()
            _preload(copt)
            gc.freeze()
            pool = fork_pool(processes, initializer=_worker_init)
            gc.unfreeze()
            try:
                tasks: Iterator[int]
                if pool is None:
                    tasks = (_render_version(i) for i in todo)
                else:
                    tasks = pool.imap_unordered(_render_version, todo)
                for _ in tasks:
                    bar.update(1)
                bar.close()
            finally:
                # The rendering workers (WeasyPrint, about 190 MB each) end before the combining starts,
                # so the peak is theirs or the combining's, never both.
                if pool is not None:
                    pool.terminate()
                    pool.join()
            if "pdf" in copt.formats:
                if progress:
                    print("combining PDFs …", file=sys.stderr)
                pages.update(_combine_all(processes, lambda: _write_pools(staging, copt, run_seed, versions)))
            else:
                _write_pools(staging, copt, run_seed, versions)
            outdir.write_file(staging / "manifest.json", text.encode())
    finally:
        bar.close()
        _JOB.clear()
    return Result(versions, pages, resumed)


def _write_pools(staging: Path, copt: ClassOptions, run_seed: int, versions: Sequence[Version]) -> None:
    """moodle.xml, canvas-qti.zip, quiz.gift (those asked for) of the whole class: every problem
    slot a pool of the versions' problems, built from each version's quiz.json data."""
    wanted = [f for f in copt.formats if f in LMS_FILES]
    if not wanted:
        return
    from quizgen import lms
    from quizgen.render import quiz_json

    data = [json.loads(quiz_json(v.quiz)) for v in versions]
    sources = [f"{v.folder}/quiz.json" for v in versions]
    for fmt in wanted:
        outdir.write_file(staging / lms.FILES[fmt], lms.export_bytes(fmt, data, sources, label=f"class {run_seed}"))


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, wanted: bool, label: str) -> Any:
    """A tqdm bar on stderr counting versions, or one that shows nothing."""
    if not wanted:
        return _NoBar()
    import shutil

    from tqdm import tqdm

    # A terminal that reports no size (a bare pty) gets 80 columns and a row, not a bar of size 0.
    return tqdm(total=total, file=sys.stderr, unit="version", desc=label, leave=False,
                ncols=min(shutil.get_terminal_size((80, 24)).columns, 120), nrows=24)


# ---------------------------------------------------------------- rebuild


def _read_manifest(path: Path, limit: int = 5_000_000) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Opened without blocking and read so:
    a FIFO, a device or a file that would make a read wait (/proc/kmsg) is refused, never waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("not a file", field="manifest", file=path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a file", field="manifest", file=path)
        if info.st_size > limit:
            raise InputError("larger than 5 MB, not a quizgen manifest", field="manifest", file=path)
        try:
            data = read_at_most(fd, limit)
        except BlockingIOError:
            raise InputError("cannot read it without waiting for it: give a file saved on disk",
                             field="manifest", file=path) from None
        if len(data) > limit:
            raise InputError("larger than 5 MB, not a quizgen manifest", field="manifest", file=path)
        return data
    finally:
        os.close(fd)


def load_manifest(path: Path) -> dict[str, Any]:
    """manifest.json, checked enough to rebuild from; InputError names the file."""
    try:
        data: Any = json.loads(_read_manifest(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read it as JSON ({exc})", field="manifest", file=path) from None
    except RecursionError:  # [[[[… 100,000 deep: json's decoder gives up with a traceback
        raise InputError("arrays or objects nested too deeply to read (a manifest needs four levels)",
                         field="manifest", file=path) from None
    ok = (isinstance(data, dict) and isinstance(data.get("seed"), int) and isinstance(data.get("options"), dict)
          and isinstance(data.get("versions"), list)
          and all(isinstance(v, dict) and isinstance(v.get("code"), str) for v in data["versions"]))
    if not ok:
        raise InputError("not a quizgen class manifest (needs seed, options and versions)", field="manifest",
                         file=path)
    checked: dict[str, Any] = data
    return checked


def _bad(shown: str, key: str, why: str) -> InputError:
    """An error in the manifest's `key` (``manifest.json: options.count: …``): never a flag nobody typed."""
    return InputError(f"{key}: {why}", field="manifest", file=shown)


def _shown(value: Any) -> str:
    return clip(json.dumps(value, ensure_ascii=True), 60)


def check_student(student: Any, key: str, shown: str) -> Student | None:
    """A version's student as the manifest records it, refused as the roster refuses it (roster.py)."""
    from quizgen.roster import MAX_ID, MAX_NAME
    from quizgen.usertext import unprintable

    if student is None:
        return None
    if not isinstance(student, dict):
        raise _bad(shown, key, "not a student ({\"name\": …, \"id\": …} or null)")
    name, ident = student.get("name"), student.get("id")
    for label, value, limit in (("name", name, MAX_NAME), ("id", ident, MAX_ID)):
        if value is None and label == "id":
            continue
        if not isinstance(value, str) or not value.strip():
            raise _bad(shown, f"{key}.{label}", f"{_shown(value)} is not text")
        why = unprintable(value)
        if why is not None:
            raise _bad(shown, f"{key}.{label}", why)
        if len(value) > limit:
            raise _bad(shown, f"{key}.{label}", f"has {len(value)} characters; at most {limit}")
    assert isinstance(name, str)  # checked above
    return Student(name, ident)


# The keys of a manifest; "spec" only in a class set of a worksheet spec.
MANIFEST_KEYS = ("quizgen", "format", "seed", "title", "options", "spec", "versions")
# What a spec's sections set, so a spec's class set does not record them in its options.
SECTION_OPTIONS = ("kinds", "degree", "function", "point", "step", "rate", "difficulty")


def rebuild(data: dict[str, Any], code: str, shown: str,
            spec: tuple[str, tuple[Section, ...]] | None = None) -> tuple[ClassOptions, Version]:
    """Version `code` of the class in the manifest `data`, made again from the recorded seed and options.

    The manifest is checked first, as `quizgen make` checks its options and read_roster its names:
    an InputError names the manifest and the key (``options.count``, ``versions[2].student.name``).
    A spec's class set records the spec in ``spec``; `spec` is it read back (instructions and
    sections: quizgen.spec.spec_from_json, which checks it as a spec file is checked).
    """
    wanted = code.strip().upper()
    entries = data["versions"]
    for key in data:
        if key not in MANIFEST_KEYS:
            raise _bad(shown, clip(str(key), 40), f"is not a key of a class set's manifest (known: {', '.join(MANIFEST_KEYS)})")
    if ("spec" in data) != (spec is not None):
        raise _bad(shown, "spec", "was not read")  # the caller reads it (quizgen.spec.spec_from_json)
    if isinstance(data["seed"], bool) or not 0 <= data["seed"] <= 2**63 - 1:
        raise _bad(shown, "seed", f"{_shown(data['seed'])}: choose 0 to {2**63 - 1}")
    made = data.get("format", 1)
    if isinstance(made, bool) or not isinstance(made, int) or made < 1:
        raise _bad(shown, "format", f"{_shown(made)}: not a format quizgen writes (1 to {FORMAT})")
    if made > FORMAT:
        raise InputError(f"version {wanted} comes out differently with quizgen {__version__} (manifest made by "
                         f"{_shown(data.get('quizgen'))} in format {made}; this one writes format {FORMAT})",
                         field="manifest", file=shown)
    if spec is not None:
        for key in SECTION_OPTIONS:
            if key in data["options"]:
                raise _bad(shown, f"options.{key}", "a class set of a spec records it per section, in spec.sections")
    try:
        copt = ClassOptions.from_json(data["options"])  # the checks `quizgen make` makes (makeoptions.py)
    except InputError as exc:
        raise _bad(shown, f"options.{exc.field}", f"{exc.value}: {exc.message}" if exc.value else exc.message) from None
    if spec is not None:
        instructions, sections = spec
        asked = sum(section.options.count or 0 for section in sections)
        if copt.options.count != asked:
            raise _bad(shown, "options.count", f"{_shown(data['options'].get('count'))}, but spec.sections ask for "
                                               f"{asked} problems")
        copt = dataclasses.replace(copt, sections=sections, instructions=instructions)
    try:
        check_class_size(len(entries), copt.options.count)
    except InputError as exc:
        raise _bad(shown, "versions", f"{len(entries)} versions: {exc.message}") from None
    students = [check_student(v.get("student"), f"versions[{i}].student", shown) for i, v in enumerate(entries)]
    index = next((i for i, v in enumerate(entries) if v["code"].upper() == wanted), None)
    if index is None:
        raise InputError(f"no version with that code in {shown}", field="rebuild", value=code)
    try:
        versions = make_versions(copt, data["seed"], students[: index + 1], total=len(students))
    except InputError as exc:
        if exc.file is not None:
            raise
        if exc.section is not None:
            raise _bad(shown, f"spec.sections[{exc.section - 1}]", InputError(exc.message, field=exc.field,
                                                                              value=exc.value).describe()) from None
        if exc.field == "spec":
            raise _bad(shown, "spec", exc.message) from None
        raise _bad(shown, f"options.{exc.field}" if exc.field else "options",
                   f"{clip(exc.value)}: {exc.message}" if exc.value is not None else exc.message) from None
    version = versions[index]
    if version.code != entries[index]["code"] or version.seed != entries[index].get("seed"):
        raise InputError(f"version {wanted} comes out differently with quizgen {__version__} "
                         f"(manifest made by {_shown(data.get('quizgen'))})", field="manifest", file=shown)
    return copt, version


def picture_note(data: dict[str, Any], copt: ClassOptions, version: Version) -> str | None:
    """For --rebuild of a set made before the pictures' SVG changed (manifest format < 3): one line
    saying which HTML files will not be byte for byte the earlier ones, when the version has such a
    picture on an HTML page; else None."""
    from quizgen.model import GraphPicture
    from quizgen.plots import shows

    if data.get("format", 1) >= PICTURES_FORMAT or "html" not in copt.formats:
        return None
    pages = [name for name, full in (("key.html", True), ("worksheet.html", False))
             if any(p.plot is not None and not isinstance(p.plot, GraphPicture) and shows(p.plot, full, copt.plots)
                    for p in version.quiz.problems)]
    if not pages:
        return None
    return (f"note: this class set was made by an older quizgen (manifest format {data.get('format', 1)}); its "
            f"pictures are drawn anew, so {' and '.join(pages)} will not be byte for byte the earlier "
            f"{'files' if len(pages) > 1 else 'file'} (the same numbers and words)")


def rebuild_note(data: dict[str, Any], copt: ClassOptions, version: Version, files: dict[str, bytes]) -> str | None:
    """For --rebuild of a set an older quizgen made: one line naming the HTML files that will not be byte for
    byte the earlier ones (pictures drawn anew, picture_note; formulas kept on one line, manifest format < 4);
    None when the version's files are the same."""
    note = picture_note(data, copt, version)
    made = data.get("format", 1)
    if made >= PROSE_FORMAT:
        return note
    glued = [name for name in ("key.html", "worksheet.html", "practice.html")
             if name in files and _GLUED.search(files[name])]
    if not glued:
        return note
    if note is not None:
        return note + f"; {' and '.join(glued)} also keep{'s' if len(glued) == 1 else ''} each formula of a sentence on one line now"
    return (f"note: this class set was made by an older quizgen (manifest format {made}); "
            f"{' and '.join(glued)} now keep{'s' if len(glued) == 1 else ''} each formula of a sentence on one "
            f"line (a no-break span), so {'they' if len(glued) > 1 else 'it'} will not be byte for byte the "
            f"earlier {'files' if len(glued) > 1 else 'file'} (the same numbers and words)")


def rebuild_pools(data: dict[str, Any], copt: ClassOptions, version: Version) -> Callable[[Quiz], Sequence[Sequence[Problem | Variant]]] | None:
    """build_files' practice pools for a version made again (rebuild), drawn as the manifest's format drew them."""
    n = copt.variants
    if n <= 0:
        return None
    if data.get("format", 1) == 1:  # each version drew its own, from its problems' seeds
        return lambda quiz: practice_pools(quiz, n)
    each = pool_size(copt, len(version.quiz.problems))
    if each <= 0:
        return None
    apart = None
    if data.get("format", 1) >= APART_FORMAT:  # the pools leave out every version's problems: make them all
        apart = make_versions(copt, data["seed"], [None] * len(data["versions"]))
        if [_data_key(p) for p in apart[version.index - 1].quiz.problems] != [_data_key(p) for p in version.quiz.problems]:
            raise QuizgenError(f"version {version.code}: the class's versions come out differently")
    pools = class_pools(copt, data["seed"], version, apart)
    if pools is None:
        return None
    return lambda quiz: own_pools(pools, quiz, each)
