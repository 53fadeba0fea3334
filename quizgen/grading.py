"""Grade a class's CSV of typed answers (student, problem, answer) against quiz.json.

Grading streams: rows are read one at a time and each verdict goes straight to the
report, so memory grows with the number of students and distinct answers, never with the
number of rows, and time is linear in the rows. Nothing in the CSV can make grading fail:
every row that cannot be graded becomes a row error with its 1-based line number (in the
report too). quiz.json, written by ``quizgen make``, is checked strictly instead: anything
missing, mistyped or out of bounds is an error naming the file and the problem.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import os
import re
import stat
import tempfile
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

from quizgen.answers import Verdict
from quizgen.errors import InputError
from quizgen.keys import ECHO, Key, QuizFileError, clip, quiz_keys

HEADER = ("student", "problem", "answer")
REPORT_HEADER = ("line", "student", "problem", "answer", "status", "message")

# Limits (README "Limits"). Each is far above real use and bounds time and memory.
MAX_QUIZ_BYTES = 5_000_000  # quiz.json: a 500-problem quiz is 0.35 MB; hostile JSON takes ~27x its size to parse
MAX_ANSWERS_BYTES = 200_000_000  # the answers CSV (1,000,000 rows are about 25 MB)
MAX_LINE = 100_000  # characters in one CSV row (longer rows are skipped, not read whole)
MAX_QUOTED_LINES = 20  # lines one quoted cell may span before its quote counts as unclosed
MAX_NAME = 200  # characters in a student name
MAX_MESSAGE = 4_000  # characters of the checker's message in a report cell (5,000 pieces of one answer repeat it)
MAX_CELLS = 10_000_000  # students × problems in the score table (500,000 students of a 20-problem quiz)
MAX_VERSIONS = 10_000  # versions in a manifest.json (issue 9: make --versions allows far fewer)
MAX_UNKNOWN = 10_000  # distinct students matching no version, counted for the summary line
MAX_WRONG_KINDS = 10_000  # distinct wrong answers counted per problem for --stats (more are not counted)
MAX_JSON_DIGITS = 30  # digits in one JSON number (Python refuses 4,300; seeds have 19)
SHOWN_ERRORS = 20  # row errors printed; every one is in the report
EXAMPLES = 3  # examples given for a summarised warning
_CACHE = 100_000  # distinct (problem, answer) verdicts remembered
_CACHED_ANSWER = 200  # longer answers are not remembered (most are invalid at once anyway)


class AnswersFileError(InputError):
    """The answers CSV cannot be read (missing, not a regular file, too large)."""


class ReportFileError(InputError):
    """The report (or --stats, --gradebook: `option`) cannot be written where it was asked for."""

    option = "--report"

    def __init__(self, message: str, option: str = "--report") -> None:
        super().__init__(message)
        self.option = option


class GradedAnswer(NamedTuple):
    """One graded row of the CSV (a named tuple: a million of them are made and dropped)."""

    line: int
    student: str
    problem: int
    answer: str
    status: str
    message: str
    version: str = ""  # the version code, when graded against a class set


@dataclass(frozen=True)
class RowError:
    """A row that could not be graded, and why (fields: what could be read of it); skipped=False
    for a warning about a row that was graded all the same (or about the whole file)."""

    line: int
    message: str
    fields: tuple[str, ...] = field(default=(), compare=False)
    skipped: bool = field(default=True, compare=False)


@dataclass(frozen=True)
class Repeat:
    """A student answering a problem again: the last answer counts."""

    line: int
    student: str
    problem: int
    before: int


@dataclass(frozen=True)
class StudentScore:
    """How many of the quiz's problems a student answered correctly."""

    student: str
    correct: int
    answered: int
    total: int
    version: str = ""  # the version code, when graded against a class set
    id: str = ""  # the student id, if the manifest or the CSV gave one

    @property
    def score(self) -> float:
        """Correct answers over the number of problems in the quiz (0 when there are none)."""
        return self.correct / self.total if self.total else 0.0


class ScoreTable:
    """The scores of a streamed run, made one at a time as they are read (a million students
    are not held as a million objects)."""

    def __init__(self, students: Mapping[str, array[int]], total: int, grader: Grader | None = None) -> None:
        self._students, self._total, self._grader = students, total, grader

    def __len__(self) -> int:
        return len(self._students)

    def __iter__(self) -> Iterator[StudentScore]:
        total, grader = self._total, self._grader
        versioned = grader is not None and grader.versions is not None
        ids = grader.ids if grader is not None else {}
        for who, mine in self._students.items():
            correct, answered = sum(v & 1 for v in mine), len(mine) - mine.count(0)
            if versioned:
                assert grader is not None
                code = grader.versions.versions[grader.student_set[who]].code if grader.versions else who
                yield StudentScore(grader.names.get(who, who), correct, answered, len(mine), code, ids.get(who, ""))
            else:
                yield StudentScore(who, correct, answered, total, "", ids.get(who, ""))


@dataclass(frozen=True)
class GradeSummary:
    """What a streamed grading run leaves: scores, counts and the first few row errors."""

    scores: ScoreTable
    problem_count: int
    rows: int  # answers graded
    error_count: int
    errors: tuple[RowError, ...]  # the first SHOWN_ERRORS, in line order; file notes first
    repeat_count: int
    repeats: tuple[Repeat, ...]  # the first EXAMPLES
    unmatched_rows: int = 0  # rows of students matching no version of a class set
    unmatched: tuple[tuple[str, int], ...] = ()  # those students (up to MAX_UNKNOWN) and their rows


@dataclass(frozen=True)
class GradeReport:
    """Every graded answer and every row error (for small inputs held in memory), and the scores."""

    answers: tuple[GradedAnswer, ...]
    errors: tuple[RowError, ...]
    scores: tuple[StudentScore, ...]
    problem_count: int
    repeat_count: int = 0
    repeats: tuple[Repeat, ...] = ()
    stats: tuple[tuple[object, ...], ...] = ()  # the --stats rows (see Grader.stats_rows)


