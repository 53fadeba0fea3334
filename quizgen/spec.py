"""Worksheet specs: a TOML file with a title, instructions and headed sections of problems.

Example (examples/walkthrough.toml has a full one)::

    title = "Derivatives: the walkthrough"
    instructions = "Show your working."

    [[sections]]
    heading = "A small step"
    kinds = ["difference", "difference-quotient"]
    function = "3x^2-4x+5"
    point = 2
    step = 0.001

Every error is one line naming the file, the line where we can find it, and the key;
unknown keys are errors (a typo such as ``kind =`` must not be silently ignored).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizgen.errors import InputError
from quizgen.generate import MAX_COUNT, Options, Section, make_sectioned_quiz, parse_pins
from quizgen.kinds import KINDS
from quizgen.levels import DEFAULT_LEVEL, LEVELS
from quizgen.model import Quiz

TOP_KEYS = ("title", "instructions", "seed", "difficulty", "degree", "sections")
SECTION_KEYS = ("heading", "kinds", "count", "difficulty", "degree", "function", "point", "step", "rate")
MAX_TEXT = 2000


@dataclass(frozen=True)
class WorksheetSpec:
    """A parsed spec: what make_sectioned_quiz needs, plus an optional seed."""

    title: str | None
    instructions: str
    seed: int | None
    sections: tuple[Section, ...]
    text: str = ""  # the file's text, to find lines for errors found while generating


class _Where:
    """Finds the line of a key in the spec text, for error messages (tomllib keeps no positions)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line(self, key: str, section: int | None = None) -> int | None:
        """1-based line of `key = …` at the top level (section None) or in the n-th [[sections]] table."""
        current: int | None = None
        seen = 0
        pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
        for number, raw in enumerate(self.lines, start=1):
            stripped = raw.strip()
            if stripped.startswith("["):
                if re.match(r"^\[\[\s*sections\s*\]\]", stripped):
                    seen += 1
                    current = seen
                else:
                    current = -1
                if section is not None and current == section and key == "[[sections]]":
                    return number
                continue
            if current == section and pattern.match(raw):
                return number
        return None

    def error(self, message: str, key: str | None = None, section: int | None = None) -> InputError:
        line = self.line(key, section) if key else None
        if line is None and section is not None:
            line = self.line("[[sections]]", section)
        where = f"{self.path}, line {line}" if line else f"{self.path}"
        return InputError(f"--spec {where}: {message}", option="--spec")


def _text(value: Any, key: str, where: _Where, section: int | None, label: str) -> str:
    if not isinstance(value, str):
        raise where.error(f"{label}'{key}' must be text in quotes, not {value!r}", key, section)
    if len(value) > MAX_TEXT:
        raise where.error(f"{label}'{key}' is longer than {MAX_TEXT} characters", key, section)
    return value.strip()


