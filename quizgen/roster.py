"""A class roster (CSV as spreadsheets export it) read into students: names and optional ids.

Accepted: a header row with `name` (or `first` and `last`; also `full name`, `student`,
`first name`/`given name`, `last name`/`surname`/`family name`) and optionally `id`
(`student id`, `number`); comma, semicolon or tab between cells; CRLF or LF line ends;
UTF-8 with or without a byte-order mark, or Windows-1252 (Excel's "CSV" on Windows), which
is reported in a note. Blank rows are skipped. Everything else is an InputError naming
the file and line:

- not a regular file (a folder, /dev/zero, a FIFO) or larger than MAX_ROSTER_BYTES;
- bytes that are neither UTF-8 nor Windows-1252, or NUL bytes (not a text file);
- no header naming a name column; no students; more than MAX_STUDENTS;
- a name or id with a control character or a bidirectional override (refused, not
  removed: what is printed is what the teacher typed), or longer than the limits;
- two students with the same id.

Two students with the same name are kept apart by their ids when both have one (the id
is printed beside the name), else numbered "Ada (2)"; either way a note says so.
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from quizgen.errors import InputError
from quizgen.usertext import unprintable
from quizgen.userfile import read_at_most

MAX_STUDENTS = 200  # also the most versions one run makes (quizgen make --versions)
MAX_ROSTER_BYTES = 1_000_000  # 200 students need about 10 kB
MAX_NAME = 100
MAX_ID = 40

NAME_HEADERS = ("name", "full name", "fullname", "student", "student name")
FIRST_HEADERS = ("first", "first name", "firstname", "given name", "given")
LAST_HEADERS = ("last", "last name", "lastname", "surname", "family name", "family")
ID_HEADERS = ("id", "student id", "student_id", "studentid", "number", "student number")

@dataclass(frozen=True)
class Student:
    """One roster row: the name printed on the sheet and the id (None when the roster has none)."""

    name: str
    id: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "id": self.id}


def _decode(data: bytes, shown: str, notes: list[str]) -> str:
    if b"\0" in data:
        raise InputError("holds NUL bytes: not a text file (save the roster as CSV)", field="roster", file=shown)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise InputError(
            f"neither UTF-8 nor Windows-1252 text (byte 0x{data[utf8_error.start]:02X}); "
            "save the roster as CSV UTF-8",
            field="roster", file=shown, line=line,
        ) from None
    notes.append(f"{shown}: not UTF-8, read as Windows-1252 (check the names on the sheets; "
                 "saving as \"CSV UTF-8\" avoids this)")
    return text


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for i, cell in enumerate(header):
        if cell in names:
            return i
    return None


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _rows(lines: list[str], first: int, delimiter: str, shown: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV rows from line `first` (0-based) on, each with its 1-based line number.

    A row is one line: a quote that does not close on the line it opens would swallow the lines
    after it into one cell (and report "the name has 290 characters"); it is named as what it is.
    """
    reader = csv.reader(lines[first:], delimiter=delimiter)
    while True:
        line = first + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"not readable as CSV ({exc})", field="roster", file=shown, line=line) from None
        end = first + reader.line_num
        if end > line:
            raise InputError(f"a quote (\") opens on this line and does not close on it (lines {line}–{end} "
                             "would be one row); close the quote or remove it",
                             field="roster", file=shown, line=line)
        yield line, row


def read_roster(path: Path) -> tuple[list[Student], list[str]]:
    """The students of the roster at `path`, in file order, and notes for the user (see the module's text)."""
    shown = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", field="roster", file=shown) from None
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", field="roster", file=shown) from None
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise InputError(f"is {what}; give a CSV file", field="roster", file=shown)
    if st.st_size > MAX_ROSTER_BYTES:
        raise InputError(f"{st.st_size:,} bytes; a roster may have at most {MAX_ROSTER_BYTES:,}",
                         field="roster", file=shown)
    try:
        # Without blocking: a file that would make a read wait (/proc/kmsg) is refused, never waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            data = read_at_most(fd, MAX_ROSTER_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", field="roster", file=shown) from None
    if len(data) > MAX_ROSTER_BYTES:
        raise InputError(f"more than {MAX_ROSTER_BYTES:,} bytes", field="roster", file=shown)
    notes: list[str] = []
    text = _decode(data, shown, notes)
    # Lines end at CR, LF or CRLF only: str.splitlines also splits at U+2028, U+0085, form feed…, which
    # turned one name holding U+2028 into two students; such a character is refused as unprintable instead.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError("is empty; give a header line (name or first,last; optional id) "
                         "and a line per student", field="roster", file=shown)
    delimiter = _delimiter(lines[first])
    rows = _rows(lines, first, delimiter, shown)
    header = [cell.strip().lower().lstrip("\ufeff") for cell in next(rows)[1]]
    name_col = _column(header, NAME_HEADERS)
    first_col, last_col = _column(header, FIRST_HEADERS), _column(header, LAST_HEADERS)
    id_col = _column(header, ID_HEADERS)
    if name_col is None and first_col is None and last_col is None:
        raise InputError(
            f"no name column in the header ({', '.join(repr(c) for c in header[:6])}); "
            "name one column 'name', or two 'first' and 'last' (and optionally one 'id')",
            field="roster", file=shown, line=first + 1,
        )
    students: list[tuple[int, Student]] = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if name_col is not None:
            name = _cell(row, name_col)
        else:
            name = " ".join(part for part in (_cell(row, first_col), _cell(row, last_col)) if part)
        name = " ".join(name.split(" "))
        ident = _cell(row, id_col) or None
        if not name:
            raise InputError("no name on this line", field="roster", file=shown, line=line)
        for label, value, limit in (("name", name, MAX_NAME), ("id", ident, MAX_ID)):
            if value is None:
                continue
            why = unprintable(value)
            if why is not None:
                raise InputError(f"the {label}: {why}", field="roster", file=shown, line=line)
            if len(value) > limit:
                raise InputError(f"the {label} has {len(value)} characters; at most {limit}",
                                 field="roster", file=shown, line=line)
        students.append((line, Student(name, ident)))
        if len(students) > MAX_STUDENTS:
            raise InputError(f"more than {MAX_STUDENTS} students; split the class into two rosters",
                             field="roster", file=shown, line=line)
    if not students:
        raise InputError("has a header but no students", field="roster", file=shown)
    seen_ids: dict[str, int] = {}
    for line, student in students:
        if student.id is not None:
            key = student.id.casefold()
            if key in seen_ids:
                raise InputError(f"id {student.id!r} is also on line {seen_ids[key]}",
                                 field="roster", file=shown, line=line)
            seen_ids[key] = line
    by_name: dict[str, list[int]] = {}
    for i, (_, student) in enumerate(students):
        by_name.setdefault(" ".join(student.name.casefold().split()), []).append(i)
    out = [student for _, student in students]
    for indexes in by_name.values():
        if len(indexes) < 2:
            continue
        lines_shown = ", ".join(str(students[i][0]) for i in indexes)
        if all(out[i].id is not None for i in indexes):
            notes.append(f"{shown}: {out[indexes[0]].name!r} appears {len(indexes)} times (lines {lines_shown}); "
                         "kept apart by their ids, printed beside the name")
            continue
        for k, i in enumerate(indexes[1:], start=2):
            out[i] = Student(f"{out[i].name} ({k})", out[i].id)
        notes.append(f"{shown}: {out[indexes[0]].name!r} appears {len(indexes)} times (lines {lines_shown}); "
                     f"numbered {out[indexes[0]].name!r}, {out[indexes[1]].name!r}, … on the sheets")
    return out, notes