# ---------------------------------------------------------------- files


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _open_regular(path: Path, limit: int, error: type[InputError]) -> _Capped:
    """A regular file opened for reading, at most limit bytes long; FIFOs, devices and folders refused."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"cannot read {path} ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise error(f"{path} is {what}: give a file saved on disk")
        if info.st_size > limit:
            raise error(f"{path} is {info.st_size:,} bytes, more than the limit of {limit:,}")
        # Left non-blocking: a regular file that would make a read wait (/proc/kmsg) is refused, not waited on.
        return _Capped(os.fdopen(fd, "rb", buffering=0), limit, path, error)
    except BaseException:
        os.close(fd)
        raise


class _Capped(io.RawIOBase):
    """A raw reader that refuses to go past limit bytes (the file may grow after it was opened)."""

    def __init__(self, raw: io.FileIO, limit: int, path: Path, error: type[InputError]) -> None:
        self._raw, self._left, self._limit, self._path, self._error = raw, limit, limit, path, error

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        pos = self._raw.seek(offset, whence)
        self._left = self._limit - pos
        return pos

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        try:
            got = self._raw.readinto(view[: max(self._left, 0) + 1])
        except OSError as exc:  # /proc/self/pagemap: EINVAL
            raise self._error(f"cannot read {self._path} ({exc.strerror or exc})") from None
        if got is None:  # non-blocking and nothing to read yet: a file that waits for data, not one saved on disk
            raise self._error(f"cannot read {self._path} without waiting for it: give a file saved on disk")
        n = got
        self._left -= n
        if self._left < 0:
            raise self._error(f"{self._path} grew past the limit of {self._limit:,} bytes while it was read")
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _read_limited(path: Path, limit: int, error: type[InputError]) -> bytes:
    with _open_regular(path, limit, error) as f:
        return f.read() or b""


def refuse_special(path: Path, option: str = "--report") -> None:
    """Refuse an output path that exists and is not a regular file (or a symlink, which a rename
    replaces without touching its target). The write renames a new file over the path, so
    `--report /dev/null` run as root replaced the device with a regular file, and a FIFO or
    socket was replaced the same way."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ReportFileError(f"cannot write {path} ({exc.strerror or exc})", option) from None
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        what = ("a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "a device")
        raise ReportFileError(f"{path} is {what}, not a regular file: give the name of a file to write", option)


def _locked_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside path (.NAME.XXXXXXXX.tmp), held under an exclusive flock for as
    long as its descriptor is open, after removing the ones earlier runs left.

    A run killed with SIGKILL cannot remove its temporary file: it stayed forever (a 2 MB
    `.report.csv.d9zwk2ol.tmp` after kill -9 mid-grading). The lock tells a dead run's file
    (lockable: the kernel let its lock go) from one another run is writing now (locked: kept).
    """
    import fcntl

    stale = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp\Z")
    try:
        names = [e.name for e in os.scandir(path.parent) if stale.match(e.name)]
    except OSError:
        names = []
    for name in names:
        old = path.parent / name
        try:
            fd = os.open(old, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                old.unlink(missing_ok=True)
        except OSError:
            pass  # locked: a run is writing it now
        finally:
            os.close(fd)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pass
    return fd, tmp


def write_atomic(path: Path, write: Callable[[IO[str]], object]) -> None:
    """Create path atomically: write(text_file) fills a temporary file beside it, renamed into
    place when complete; its mode follows the umask (not mkstemp's 0600); nothing is left on error."""
    refuse_special(path)
    fd, tmp = _locked_temp(path)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, path)  # while the flock is held: another run never takes it for a dead run's
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes, option: str = "--out") -> None:
    """Create path atomically holding `data` (as write_atomic, for bytes); ReportFileError naming
    `option` when it cannot be written, nothing left behind."""
    refuse_special(path, option)
    try:
        fd, tmp = _locked_temp(path)
    except OSError as exc:
        raise ReportFileError(f"cannot write {path} ({exc.strerror or exc})", option) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportFileError(f"cannot write {path} ({exc.strerror or exc})", option) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_report_target(report: Path, inputs: Iterable[Path], option: str = "--report") -> None:
    """Refuse a report path that is one of the input files (same path, symlink or hard link),
    or that exists and is not a regular file (a device, pipe, socket or folder)."""
    refuse_special(report, option)
    try:
        target = os.stat(report)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ReportFileError(f"cannot write {report} ({exc.strerror or exc})", option) from None
    for source in inputs:
        try:
            info = os.stat(source)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
            raise ReportFileError(f"{report} is the input file {source}: writing {option} there would overwrite it",
                                  option)


# ---------------------------------------------------------------- quiz.json


class _JSONLimit(ValueError):
    pass


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise _JSONLimit(f"a number with {len(text.lstrip('-')):,} digits (at most {MAX_JSON_DIGITS})", text)
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_JSON_DIGITS + 10:
        raise _JSONLimit(f"a number {len(text):,} characters long (at most {MAX_JSON_DIGITS + 10})", text)
    return float(text)


def _json_constant(text: str) -> Any:
    raise _JSONLimit(f"{text}, which is not a JSON number", text)


def parse_quiz(data: bytes, source: str = "quiz.json", what: str = "a quiz.json") -> Any:
    """The JSON value in quiz.json's bytes (or what else it is, e.g. "a manifest.json");
    QuizFileError (one line, naming source) when it is not JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise QuizFileError(f"{source} is not UTF-8 text (line {line})") from None
    try:
        return json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise QuizFileError(f"{source} is not valid JSON at line {exc.lineno} ({exc.msg})") from None
    except _JSONLimit as exc:
        line = text[: max(text.find(exc.args[1]), 0)].count("\n") + 1
        raise QuizFileError(f"{source}: line {line}: {exc.args[0]}") from None
    except RecursionError:
        raise QuizFileError(f"{source} is nested too deeply to be {what}") from None


def read_quiz_json(path: Path) -> Any:
    """The JSON value of a quiz.json (or manifest.json): a regular file of at most MAX_QUIZ_BYTES, valid
    JSON; QuizFileError (one line naming the file) otherwise."""
    return parse_quiz(_read_limited(path, MAX_QUIZ_BYTES, QuizFileError), str(path))


def quiz_title(path: Path) -> str:
    """quiz.json's title ("" if it has none); the file was checked by load_quiz already."""
    data = parse_quiz(_read_limited(path, MAX_QUIZ_BYTES, QuizFileError), str(path))
    title = data.get("title") if isinstance(data, Mapping) else None
    return title if isinstance(title, str) else ""


def load_quiz(path: Path, *, check_answers: bool = True) -> dict[int, Key]:
    """quiz.json's keys: a regular file of at most MAX_QUIZ_BYTES, valid JSON, every problem well formed."""
    return quiz_keys(parse_quiz(_read_limited(path, MAX_QUIZ_BYTES, QuizFileError), str(path)), str(path),
                     check_answers=check_answers)


# ---------------------------------------------------------------- reading the CSV


def _line_breaks(data: bytes, after_cr: bool) -> int:
    """Line breaks (\\r\\n, \\r or \\n) in data; after_cr: the byte before data was \\r."""
    n = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return n - 1 if after_cr and data[:1] == b"\n" else n


def _encoding(f: IO[bytes]) -> tuple[str, tuple[RowError, ...]]:
    """The text encoding of a CSV: UTF-8 (with or without BOM) or UTF-16 with a BOM; otherwise
    Windows-1252, as spreadsheets on Windows save it, with a note naming the first line that is
    not UTF-8. Reads the file once in 1 MB chunks and rewinds it."""
    head = f.read(4)
    f.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", ()
    line, tail, after_cr = 1, b"", False
    while True:
        chunk = f.read(1 << 20)
        data = tail + chunk
        try:
            _, used = codecs.utf_8_decode(data, "strict", not chunk)
        except UnicodeDecodeError as exc:
            line += _line_breaks(data[: exc.start], after_cr)
            f.seek(0)
            note = RowError(line, "this line is not UTF-8 text: the file was read as Windows-1252 (save it as 'CSV UTF-8' to be sure)",
                            skipped=False)
            return "cp1252", (note,)
        line += _line_breaks(data[:used], after_cr)
        after_cr = data[:used].endswith(b"\r") if used else after_cr
        tail = data[used:]
        if not chunk:
            f.seek(0)
            return "utf-8-sig", ()


def decode_csv(data: bytes) -> tuple[str, tuple[RowError, ...]]:
    """The text of a CSV file's bytes, decoded as open_answers does (for small files in memory)."""
    encoding, notes = _encoding(io.BytesIO(data))
    return data.decode(encoding, errors="replace"), notes


def open_answers(path: Path) -> tuple[IO[str], tuple[RowError, ...]]:
    """The answers CSV as a text stream (a regular file of at most MAX_ANSWERS_BYTES), and notes
    on its encoding."""
    raw = _open_regular(path, MAX_ANSWERS_BYTES, AnswersFileError)
    try:
        buffered = io.BufferedReader(raw, buffer_size=1 << 20)
        encoding, notes = _encoding(buffered)
        return io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline=""), notes
    except BaseException:
        raw.close()
        raise


