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

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizgen.errors import InputError, clip, show
from quizgen.generate import Options, Section, make_sectioned_quiz, parse_pins
from quizgen.kinds import KINDS
from quizgen.levels import DEFAULT_LEVEL, LEVELS
from quizgen.model import MAX_COUNT, Quiz
from quizgen.usertext import MAX_INSTRUCTIONS, MAX_TITLE, page_text
from quizgen.userfile import read_at_most

TOP_KEYS = ("title", "instructions", "seed", "difficulty", "degree", "sections")
SECTION_KEYS = ("heading", "kinds", "count", "difficulty", "degree", "function", "point", "step", "rate")
# A spec is small (500 one-kind sections are about 100 kB). tomllib is pure Python: at this cap
# the worst texts that pass the guards below (long arrays, 1,000 tables, dotted keys) cost it
# well under a second (benchmarks/hostile_make.py; figures in benchmarks/README.md).
MAX_SPEC_BYTES = 256 * 1024
# tomllib's time grows with the square of a dotted key's length (a.b.c… 10,000 parts: 1.2 s),
# and each dotted part and table costs it more than plain text; a spec needs no dotted keys
# and at most 500 [[sections]] tables.
MAX_KEY_PARTS = 2
MAX_TABLES = 1000
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"(?<![A-Za-z0-9_-]){_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART}){{{MAX_KEY_PARTS},}}")
_LONG_DIGITS = re.compile(r"[0-9_]{4300,}")


@dataclass(frozen=True)
class WorksheetSpec:
    """A parsed spec: what make_sectioned_quiz needs, plus an optional seed."""

    title: str | None
    instructions: str
    seed: int | None
    sections: tuple[Section, ...]
    text: str = ""  # the file's text, to find lines for errors found while generating


class TomlFloat:
    """A TOML float kept as the text written in the file (``0.001``, ``1e-100000000``): never a binary float."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class _Where:
    """Finds the line of a key in the spec text, for error messages (tomllib keeps no positions)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.split("\n")  # TOML ends lines at \n only (splitlines also splits at \x0c, U+2028…)

    def line(self, key: str, section: int | None = None) -> int | None:
        """1-based line of `key = …`, `key.x = …` or a `[key…]` table at the top level (section None)
        or in the n-th [[sections]] table; `[[sections]]` itself for key "[[sections]]"."""
        current: int | None = None
        seen = 0
        quoted = rf"""(["']?){re.escape(key)}\1"""
        assignment = re.compile(rf"^\s*{quoted}\s*[.=]")
        top_table = re.compile(rf"^\s*\[\[?\s*{quoted}\s*[.\]]")
        sub_table = re.compile(rf"^\s*\[\[?\s*sections\s*\.\s*{quoted}\s*[.\]]")
        multiline: str | None = None
        for number, raw in enumerate(self.lines, start=1):
            if multiline is not None:  # inside a multi-line string: no keys here
                if raw.count(multiline) % 2 == 1:
                    multiline = None
                continue
            for quote in ('"""', "'''"):
                if raw.count(quote) % 2 == 1:
                    multiline = quote
            stripped = raw.strip()
            if stripped.startswith("["):
                if re.match(r"^\[\[\s*sections\s*\]\]", stripped):
                    seen += 1
                    current = seen
                    if key == "[[sections]]" and section == current:
                        return number
                    continue
                if re.match(r"^\[\[?\s*sections\s*\.", stripped):  # a table inside the current section
                    if section is not None and section == current and sub_table.match(raw):
                        return number
                    continue
                if section is None and top_table.match(raw):
                    return number
                current = -1  # some other table: its keys are neither top-level nor a section's
                continue
            if current == section and assignment.match(raw):
                return number
        return None

    def error(self, message: str, key: str | None = None, section: int | None = None) -> InputError:
        """An InputError placed at the file and the line of `key` (or of its [[sections]] table)."""
        line = self.line(key, section) if key else None
        if line is None and section is not None:
            line = self.line("[[sections]]", section)
        return InputError(message, field="spec", file=self.path, line=line)