def _number_text(value: Any, key: str, where: _Where, section: int, label: str) -> str:
    """A pinned number as the text the teacher wrote: 2, "-1/2", 0.001 (floats read back exactly as written)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise where.error(f"{label}'{key}' must be a number such as 2, 0.001 or \"1/2\", not {value!r}", key, section)
    if isinstance(value, float):
        # repr gives the shortest decimal that reads back as this float: what was written in the file.
        return repr(value)
    return str(value)


def _whole(value: Any, key: str, lo: int, hi: int, where: _Where, section: int | None, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise where.error(f"{label}'{key}' must be a whole number from {lo} to {hi}, not {value!r}", key, section)
    return value


def _difficulty(value: Any, where: _Where, section: int | None, label: str) -> str:
    if value not in LEVELS:
        raise where.error(f"{label}'difficulty' must be one of {', '.join(LEVELS)}, not {value!r}", "difficulty", section)
    return str(value)


def _unknown(table: dict[str, Any], allowed: tuple[str, ...], where: _Where, section: int | None, label: str) -> None:
    for key in table:
        if key not in allowed:
            place = f"in {label.rstrip(': ')}" if label else "at the top level"
            raise where.error(f"unknown key '{key}' {place} (allowed: {', '.join(allowed)})", key, section)


def parse_spec(text: str, path: Path, *, difficulty: str = DEFAULT_LEVEL, degree: int = 2) -> WorksheetSpec:
    """Parse a spec's text; `difficulty` and `degree` are the defaults for sections that set none."""
    where = _Where(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line L, column C)".
        raise InputError(f"--spec {path}: not valid TOML: {exc}", option="--spec") from None
    _unknown(data, TOP_KEYS, where, None, "")
    title = _text(data["title"], "title", where, None, "") if "title" in data else None
    if title is not None and not title:
        raise where.error("'title' must not be empty", "title")
    if title is not None and len(title) > 200:
        raise where.error("keep 'title' under 200 characters", "title")
    instructions = _text(data.get("instructions", ""), "instructions", where, None, "")
    seed = _whole(data["seed"], "seed", 0, 2**63 - 1, where, None, "") if "seed" in data else None
    if "difficulty" in data:
        difficulty = _difficulty(data["difficulty"], where, None, "")
    if "degree" in data:
        degree = _whole(data["degree"], "degree", 2, 4, where, None, "")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections or not all(isinstance(s, dict) for s in raw_sections):
        raise where.error("needs at least one [[sections]] table (heading, kinds, count, …)", "sections")
    sections = []
    total = 0
    for n, raw in enumerate(raw_sections, start=1):
        heading = raw.get("heading")
        label = f"section {n} ({heading!r}): " if isinstance(heading, str) else f"section {n}: "
        _unknown(raw, SECTION_KEYS, where, n, label)
        if "heading" not in raw:
            raise where.error(f"{label}missing key 'heading'", None, n)
        heading = _text(raw["heading"], "heading", where, n, label)
        if not heading or len(heading) > 200:
            raise where.error(f"{label}'heading' must be 1 to 200 characters", "heading", n)
        if "kinds" not in raw:
            raise where.error(f"{label}missing key 'kinds' (a list such as [\"evaluate\", \"tangent-line\"])", None, n)
        kinds = raw["kinds"]
        if isinstance(kinds, str):
            kinds = [kinds]
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            raise where.error(f"{label}'kinds' must be a list of kind names, not {raw['kinds']!r}", "kinds", n)
        for k in kinds:
            if k not in KINDS:
                raise where.error(f"{label}'kinds': unknown kind {k!r}; choose from {', '.join(KINDS)}", "kinds", n)
        count = _whole(raw["count"], "count", 1, MAX_COUNT, where, n, label) if "count" in raw else len(kinds)
        total += count
        if total > MAX_COUNT:
            raise where.error(f"{label}the sections ask for more than {MAX_COUNT} problems in all", "count", n)
        pins = {key: _number_text(raw[key], key, where, n, label) for key in ("point", "step", "rate") if key in raw}
        function = _text(raw["function"], "function", where, n, label) if "function" in raw else None
        options = Options(
            count=count,
            kinds=tuple(kinds),
            degree=_whole(raw["degree"], "degree", 2, 4, where, n, label) if "degree" in raw else degree,
            function=function,
            point=pins.get("point"),
            step=pins.get("step"),
            rate=pins.get("rate"),
            title=title or Options.title,
            difficulty=_difficulty(raw["difficulty"], where, n, label) if "difficulty" in raw else difficulty,
        )
        try:
            parse_pins(options)
        except InputError as exc:
            key = (exc.option or "").lstrip("-") or None
            message = re.sub(r"^--", "", str(exc))
            raise where.error(f"{label}{message}", key, n) from None
        sections.append(Section(heading, options))
    return WorksheetSpec(title, instructions, seed, tuple(sections), text)


def make_spec_quiz(spec: WorksheetSpec, path: Path, seed: int, title: str | None = None) -> Quiz:
    """The spec's quiz; a section whose pinned values allow too few problems is named with its file and line."""
    try:
        return make_sectioned_quiz(title or spec.title or Options.title, spec.instructions, spec.sections, seed)
    except InputError as exc:
        section = getattr(exc, "section", None)
        where = _Where(path, spec.text)
        key = (exc.option or "").lstrip("-") or None
        raise where.error(re.sub(r"(\): )--", r"\1", str(exc)), key, section) from None


def load_spec(path: Path, *, difficulty: str = DEFAULT_LEVEL, degree: int = 2) -> WorksheetSpec:
    """Read and parse a spec file; InputError (one line, naming the file) for anything wrong."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"--spec {path}: cannot read ({exc.strerror})", option="--spec") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"--spec {path}: not UTF-8 text", option="--spec") from None
    return parse_spec(text, path, difficulty=difficulty, degree=degree)