@dataclass
class _Line:
    number: int
    text: str
    length: int  # characters in the whole line; more than MAX_LINE when text was cut


class _Runaway(Exception):
    """A quoted cell ran past MAX_QUOTED_LINES lines, MAX_LINE characters or an overlong line."""


class _Lines:
    """The physical lines of a text stream, numbered from 1, never more than MAX_LINE characters
    held at once (an overlong line is read in pieces and only its length kept), with push-back."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._number = 0
        self._back: deque[_Line] = deque()
        self._cut_at_cr = False
        self._held: str | None = None  # a line plain() read but did not take

    def plain(self) -> str | None:
        """The next line if it is short, has no double quote and nothing is pushed back (the
        common case, read without building a _Line); None otherwise, and next() gives it."""
        if self._back or self._cut_at_cr or self._held is not None:
            return None
        text = self._stream.readline(MAX_LINE + 1)
        if len(text) <= MAX_LINE and '"' not in text and text:
            self._number += 1
            return text
        self._held = text
        return None

    def next(self) -> _Line | None:
        if self._back:
            return self._back.popleft()
        if self._held is not None:
            text, self._held = self._held, None
        else:
            text = self._stream.readline(MAX_LINE + 1)
            if self._cut_at_cr and text == "\n":  # the \n of a \r\n split by a cut read
                text = self._stream.readline(MAX_LINE + 1)
        self._cut_at_cr = False
        if not text:
            return None
        self._number += 1
        length = len(text)
        if length > MAX_LINE and not text.endswith(("\n", "\r")):
            piece = text
            while piece and not piece.endswith(("\n", "\r")):
                piece = self._stream.readline(1 << 16)
                length += len(piece)
            self._cut_at_cr = piece.endswith("\r")
            return _Line(self._number, text[:MAX_LINE], length)
        self._cut_at_cr = len(text) == MAX_LINE + 1 and text.endswith("\r")
        return _Line(self._number, text, length)

    def push(self, lines: Sequence[_Line]) -> None:
        self._back.extendleft(reversed(lines))


class _Feed:
    """The iterator csv.reader reads one record's lines from; it keeps them, so that an
    unclosed quote can be undone (the lines after the first are read again as rows)."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.taken: list[_Line] = []
        self.chars = 0
        self.ended = False

    def start(self) -> None:
        self.taken, self.chars, self.ended = [], 0, False

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self.lines.next()
        if line is None:
            self.ended = True
            raise StopIteration
        self.taken.append(line)
        self.chars += len(line.text)
        if len(self.taken) > 1 and (line.length > MAX_LINE or len(self.taken) > MAX_QUOTED_LINES or self.chars > MAX_LINE):
            raise _Runaway
        return line.text


def _unclosed(why: str) -> str:
    return (f"a double quote opened in this row is {why}: this row is skipped (1 row) and the lines after it "
            "are read as rows of their own")


def _closes(lines: Sequence[_Line], delimiter: str = ",") -> bool:
    """True if the quotes in these lines are balanced (csv's strict mode reports an unclosed one)."""
    try:
        for _ in csv.reader((line.text for line in lines), strict=True, delimiter=delimiter):
            pass
    except csv.Error:
        return False
    return True


def _records(stream: IO[str], width: int | list[int], delimiter: str = ",") -> Iterator[tuple[int, int, list[str] | None, str]]:
    """(first line, last line, fields, problem) for each record; fields is None when the record
    cannot be read, and problem says why. A record of several lines (a quoted cell with line
    breaks) is accepted only when its quotes close within MAX_QUOTED_LINES lines and it has width
    fields; otherwise its first line is reported and the lines after it are read again."""
    lines = _Lines(stream)
    feed = _Feed(lines)
    reader = csv.reader(feed, delimiter=delimiter)
    plain = lines.plain
    while True:
        text = plain()
        if text is not None:  # no quote: exactly what csv.reader would give
            n = lines._number
            yield n, n, text.rstrip("\r\n").split(delimiter), ""
            continue
        line = lines.next()
        if line is None:
            return
        if line.length > MAX_LINE:
            yield line.number, line.number, None, f"this row is {line.length:,} characters long (at most {MAX_LINE:,}): skipped"
            continue
        if '"' not in line.text:  # the common case, exactly what csv.reader would give
            yield line.number, line.number, line.text.rstrip("\r\n").split(delimiter), ""
            continue
        lines.push([line])
        feed.start()
        try:
            fields = next(reader)
        except _Runaway:
            why = (f"not closed within {MAX_QUOTED_LINES} lines" if len(feed.taken) > MAX_QUOTED_LINES
                   else f"not closed within {MAX_LINE:,} characters")
            lines.push(feed.taken[1:])
            yield line.number, line.number, None, _unclosed(why)
            continue
        except csv.Error as err:
            lines.push(feed.taken[1:])
            yield line.number, line.number, None, f"cannot read this row as CSV ({err})"
            continue
        taken = feed.taken
        if len(taken) > 1:
            if feed.ended and not _closes(taken, delimiter):
                lines.push(taken[1:])
                yield line.number, line.number, None, _unclosed("never closed")
                continue
            if len(fields) != (width[0] if isinstance(width, list) else width):
                lines.push(taken[1:])
                yield line.number, line.number, None, _unclosed(f"closed only on line {taken[-1].number}, leaving {len(fields)} columns")
                continue
        yield line.number, taken[-1].number, fields, ""


# ---------------------------------------------------------------- grading

_WHOLE = re.compile(r"[+-]?[0-9]{1,9}")


def is_whole(text: str) -> bool:
    """True for a problem number as written in a CSV or on the command line: up to 9 ASCII digits, signed."""
    return _WHOLE.fullmatch(text) is not None


class Version(NamedTuple):
    """One version of a class set (from manifest.json): its code, its student (if any) and its keys."""

    code: str
    name: str
    id: str
    keys: Mapping[int, Key]
    path: Path = Path("quiz.json")  # the version's quiz.json


class ManifestError(InputError):
    """manifest.json, or a quiz.json it names, cannot be read, or does not match the answers."""


class NothingGradedError(InputError):
    """The answers CSV held nothing that could be graded (nothing is written then)."""


def _fold(text: str) -> str:
    """A name, id or code as compared: trimmed, inner spaces collapsed, case-insensitive."""
    return " ".join(text.split()).casefold()