def _text(value: Any, key: str, where: _Where | _DataWhere, section: int | None, label: str, *, limit: int = MAX_TITLE,
          multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise where.error(f"{label}'{key}' must be text in quotes, not {show(value)}", key, section)
    try:
        return page_text(value, key, limit=limit, multiline=multiline)
    except InputError as exc:
        raise where.error(f"{label}{exc}", key, section) from None


def _number_text(value: Any, key: str, where: _Where | _DataWhere, section: int, label: str) -> str:
    """A pinned number as the text the teacher wrote: 2, "-1/2", 0.001 (TOML floats are kept as written)."""
    if isinstance(value, TomlFloat):
        return value.text
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise where.error(f"{label}'{key}' must be a number such as 2, 0.001 or \"1/2\", not {show(value)}", key, section)
    try:
        return str(value)
    except ValueError:  # 0x… with 5000 digits: tomllib reads it, but str() refuses 4300+ decimal digits
        raise where.error(f"{label}{key}: {show(value)} is too large", key, section) from None


def _whole(value: Any, key: str, lo: int, hi: int, where: _Where | _DataWhere, section: int | None, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise where.error(f"{label}'{key}' must be a whole number from {lo} to {hi:,}, not {show(value)}", key, section)
    return value


def _difficulty(value: Any, where: _Where | _DataWhere, section: int | None, label: str) -> str:
    if not isinstance(value, str) or value not in LEVELS:
        raise where.error(f"{label}'difficulty' must be one of {', '.join(LEVELS)}, not {show(value)}", "difficulty",
                          section)
    return value


def _unknown(table: dict[str, Any], allowed: tuple[str, ...], where: _Where | _DataWhere, section: int | None, label: str) -> None:
    for key in table:
        if key not in allowed:
            place = f"in {label.rstrip(': ')}" if label else "at the top level"
            raise where.error(f"unknown key {show(key)} {place} (allowed: {', '.join(allowed)})", key, section)


def _read_toml(text: str, path: Path) -> dict[str, Any]:
    """tomllib's reading of `text`, with every way it can fail as one InputError naming the file (and line)."""
    where = _Where(path, text)
    for long_key in _LONG_KEY.finditer(text):
        line_start = text.rfind("\n", 0, long_key.start()) + 1
        before = text[line_start : long_key.start()].strip()
        if before in ("", "[", "[[") or before.endswith(("{", ",")):  # where a key stands, not inside a string
            line = text.count("\n", 0, long_key.start()) + 1
            raise InputError(f"a dotted key of more than {MAX_KEY_PARTS} parts (spec keys have one part)", field="spec",
                             file=path, line=line)
    tables = 0
    for number, raw in enumerate(where.lines, start=1):
        if raw.lstrip().startswith("["):
            tables += 1
            if tables > MAX_TABLES:
                raise InputError(f"more than {MAX_TABLES:,} tables (a spec has at most {MAX_COUNT} [[sections]])",
                                 field="spec", file=path, line=number)
    try:
        return tomllib.loads(text, parse_float=TomlFloat)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line L, column C)".
        raise InputError(f"not valid TOML: {exc}", field="spec", file=path) from None
    except RecursionError:
        raise InputError("arrays or tables nested too deeply to read (a spec needs two levels)", field="spec",
                         file=path) from None
    except ValueError as exc:
        # int() refuses 4300 digits or more (sys.get_int_max_str_digits), and tomllib lets that through.
        found = next((n for n, raw in enumerate(where.lines, 1) if _LONG_DIGITS.search(raw)), None)
        if found is None:
            raise InputError(f"not valid TOML: {clip(str(exc), 200)}", field="spec", file=path) from None
        raise InputError("a number of 4,300 digits or more: too large (whole numbers here have at most 19 digits)",
                         field="spec", file=path, line=found) from None


class _DataWhere:
    """Places an error in a class set's manifest (``manifest.json: spec.sections[1].count: …``): the
    spec's data as an earlier run recorded it, checked by the same rules as a spec file."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def error(self, message: str, key: str | None = None, section: int | None = None) -> InputError:
        path = "spec" + (f".sections[{section - 1}]" if section is not None else "")
        if key and key != "[[sections]]":
            path += f".{clip(key, 40)}"
        return InputError(f"{path}: {message}", field="manifest", file=self.shown)


def _label(where: _Where | _DataWhere, n: int, heading: Any) -> str:
    """How an error names its section: a file's by number and heading, a manifest's by its key path."""
    if isinstance(where, _DataWhere):
        return ""
    return f"section {n} ({show(heading)}): " if isinstance(heading, str) else f"section {n}: "


def _sections(raw_sections: Any, where: _Where | _DataWhere, *, title: str | None, difficulty: str,
              degree: int) -> tuple[Section, ...]:
    """The [[sections]] tables (or a manifest's recorded sections) checked: every section's Options."""
    if not isinstance(raw_sections, list) or not raw_sections or not all(isinstance(s, dict) for s in raw_sections):
        raise where.error("needs at least one [[sections]] table (heading, kinds, count, …)", "sections")
    sections = []
    total = 0
    for n, raw in enumerate(raw_sections, start=1):
        heading = raw.get("heading")
        label = _label(where, n, heading)
        _unknown(raw, SECTION_KEYS, where, n, label or f"section {n}: ")
        if "heading" not in raw:
            raise where.error(f"{label}missing key 'heading'", None, n)
        heading = _text(raw["heading"], "heading", where, n, label)
        if "kinds" not in raw:
            raise where.error(f"{label}missing key 'kinds' (a list such as [\"evaluate\", \"tangent-line\"])", None, n)
        kinds = raw["kinds"]
        if isinstance(kinds, str):
            kinds = [kinds]
        if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
            raise where.error(f"{label}'kinds' must be a list of kind names, not {show(raw['kinds'])}", "kinds", n)
        if len(kinds) > MAX_COUNT:  # each entry is a problem's kind in turn: more than a worksheet holds is no spec
            raise where.error(f"{label}'kinds' lists {len(kinds):,} kinds; a section lists at most {MAX_COUNT}",
                              "kinds", n)
        for k in kinds:
            if k not in KINDS:
                raise where.error(f"{label}'kinds': unknown kind {show(k)}; choose from {', '.join(KINDS)}", "kinds", n)
        count = _whole(raw["count"], "count", 1, MAX_COUNT, where, n, label) if "count" in raw else len(kinds)
        total += count
        if total > MAX_COUNT:
            raise where.error(f"{label}the sections ask for more than {MAX_COUNT} problems in all", "count", n)
        pins = {key: _number_text(raw[key], key, where, n, label) for key in ("point", "step", "rate") if key in raw}
        function = _text(raw["function"], "function", where, n, label, limit=MAX_INSTRUCTIONS) if "function" in raw else None
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
            if isinstance(where, _DataWhere):
                raise where.error(exc.describe(), exc.field, n) from None
            raise where.error(str(exc.in_section(n, heading)), exc.field, n) from None
        sections.append(Section(heading, options))
    return tuple(sections)


def parse_spec(text: str, path: Path, *, difficulty: str = DEFAULT_LEVEL, degree: int = 2) -> WorksheetSpec:
    """Parse a spec's text; `difficulty` and `degree` are the defaults for sections that set none.

    Every error is an InputError(field="spec") with the file and, where it can be found, the line.
    """
    where = _Where(path, text)
    data = _read_toml(text, path)
    _unknown(data, TOP_KEYS, where, None, "")
    title = _text(data["title"], "title", where, None, "") if "title" in data else None
    instructions = _text(data.get("instructions", ""), "instructions", where, None, "", limit=MAX_INSTRUCTIONS,
                         multiline=True)
    seed = _whole(data["seed"], "seed", 0, 2**63 - 1, where, None, "") if "seed" in data else None
    if "difficulty" in data:
        difficulty = _difficulty(data["difficulty"], where, None, "")
    if "degree" in data:
        degree = _whole(data["degree"], "degree", 2, 4, where, None, "")
    sections = _sections(data.get("sections"), where, title=title, difficulty=difficulty, degree=degree)
    return WorksheetSpec(title, instructions, seed, sections, text)


# What a class set's manifest records of a spec (quizgen make --spec S --versions N; written by
# classset.spec_json): the parsed spec as data, every section's values spelled out, so --rebuild
# needs no spec file.
RECORDED_KEYS = ("instructions", "sections")


def spec_from_json(data: Any, shown: str, title: str | None = None) -> tuple[str, tuple[Section, ...]]:
    """A manifest's ``spec`` (written by spec_json) checked by the rules a spec file is checked by:
    unknown keys and wrong types are an InputError naming the manifest and the key
    (``manifest.json: spec.sections[0].count: …``). Nothing is evaluated: pinned values are text
    read by the same parsers as --point and --function."""
    where = _DataWhere(shown)
    if not isinstance(data, dict):
        raise where.error(f"must be an object with {' and '.join(RECORDED_KEYS)}, not {show(data)}")
    for key in data:
        if key not in RECORDED_KEYS:
            raise where.error(f"unknown key {show(key)} (allowed: {', '.join(RECORDED_KEYS)})", str(key))
    instructions = _text(data.get("instructions", ""), "instructions", where, None, "", limit=MAX_INSTRUCTIONS,
                         multiline=True)
    if "sections" not in data:
        raise where.error("missing key 'sections'")
    return instructions, _sections(data["sections"], where, title=title, difficulty=DEFAULT_LEVEL, degree=2)


def placed(exc: InputError, spec: WorksheetSpec, path: Path) -> InputError:
    """An error found while drawing a spec's problems, placed at its file and line (as make_spec_quiz does)."""
    if exc.file is not None:
        return exc
    if exc.section is None:
        return exc
    return _Where(path, spec.text).error(str(exc), exc.field, exc.section)


def make_spec_quiz(spec: WorksheetSpec, path: Path, seed: int, title: str | None = None, style: str = "open") -> Quiz:
    """The spec's quiz; a section whose pinned values allow too few problems is named with its file and line."""
    try:
        return make_sectioned_quiz(title or spec.title or Options.title, spec.instructions, spec.sections, seed, style)
    except InputError as exc:
        raise _Where(path, spec.text).error(str(exc), exc.field, exc.section) from None


def _read_capped(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_SPEC_BYTES; InputError for anything else.

    Opened without blocking (a FIFO with no writer would wait forever) and checked with
    fstat on the open file, so /dev/zero, a FIFO or a folder is refused before any read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", field="spec", file=path) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "a device or socket"
            raise InputError(f"not a regular file ({what}); give a .toml file", field="spec", file=path)
        data = read_at_most(fd, MAX_SPEC_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", field="spec", file=path) from None
    finally:
        os.close(fd)
    if len(data) > MAX_SPEC_BYTES:
        raise InputError(f"larger than {MAX_SPEC_BYTES // 1024} kB; a spec is a short text file", field="spec",
                         file=path)
    return data


def load_spec(path: Path, *, difficulty: str = DEFAULT_LEVEL, degree: int = 2) -> WorksheetSpec:
    """Read and parse a spec file; InputError (one line, naming the file) for anything wrong."""
    raw = _read_capped(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError("not UTF-8 text", field="spec", file=path, line=line) from None
    return parse_spec(text, path, difficulty=difficulty, degree=degree)