def load_manifest(path: Path) -> tuple[tuple[Version, ...], str]:
    """The versions of a class set and its title: manifest.json (at most MAX_QUIZ_BYTES) and each
    version's <folder>/quiz.json beside it, all checked; ManifestError (one line) otherwise."""
    try:
        data = parse_quiz(_read_limited(path, MAX_QUIZ_BYTES, ManifestError), str(path), "a manifest.json")
    except QuizFileError as exc:
        raise ManifestError(str(exc)) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("versions"), list):
        raise ManifestError(f"{path} is not a manifest.json written by quizgen make --versions/--roster: "
                            "it needs a list of 'versions'")
    entries = data["versions"]
    if not entries:
        raise ManifestError(f"{path} lists no versions")
    if len(entries) > MAX_VERSIONS:
        raise ManifestError(f"{path} lists {len(entries):,} versions (at most {MAX_VERSIONS:,})")
    base = path.parent
    checked: list[tuple[str, str, str, Path]] = []
    codes: set[str] = set()
    folders: dict[str, str] = {}  # folder as the file system sees it -> the code of the version in it
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: version {i}"
        if not isinstance(entry, Mapping):
            raise ManifestError(f"{where} must be an object")
        code, folder = entry.get("code"), entry.get("folder")
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_NAME:
            raise ManifestError(f"{where} has no 'code'")
        if _fold(code) in codes:
            raise ManifestError(f"{where}: the code {clip(code)!r} appears twice")
        codes.add(_fold(code))
        if not isinstance(folder, str) or not folder or Path(folder).is_absolute() or ".." in Path(folder).parts \
                or "\x00" in folder:
            raise ManifestError(f"{where}: 'folder' must be a folder name inside {base or '.'}")
        same = os.path.normcase(os.path.normpath(folder))
        if same in folders:
            raise ManifestError(f"{where}: versions {clip(folders[same])} and {clip(code)} share the folder "
                                f"{clip(folder)!r}: each version has its own")
        folders[same] = code
        student = entry.get("student")
        name = sid = ""
        if student is not None:
            if not isinstance(student, Mapping):
                raise ManifestError(f"{where}: 'student' must be an object with a name (and id) or null")
            name, sid = student.get("name") or "", student.get("id") or ""
            if not isinstance(name, str) or not isinstance(sid, str) or len(name) > MAX_NAME or len(sid) > MAX_NAME:
                raise ManifestError(f"{where}: the student's name and id must be text of at most {MAX_NAME} characters")
        checked.append((code.strip(), name.strip(), sid.strip(), base / folder / "quiz.json"))
    versions: list[Version] = []
    for code, name, sid, quiz in checked:  # every entry is checked before any quiz.json is read
        try:
            quiz_data = parse_quiz(_read_limited(quiz, MAX_QUIZ_BYTES, QuizFileError), str(quiz))
            keys = quiz_keys(quiz_data, str(quiz))
        except QuizFileError as exc:
            raise ManifestError(f"{path}: version {clip(code)}: {exc}") from None
        own = quiz_data.get("version") if isinstance(quiz_data, Mapping) else None
        if not isinstance(own, str) or _fold(own) != _fold(code):
            says = f"is version {clip(own)!r}" if isinstance(own, str) else "names no version"
            raise ManifestError(f"{path}: version {clip(code)}: {quiz} {says}, not {clip(code)!r} "
                                "(a quiz.json copied from another version's folder?)")
        versions.append(Version(code, name, sid, keys, quiz))
    title = data.get("title")
    return tuple(versions), title if isinstance(title, str) else ""


class _Versions:
    """Finds a student's version: by student id, else name, else version code (trimmed, case-insensitive)."""

    def __init__(self, versions: Sequence[Version]) -> None:
        self.versions = versions
        self.ids: dict[str, int] = {}
        self.names: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        for i, v in enumerate(versions):
            for table, text in ((self.ids, v.id), (self.names, v.name), (self.codes, v.code)):
                if text:
                    table[_fold(text)] = -1 if _fold(text) in table else i  # -1: shared, cannot tell apart

    def find(self, student: str, sid: str, code: str) -> int | str:
        """The version's index, or why there is none."""
        for table, text in ((self.ids, sid), (self.ids, student), (self.names, student), (self.codes, code),
                            (self.codes, student)):
            if text:
                index = table.get(_fold(text))
                if index is not None and index >= 0:
                    return index
                if index == -1 and table is self.names:
                    return f"{len([v for v in self.versions if _fold(v.name) == _fold(text)])} versions are for a student named {clip(text)!r}: add an id column"
        return f"no version in the manifest for student {clip(student)!r} (matched by id, name or version code)"


_PROBLEM_COLUMN = re.compile(r"(?:q|p|problem|question|#)?\s*([0-9]{1,7})", re.I)
_STUDENT = ("student", "name", "student name")
_ID = ("id", "student id", "sis user id", "id number")
_CODE = ("version", "code", "version code")


@dataclass
class _Layout:
    """Which column holds what: long (student, problem, answer) or wide (student, 1, 2, …)."""

    student: int = 0
    problem: int = 1
    answer: int = 2
    sid: int = -1
    code: int = -1
    wide: tuple[tuple[int, int], ...] = ()  # (column, problem number) of a wide CSV
    width: int = 3


def _header(fields: Sequence[str]) -> _Layout | None:
    """The layout a header line names, or None if the line is not a header."""
    names = [" ".join(f.strip().lstrip("\ufeff").lower().split()) for f in fields]

    def find(choices: Sequence[str]) -> int:
        return next((i for i, n in enumerate(names) if n in choices), -1)

    student = find(_STUDENT)
    layout = _Layout(student=student, sid=find(_ID), code=find(_CODE), width=len(names))
    if student < 0 and layout.sid < 0 and layout.code < 0:
        return None
    if "problem" in names and "answer" in names:
        if student < 0:
            return None
        layout.problem, layout.answer = names.index("problem"), names.index("answer")
        return layout
    wide = []
    for i, n in enumerate(names):
        m = _PROBLEM_COLUMN.fullmatch(n)
        if m and i not in (student, layout.sid, layout.code):
            wide.append((i, int(m[1])))
    if not wide:
        return None
    layout.wide = tuple(wide)
    if student < 0:
        layout.student = layout.sid if layout.sid >= 0 else layout.code
    return layout


def sniff_delimiter(line: str) -> str:
    """The delimiter of a CSV from its first line: the one of , ; and tab that makes it a header
    quizgen reads, else the most frequent outside double quotes (a comma on a tie)."""
    for delimiter in (",", ";", "\t"):
        try:
            fields = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len(fields) > 1 and _header(fields) is not None:
            return delimiter
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts.values())
    return "," if best == 0 or counts[","] == best else max(counts, key=counts.__getitem__)


class _Prefixed:
    """A text stream with its first line already read (readline gives it back first)."""

    def __init__(self, first: str, stream: IO[str]) -> None:
        self._first: str | None = first
        self._stream = stream

    def readline(self, size: int = -1) -> str:
        first, self._first = self._first, None
        self.readline = self._stream.readline  # type: ignore[method-assign,assignment]  # no extra call per line from now on
        return first or self._stream.readline(size)


class Grader:
    """Grades rows one at a time against the keys (of one quiz, or of each student's own version
    in a class set); keeps per student only the last verdict per problem (for the scores), the
    count and first few of every warning, and per problem the most common wrong answers."""

    def __init__(self, keys: Mapping[int, Key] | None = None, versions: Sequence[Version] = ()) -> None:
        self.versions = _Versions(versions) if versions else None
        self.sets: list[Mapping[int, Key]] = [v.keys for v in versions] if versions else [keys or {}]
        self.keys = self.sets[0]
        # name -> per problem (in quiz order) line * 2 + correct of the last answer, 0 if none:
        # 4 bytes a problem, so 50,000 students of a 20-problem quiz take 7 MB, not 60 MB of dicts
        self.students: dict[str, array[int]] = {}  # lines < MAX_ANSWERS_BYTES, so line * 2 + 1 fits an int32
        self.student_set: dict[str, int] = {}  # class sets only: the student's version
        self.ids: dict[str, str] = {}  # the student id given (manifest or id column), if any
        self.names: dict[str, str] = {}  # class sets: the student's name (from the manifest, else the CSV)
        self._positions = [{number: i for i, number in enumerate(k)} for k in self.sets]
        self._unanswered = [array("i", [0]) * len(k) for k in self.sets]
        self.problem_count = max(len(k) for k in self.sets)
        self.max_students = max(1, MAX_CELLS // max(self.problem_count, 1))
        self.rows = 0
        self.error_count = 0
        self.repeat_count = 0
        self.repeats: list[Repeat] = []
        self.unmatched = 0  # rows of students with no version
        self.unknown: dict[str, int] = {}  # such students (at most MAX_UNKNOWN kept) -> their rows
        self.wrong: dict[int, dict[str, list[Any]]] = {}  # problem -> answer -> [count, misconception]
        # --stats' misconceptions grouped across versions: per student and problem (in quiz order) the
        # group of the last answer if it was wrong (index + 1 into self.groups[problem]), else 0
        self.slips: dict[str, array[int]] = {}
        self.groups: dict[int, list[_MistakeGroup]] = {}  # problem -> groups; [0] is "no known misconception"
        self._group_of: dict[int, dict[str, int]] = {}  # problem -> grouping key -> index into its groups
        self._said: dict[tuple[int, str], int] = {}  # (problem, misconception's text) -> index into its groups
        self._says = functools.lru_cache(maxsize=_CACHE)(self._misconception)
        numbers = sorted({n for k in self.sets for n in k})
        self._known = f" (the quiz has problems {numbers[0]}–{numbers[-1]})" if numbers else ""
        self._verdict = functools.lru_cache(maxsize=_CACHE)(self._grade)

    def _grade(self, version: int, number: int, answer: str) -> Verdict:
        return self.sets[version][number].grade(answer)

    def verdict(self, number: int, answer: str, version: int = 0) -> Verdict:
        """The verdict on answer to problem number (remembered: a class types the same answers many times)."""
        if len(answer) <= _CACHED_ANSWER:
            return self._verdict(version, number, answer)
        return self._grade(version, number, answer)

    def _misconception(self, version: int, number: int, answer: str) -> str:
        """The feedback of the problem's listed mistake that the checker gave for answer ("" for none)."""
        message = self.verdict(number, answer, version).message
        return next((m for _, m in self.sets[version][number].mistakes if m and m in message), "")

    def _note_slip(self, student: str, position: int, number: int, answer: str, version: int) -> None:
        """Remember the misconception group of a student's wrong answer (the last answer counts)."""
        says = self._says(version, number, answer) if len(answer) <= _CACHED_ANSWER else \
            self._misconception(version, number, answer)
        groups = self.groups.get(number)
        if groups is None:
            groups = self.groups[number] = [_MistakeGroup("")]
            self._group_of[number] = {"": 0}
        index = self._said.get((number, says), -1) if says else 0
        if index < 0:
            found = self._group_of[number]
            grouping = mistake_key(says)
            index = found.get(grouping, -1)
            if index < 0:
                if len(groups) >= MAX_GROUPS:  # far beyond any quiz: one group for the rest
                    grouping = "\x00"
                    index = found.get(grouping, -1)
                if index < 0:
                    index = found[grouping] = len(groups)
                    groups.append(_MistakeGroup(grouping))
            self._said[number, says] = index
        if says:
            group = groups[index]
            if version not in group.examples:
                group.examples[version] = says
        slips = self.slips.get(student)
        if slips is None:
            slips = self.slips[student] = array("H", bytes(2 * len(self.sets[version])))
        slips[position] = index + 1

    def _note_wrong(self, number: int, answer: str, verdict: Verdict, key: Key) -> None:
        table = self.wrong.setdefault(number, {})
        text = " ".join(answer.split())[:_CACHED_ANSWER]
        entry = table.get(text)
        if entry is None:
            if len(table) >= MAX_WRONG_KINDS:
                return
            says = next((m for _, m in key.mistakes if m and m in verdict.message), "")
            entry = table[text] = [0, says]
        entry[0] += 1

    def grade(self, stream: IO[str], notes: Sequence[RowError] = ()) -> Iterator[GradedAnswer | RowError]:
        """Every row of a long (student,problem,answer) or wide (student,1,2,…) CSV as graded
        answers or a row error, in file order (notes first). The delimiter (comma, semicolon or
        tab) is read from the first line."""
        for note in notes:
            self.error_count += 1
            yield note
        first_line = stream.readline(MAX_LINE + 1)
        delimiter = sniff_delimiter(first_line[:MAX_LINE])
        layout = _Layout()
        width = [3]  # columns a record of several lines must have: 3 until a header says otherwise
        first = True
        numbers: dict[str, int] = {}  # problem number as typed -> number, for the numbers in the quiz
        for line, last, fields, problem in _records(_Prefixed(first_line, stream), width, delimiter):  # type: ignore[arg-type]
            if fields is None:
                self.error_count += 1
                yield RowError(line, problem)
                continue
            if not "".join(fields).strip():
                continue
            if first:
                first = False
                header = _header(fields)
                if header is not None:
                    layout = header
                    width[0] = layout.width
                    if layout.wide:
                        self._check_columns(line, fields, layout)
                    continue
                self.error_count += 1
                yield RowError(line, "missing header line 'student,problem,answer'; reading columns in that order",
                               skipped=False)
            if last > line:
                self.error_count += 1
                yield RowError(line, f"this row runs on to line {last}: a line break inside double quotes joined "
                                     f"{_count(last - line, 'more line')} to it (is a closing quote missing?)",
                               skipped=False)
            if layout.wide:
                yield from self._wide_row(line, fields, layout)
                continue
            if len(fields) != layout.width:
                hint = " (put answers that contain commas in double quotes)" if len(fields) > layout.width else ""
                self.error_count += 1
                what = "3 columns (student, problem, answer)" if layout.width == 3 else f"{layout.width} columns"
                yield RowError(line, f"expected {what}, got {len(fields)}{hint}", tuple(fields))
                continue
            student = fields[layout.student].strip()
            number_text = fields[layout.problem].strip()
            answer = fields[layout.answer]
            row = (student, number_text, answer)
            who = self._student(line, student, fields, layout, row)
            if isinstance(who, RowError):
                yield who
                continue
            number = numbers.get(number_text)
            if number is None:
                if not is_whole(number_text):
                    self.error_count += 1
                    yield RowError(line, f"problem number {clip(number_text)!r} is not a whole number", row)
                    continue
                number = int(number_text)
                if len(numbers) < 1_000:
                    numbers[number_text] = number
            yield self._take(line, who, number, answer, row)
        if first:
            self.error_count += 1
            yield RowError(1, "the file is empty: expected a header line 'student,problem,answer'")

    def _check_columns(self, line: int, fields: Sequence[str], layout: _Layout) -> None:
        """A wide CSV's problem columns must all be problems of the quiz (of every version)."""
        for column, number in layout.wide:
            missing = [i for i, k in enumerate(self.sets) if number not in k]
            if missing:
                where = (f"version {self.versions.versions[missing[0]].code}" if self.versions else "the quiz")
                raise ManifestError(f"line {line}: column {clip(fields[column].strip())!r} is problem {number}, "
                                    f"but {where} has no problem {number}{self._known}")

    def _wide_row(self, line: int, fields: list[str], layout: _Layout) -> Iterator[GradedAnswer | RowError]:
        if len(fields) > layout.width:
            self.error_count += 1
            yield RowError(line, f"expected {layout.width} columns as in the header, got {len(fields)} "
                                 "(put answers that contain commas in double quotes)", tuple(fields))
            return
        fields = fields + [""] * (layout.width - len(fields))  # trailing empty answers may be left off
        student = fields[layout.student].strip()
        who = self._student(line, student, fields, layout, (student,))
        if isinstance(who, RowError):
            yield who
            return
        for column, number in layout.wide:
            answer = fields[column]
            if answer.strip():
                yield self._take(line, who, number, answer, (student, str(number), answer))

    def _student(self, line: int, student: str, fields: Sequence[str], layout: _Layout,
                 row: tuple[str, ...]) -> tuple[str, int] | RowError:
        """(who, version) for a row's student, or the row error."""
        sid = fields[layout.sid].strip() if layout.sid >= 0 else ""
        code = fields[layout.code].strip() if layout.code >= 0 else ""
        if not student:
            student = sid or code
        if not student:
            self.error_count += 1
            return RowError(line, "the student name is empty", row)
        if len(student) > MAX_NAME or len(sid) > MAX_NAME:
            self.error_count += 1
            return RowError(line, f"the student name is {len(student):,} characters long (at most {MAX_NAME})", row)
        if self.versions is None:
            if sid and student not in self.ids and len(self.ids) < self.max_students:
                self.ids[student] = sid
            return student, 0
        found = self.versions.find(student, sid, code)
        if isinstance(found, str):
            self.error_count += 1
            self.unmatched += 1
            if student in self.unknown or len(self.unknown) < MAX_UNKNOWN:
                self.unknown[student] = self.unknown.get(student, 0) + 1
            return RowError(line, found, row)
        version = self.versions.versions[found]
        if version.name or version.id:
            who = version.code  # a roster's version is one student's: rows by id, name or code are that student
        else:  # --versions N: many students may share a version; the CSV's id (else name) tells them apart
            who = f"{version.code}\x00{_fold(sid) if sid else student}"
        if who not in self.student_set:
            if len(self.student_set) >= self.max_students:  # bounded, as self.students is
                self.error_count += 1
                return RowError(line, f"more than {self.max_students:,} students for a quiz of "
                                      f"{len(self.sets[found]):,} problems: this student is not graded", row)
            self.student_set[who] = found
            self.ids[who] = version.id or sid
            self.names[who] = version.name or student
        return who, found

    def _take(self, line: int, who: tuple[str, int], number: int, answer: str,
              row: tuple[str, ...]) -> GradedAnswer | RowError:
        student, version = who
        keys = self.sets[version]
        key = keys.get(number)
        if key is None:
            self.error_count += 1
            where = f" (version {self.versions.versions[version].code})" if self.versions else ""
            known = (f" (it has problems {min(keys)}–{max(keys)})" if self.versions else self._known) if keys else ""
            return RowError(line, f"there is no problem {number} in this quiz{where}{known}", row)
        verdict = self.verdict(number, answer, version)
        mine = self.students.get(student)
        if mine is None:
            if len(self.students) >= self.max_students:
                self.error_count += 1
                return RowError(line, f"more than {self.max_students:,} students for a quiz of {len(keys):,} "
                                      "problems: this student is not graded", row)
            mine = self.students[student] = self._unanswered[version][:]
        position = self._positions[version][number]
        before = mine[position]
        if before:
            self.repeat_count += 1
            if len(self.repeats) < EXAMPLES:
                self.repeats.append(Repeat(line, self.names.get(student, student), number, before >> 1))
        correct = verdict.status == "correct"
        mine[position] = line * 2 + correct
        if not correct:
            self._note_wrong(number, answer, verdict, key)
            self._note_slip(student, position, number, answer, version)
        elif before and student in self.slips:
            self.slips[student][position] = 0
        self.rows += 1
        code = self.versions.versions[version].code if self.versions else ""
        return GradedAnswer(line, self.names.get(student, student), number, answer, verdict.status, verdict.message, code)

    def scores(self) -> ScoreTable:
        """A score per student, in the order they first appear."""
        return ScoreTable(self.students, len(self.keys), self)

    def nothing_graded(self, answers: str) -> NothingGradedError | None:
        """The error to give when no row could be graded (None when some were)."""
        if self.rows:
            return None
        if self.versions is not None and self.unmatched:
            return NothingGradedError(f"the manifest does not match {answers}: no row's student matches a version "
                                      "by id, name or version code")
        return NothingGradedError(f"nothing to grade in {answers}: no row holds a student's answer to a problem "
                                  "of the quiz")

    def stats_rows(self) -> Iterator[tuple[object, ...]]:
        """Per problem: number, kind, counts (answered, correct, percent correct), the three most
        common wrong answers with the misconception each matches, then the three misconceptions
        most students' last wrong answers matched, grouped across versions by their text with the
        numbers masked (see mistake_key): the masked text, the students, and one real text from the
        version where it was most common ("no known misconception" for wrong answers matching none)."""
        numbers = sorted({n for k in self.sets for n in k})
        answered = dict.fromkeys(numbers, 0)
        correct = dict.fromkeys(numbers, 0)
        slipped: dict[tuple[int, int, int], int] = {}  # (problem, group, version) -> students
        for student, mine in self.students.items():
            version = self.student_set.get(student, 0)
            slips = self.slips.get(student)
            for number, position in self._positions[version].items():
                value = mine[position]
                if value:
                    answered[number] += 1
                    correct[number] += value & 1
                    if not value & 1:
                        where = (number, slips[position] - 1 if slips is not None and slips[position] else 0, version)
                        slipped[where] = slipped.get(where, 0) + 1
        grouped: dict[int, dict[int, dict[int, int]]] = {}  # problem -> group -> version -> students
        for (number, group, version), students in slipped.items():
            grouped.setdefault(number, {}).setdefault(group, {})[version] = students
        for number in numbers:
            n, c = answered[number], correct[number]
            top = sorted((self.wrong.get(number) or {}).items(), key=lambda item: -item[1][0])[:EXAMPLES]
            cells: list[object] = []
            for text, (count, says) in top:
                cells += [text, count, says]
            cells += [""] * (3 * EXAMPLES - len(cells))
            yield (number, _kind(self.sets, number), n, c, f"{100 * c / n:.1f}" if n else "", *cells,
                   *self._group_cells(number, grouped.get(number, {})))

    def _group_cells(self, number: int, counts: Mapping[int, Mapping[int, int]]) -> list[object]:
        """The misconception_group_i columns of one problem: text, students, example (see stats_rows)."""
        groups = self.groups.get(number) or [_MistakeGroup("")]
        ranked = []
        for index, per_version in counts.items():
            group = groups[index]
            version = min(per_version, key=lambda v: (-per_version[v], v))  # the most frequent version, first on ties
            example = group.examples.get(version, "")
            if not index:
                text, example = NO_MISCONCEPTION, ""
            elif group.key == "\x00":
                text, example = OTHER_MISCONCEPTIONS, ""
            else:
                text = mask_numbers(example)
            ranked.append((-sum(per_version.values()), not index, text, example))
        cells: list[object] = []
        for minus, _, text, example in sorted(ranked)[:EXAMPLES]:
            cells += [text, -minus, example]
        return cells + [""] * (3 * EXAMPLES - len(cells))


@dataclass
class _MistakeGroup:
    """Misconceptions that differ only in their numbers (one per version, say), for --stats."""

    key: str  # mistake_key of their texts; "" for wrong answers matching no misconception
    examples: dict[int, str] = field(default_factory=dict)  # version -> the first real text met


NO_MISCONCEPTION = "no known misconception"
OTHER_MISCONCEPTIONS = "other misconceptions (too many kinds to tell apart)"
MAX_GROUPS = 65_000  # misconception groups told apart per problem for --stats (kept in 2 bytes a cell)
MASK = "\u2026"  # what a masked number becomes: …
_UNSIGNED = r"(?:[0-9]+(?:,[0-9]{3})*(?![0-9])(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+\-\u2212]?[0-9]+)?"
# a number: a sign only where it cannot be an operator (not after a name, a digit, a prime or a
# closing bracket: "x = −1" but not "a − 1" or "x−1"), digits (1,000 and decimals), an exponent,
# a fraction (3/4, −1/2), or a vulgar fraction (½); never inside a name such as w1 or after a
# prime; letters, primes, subscripts and superscripts (x², w₁, xⁿ⁻¹) are never touched
_NUMBER_TEXT = re.compile(
    r"(?:(?<![\w.\u2032\u2033)\]}])[+\-\u2212](?=[0-9.])|(?<![\w.\u2032\u2033]))"
    rf"{_UNSIGNED}(?:[/\u2044][+\-\u2212]?{_UNSIGNED})?"
    r"|[\u00bc-\u00be\u2150-\u215e]")
_MASKED_PAREN = re.compile(r"\(\u2026\)")
_MASKED_RUN = re.compile(r"\u2026(?:\s?\u2026)+")


def mask_numbers(text: str) -> str:
    """text with whitespace collapsed and every number (signed integers and decimals, with the
    Unicode minus too, fractions such as 3/4 and −1/2) replaced by …: "Substitute x = −1 with its
    sign: that is f(1)." -> "Substitute x = … with its sign: that is f(…)."."""
    return _NUMBER_TEXT.sub(MASK, " ".join(text.split()))


def mistake_key(text: str) -> str:
    """What misconceptions are grouped by: the masked text, with a masked number in parentheses
    the same as one without (5(3)² and (−3)(−1)² both give …², as in "The power applies to x
    only: 5(3)² = 5(9), not (15)²" and its version with a negative coefficient)."""
    return _MASKED_RUN.sub(MASK, _MASKED_PAREN.sub(MASK, mask_numbers(text)))


def _kind(sets: Sequence[Mapping[int, Key]], number: int) -> str:
    kinds = sorted({k[number].kind for k in sets if number in k and k[number].kind})
    return "/".join(kinds)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def grade_csv(quiz: Mapping[str, Any] | Mapping[int, Key], csv_text: str, notes: Sequence[RowError] = (),
              versions: Sequence[Version] = ()) -> GradeReport:
    """Grade a whole CSV held in memory (a quiz.json dict or its keys, or a class set's versions);
    for small inputs and tests."""
    if versions:
        grader = Grader(versions=versions)
    else:
        keys = quiz if all(isinstance(k, Key) for k in quiz.values()) and quiz else quiz_keys(quiz)
        grader = Grader(keys)  # type: ignore[arg-type]
    answers: list[GradedAnswer] = []
    errors: list[RowError] = []
    for item in grader.grade(io.StringIO(csv_text.removeprefix("\ufeff"), newline=""), notes):
        if isinstance(item, GradedAnswer):
            answers.append(item)
        else:
            errors.append(item)
    return GradeReport(tuple(answers), tuple(errors), tuple(grader.scores()), grader.problem_count,
                       grader.repeat_count, tuple(grader.repeats), tuple(grader.stats_rows()))


class _Outputs:
    """Files written as one unit: each is filled in a temporary file beside its target (so a
    missing or read-only folder fails before anything is graded), and all are renamed into
    place only when every one is complete; on any error none is left behind."""

    def __init__(self, targets: Sequence[tuple[str, Path]]) -> None:
        self.targets = [path for _, path in targets]
        self.temps: list[str] = []
        self.locks: list[int] = []  # each temporary file's descriptor, holding its flock until the end
        mode = 0o666 & ~_umask()
        try:
            for option, path in targets:
                try:
                    fd, tmp = _locked_temp(path)
                except OSError as exc:
                    raise ReportFileError(f"cannot write {path} ({exc.strerror or exc})", option) from None
                self.temps.append(tmp)
                self.locks.append(fd)
                os.fchmod(fd, mode)
        except BaseException:
            self.discard()
            raise

    def fill(self, index: int, write: Callable[[IO[str]], object]) -> None:
        with open(self.temps[index], "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())

    def commit(self) -> None:
        for tmp, path in zip(self.temps, self.targets):
            os.replace(tmp, path)
        self.temps = []
        self._unlock()

    def discard(self) -> None:
        for tmp in self.temps:
            Path(tmp).unlink(missing_ok=True)
        self.temps = []
        self._unlock()

    def _unlock(self) -> None:
        for fd in self.locks:
            os.close(fd)
        self.locks = []


def check_targets(outputs: Sequence[tuple[str, Path]], inputs: Iterable[Path]) -> None:
    """Refuse outputs that are an input (under any name) or the same file as another output."""
    inputs = list(inputs)
    seen: dict[tuple[int, int] | str, str] = {}
    for option, path in outputs:
        check_report_target(path, inputs, option)
        try:
            info = os.stat(path)
            ident: tuple[int, int] | str = (info.st_dev, info.st_ino)
        except OSError:
            ident = os.path.abspath(path)
        if ident in seen:
            raise ReportFileError(f"{path} is given to both {seen[ident]} and {option}: give each its own file", option)
        seen[ident] = option


STATS_HEADER = ("problem", "kind", "answered", "correct", "percent_correct",
                *(f"{what}_{i}" for i in range(1, EXAMPLES + 1) for what in ("wrong_answer", "count", "misconception")),
                *(f"misconception_group_{i}{what}" for i in range(1, EXAMPLES + 1) for what in ("", "_students", "_example")))
GRADEBOOK_FORMATS = ("canvas", "moodle")


def stats_csv_rows(rows: Iterable[Sequence[object]]) -> Iterator[tuple[object, ...]]:
    """The --stats file's rows, header first, every text cell made safe for a spreadsheet."""
    yield STATS_HEADER
    for row in rows:
        yield tuple(_cell(v) if isinstance(v, str) else v for v in row)


def gradebook_rows(scores: Iterable[StudentScore], title: str, points: int, form: str) -> Iterator[tuple[object, ...]]:
    """A gradebook CSV to import: Canvas's (Student, ID, SIS User ID, Section, <assignment>, then a
    Points Possible row) or Moodle's (ID number, Full name, <grade item>); the grade is the
    number of problems right."""
    title = _cell(title or "quizgen quiz")
    if form == "canvas":
        yield ("Student", "ID", "SIS User ID", "Section", title)
        yield ("Points Possible", "", "", "", points)
        for s in scores:
            yield (_cell(s.student), "", _cell(s.id), "", s.correct)
    else:
        yield ("ID number", "Full name", title)
        for s in scores:
            yield (_cell(s.id), _cell(s.student), s.correct)


def grade_file(keys: Mapping[int, Key] | None, answers: Path, report: Path, inputs: Iterable[Path] = (), *,
               versions: Sequence[Version] = (), stats: Path | None = None, gradebook: Path | None = None,
               gradebook_format: str = "canvas", title: str = "") -> GradeSummary:
    """Grade the answers CSV into the report CSV, streaming, and write the --stats and --gradebook
    files if asked; all are written as one unit, and only if grading finishes with something
    graded (AnswersFileError, ReportFileError, ManifestError or NothingGradedError otherwise,
    nothing written)."""
    outputs = [("--report", report)] + [(o, p) for o, p in (("--stats", stats), ("--gradebook", gradebook)) if p]
    check_targets(outputs, [answers, *inputs])
    stream, notes = open_answers(answers)
    try:
        files = _Outputs(outputs)
    except OSError as exc:
        stream.close()
        raise ReportFileError(f"cannot write {report} ({exc.strerror or exc})") from None
    except BaseException:
        stream.close()
        raise
    grader = Grader(keys, versions)
    shown: list[RowError] = []
    cached = functools.lru_cache(maxsize=_CACHE)(_cell)  # names, answers and messages repeat

    def cell(text: str) -> str:
        return cached(text) if len(text) <= _CACHED_ANSWER else _cell(text)

    def fill(f: IO[str]) -> None:
        writer = csv.writer(f, lineterminator="\r\n")  # RFC 4180; with "\n" alone a \r in a cell is not quoted
        writer.writerow(REPORT_HEADER + (("version",) if versions else ()))
        row = writer.writerow
        for item in grader.grade(stream, notes):
            if isinstance(item, GradedAnswer):
                if versions:
                    row((item.line, cell(item.student), item.problem, cell(item.answer), item.status,
                         cell(clip(item.message, MAX_MESSAGE)), item.version))
                else:
                    row((item.line, cell(item.student), item.problem, cell(item.answer), item.status, cell(clip(item.message, MAX_MESSAGE))))
            else:
                if len(shown) < SHOWN_ERRORS:
                    shown.append(item)
                row(_error_row(item))
        failed = grader.nothing_graded(str(answers))
        if failed is not None:
            raise failed

    try:
        with stream:
            files.fill(0, fill)
        index = 1
        if stats:
            files.fill(index, lambda f: csv.writer(f, lineterminator="\r\n").writerows(stats_csv_rows(grader.stats_rows())))
            index += 1
        if gradebook:
            files.fill(index, lambda f: csv.writer(f, lineterminator="\r\n").writerows(
                gradebook_rows(grader.scores(), title, grader.problem_count, gradebook_format)))
        files.commit()
    except UnicodeError as exc:  # a UTF-16 file with an odd number of bytes, and the like
        files.discard()
        raise AnswersFileError(f"cannot decode {answers} ({exc})") from None
    except InputError:
        files.discard()
        raise
    except OSError as exc:
        files.discard()
        raise ReportFileError(f"cannot write {exc.filename or report} ({exc.strerror or exc})") from None
    except BaseException:
        files.discard()
        raise
    return GradeSummary(grader.scores(), grader.problem_count, grader.rows, grader.error_count, tuple(shown),
                        grader.repeat_count, tuple(grader.repeats), grader.unmatched, tuple(grader.unknown.items()))


# ---------------------------------------------------------------- output


def score_lines(scores: Iterable[StudentScore] | GradeReport | GradeSummary) -> Iterator[str]:
    """The score table as aligned plain text, line by line, one student per line (names clipped
    to ECHO characters), with each student's version code for a class set; scores is read twice
    (once for the widths)."""
    if isinstance(scores, (GradeReport, GradeSummary)):
        scores = scores.scores
    total = max((s.total for s in scores), default=0)
    versioned = any(s.version for s in scores)
    head = ("student", "version", "correct", "answered", "score") if versioned else ("student", "correct", "answered", "score")
    widths = [max([len(head[0]), *(min(len(s.student), ECHO) for s in scores)])]
    if versioned:
        widths.append(max([len(head[1]), *(min(len(s.version), ECHO) for s in scores)]))
    widths += [max(len("correct"), len(f"{total}/{total}")), max(len("answered"), len(str(total))), len("score")]

    def fmt(row: tuple[str, ...]) -> str:
        left = 2 if versioned else 1
        return "  ".join([c.ljust(w) for c, w in zip(row[:left], widths[:left])]
                         + [c.rjust(w) for c, w in zip(row[left:], widths[left:])]).rstrip() + "\n"

    yield fmt(head)
    yield fmt(tuple("-" * w for w in widths))
    empty = True
    for s in scores:
        empty = False
        who = (clip(plain(s.student)), clip(plain(s.version))) if versioned else (clip(plain(s.student)),)
        yield fmt((*who, f"{s.correct}/{s.total}", str(s.answered), f"{round(100 * s.score)}%"))
    if empty:
        yield "(no answers graded)\n"


def format_scores(scores: Iterable[StudentScore] | GradeReport | GradeSummary) -> str:
    """The score table as one text (see score_lines)."""
    return "".join(score_lines(scores))


def format_errors(report: GradeReport | GradeSummary) -> str:
    """Row errors (the first SHOWN_ERRORS, then a count) and one summary of repeated answers,
    one per line (empty when there are none). Everything user-typed is clipped to ECHO characters."""
    shown = report.errors[:SHOWN_ERRORS]
    count = report.error_count if isinstance(report, GradeSummary) else len(report.errors)
    lines = [f"line {e.line}: {e.message}" for e in shown]
    if count > len(shown):
        lines.append(f"… and {count - len(shown):,} more rows that could not be graded (status 'error' in the report)")
    if report.repeat_count:
        examples = "; ".join(f"line {r.line}: {clip(r.student)}, problem {r.problem}, before on line {r.before}"
                             for r in report.repeats)
        lines.append(f"{_count(report.repeat_count, 'answer')} to a problem the same student answered before "
                     f"(the last answer counts), e.g. {examples}")
    if isinstance(report, GradeSummary) and report.unmatched_rows:
        students = len(report.unmatched)
        examples = ", ".join(f"{clip(name)!r}" for name, _ in report.unmatched[:EXAMPLES])
        lines.append(f"{_count(report.unmatched_rows, 'row')} of {students:,}{'+' if students >= MAX_UNKNOWN else ''} "
                     f"{'student' if students == 1 else 'students'} matching no version of the manifest "
                     f"(e.g. {examples}): check the names, or add an id or version column")
    return "".join(plain(line) + "\n" for line in lines)


def plain(text: str) -> str:
    """Text safe to print on a terminal: control and direction-changing characters and lone
    surrogates become �."""
    return _TERMINAL_UNSAFE.sub("\ufffd", text)


_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CELL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # tab, \n, \r kept: csv quotes them
_FORMULA_START = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP: a cell starting with =, +, -, @,
    tab or CR gets a leading '), except plain numbers such as -3 or -0.5, which stay numbers;
    other control characters become �."""
    if _CELL_CONTROL.search(value):
        value = _CELL_CONTROL.sub("\ufffd", value)
    if value[:1] in _FORMULA_START and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _error_row(error: RowError) -> tuple[object, ...]:
    fields = [_cell(clip(f, 1_000)) for f in error.fields[:3]]
    fields += [""] * (3 - len(fields))
    return (error.line, *fields, "error" if error.skipped else "warning", _cell(error.message))


def report_csv(report: GradeReport) -> str:
    """The per-row report as CSV text: line, student, problem, answer, status, message; graded
    answers and rows that could not be graded (status 'error'), in line order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    items: list[GradedAnswer | RowError] = sorted([*report.answers, *report.errors], key=lambda item: item.line)
    for item in items:
        if isinstance(item, GradedAnswer):
            writer.writerow([item.line, _cell(item.student), item.problem, _cell(item.answer), item.status, _cell(clip(item.message, MAX_MESSAGE))])
        else:
            writer.writerow(_error_row(item))
    return buffer.getvalue()


def write_report_csv(report: GradeReport, path: str | os.PathLike[str]) -> None:
    """Write report_csv to path atomically, with the umask's permissions."""
    text = report_csv(report)
    write_atomic(Path(path), lambda f: f.write(text))
