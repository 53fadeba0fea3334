"""Hostile input to `quizgen make` (issue 7 items 1, 2, 6, 10): every value and spec file answers at once
with one error line naming the option (or file:line), exit code 2 and nothing written.

Hang guards are a SIGALRM alarm (as in test_answers.py), not timing thresholds: each case fails if it is
still running after 10 s. Reading /dev/zero or a 1 GB file runs in a child with its memory capped, so a
regression fails the test instead of exhausting the shared machine.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
BIG = "1" * 5000
SECTION = '[[sections]]\nheading = "A"\nkinds = ["gradient-step"]\n'


@contextmanager
def no_hang(what: str, seconds: int = 10) -> Iterator[None]:
    def stuck(signum: int, frame: object) -> None:
        raise AssertionError(f"still running after {seconds} s: {what}")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def refused(tmp_path: Path, *args: str) -> str:
    """Run make with `args`; assert exit 2, one line starting "Error: ", and no --out folder. Returns the line."""
    out = tmp_path / "out"
    with no_hang(" ".join(a[:40] for a in args)):
        result = CliRunner().invoke(main, ["make", *args, "-f", "json", "--out", str(out)])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert len(lines[0]) < 400, lines[0]  # values are echoed clipped
    assert not out.exists()
    return lines[0]


# ---------------------------------------------------------------- numbers on the command line


@pytest.mark.parametrize(
    ("args", "pieces"),
    [
        (["--point", "1e100000000"], ["--point 1e100000000: too large", "|a| ≤ 100"]),
        (["--point", "-1e100000000"], ["--point -1e100000000: too large"]),
        (["--step", "1e-100000000"], ["--step 1e-100000000: keep |h| ≥ 0.000001"]),
        (["--step", "1e100000000"], ["--step 1e100000000: too large", "|h| ≤ 10"]),
        (["--rate", "1e100000000"], ["--rate 1e100000000: too large", "at most 1"]),
        (["--rate", "1e-100000000"], ["--rate 1e-100000000: keep its denominator"]),
        (["--rate", "1/9999999"], ["--rate 1/9999999: keep its denominator ≤ 1,000,000"]),
        (["--rate", "0"], ["--rate 0: the learning rate must be above 0"]),
        (["--point", BIG], ["--point 1111", "(5,000 characters): too large"]),
        (["--point", "0." + "0" * 5000 + "1"], ["--point 0.000", "keep its denominator"]),
        (["--point", "1/" + BIG], ["--point 1/111", "keep its denominator"]),
        (["--point", "1e" + BIG], ["too large"]),
        (["--point", "\x1b[31m"], ["--point: '\\x1b[31m' is not a number"]),
    ],
    ids=lambda v: ascii(v)[:30] if isinstance(v, list) else None,
)
def test_numbers_are_bounded_before_they_are_computed(tmp_path: Path, args: list[str], pieces: list[str]) -> None:
    line = refused(tmp_path, *args, "-k", "gradient-step")
    for piece in pieces:
        assert piece in line, (piece, line)
    assert "not a number" not in line or "x1b" in line


@pytest.mark.parametrize("flag", ["--seed", "--count"])
def test_huge_whole_numbers_are_refused_by_length(tmp_path: Path, flag: str) -> None:
    line = refused(tmp_path, flag, BIG)
    assert f"'{flag}" in line and "is too long: give a whole number from" in line and "(5,000 characters)" in line


def test_rate_pins_gradient_steps(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["make", "-k", "gradient-step", "--function", "3w^2-4w+5", "--point", "2",
                                       "--rate", "0.1", "-f", "json", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    import json

    problem = json.loads((tmp_path / "quiz.json").read_text())["problems"][0]
    assert problem["answer"] == "1.2"  # w₁ = 2 − 0.1·L′(2) = 2 − 0.1·(6·2 − 4)


def test_parse_number_agrees_with_fraction_inside_its_bounds() -> None:
    from quizgen.exact import NumberError, parse_number

    rng = random.Random(7)
    alphabet = "0123456789._eE+-/"
    checked = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        if "e" in text.lower():  # Fraction itself computes 10^exp first: keep exponents it can afford
            text = text.lower().split("e")[0] + "e" + rng.choice(["", "-", "+"]) + str(rng.randint(0, 60))
        try:
            expected = Fraction(text)
        except (ValueError, ZeroDivisionError):
            expected = None
        try:
            got = parse_number(text)
        except NumberError as exc:
            got = None
            if exc.reason != "syntax":  # bounded: 10^30 or more, or more than 30 decimal places
                assert expected is not None
                assert abs(expected) >= 10**30 or (expected * 10**30).denominator != 1, text
                continue
        assert got == expected, text
        checked += got is not None
    assert checked > 2000
    with no_hang("parse_number on huge exponents"):
        for text in ("1e100000000", "1e-100000000", "9" * 100_000, "0." + "0" * 100_000 + "1", "1e" + "9" * 100_000):
            with pytest.raises(NumberError) as info:
                parse_number(text)
            assert info.value.reason in ("large", "fine")
    assert parse_number("0e99999999999999") == 0 and parse_number("0" * 5000 + "12.5e-1") == Fraction(5, 4)


# ---------------------------------------------------------------- zero-problem sets


def test_a_set_with_no_possible_problem_is_an_error_saying_why(tmp_path: Path) -> None:
    line = refused(tmp_path, "--function", "1000x^4", "--point", "100", "--kind", "evaluate", "--kind", "derivative-at")
    # f(100) = 1000·100⁴ = 10¹¹, beyond the ±10,000 the nice-number rules allow
    assert "--point 100: f(100) = 100000000000 is beyond ±10,000" in line and "no problems to write" in line


def test_a_spec_section_with_no_possible_problem_names_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "w.toml"
    spec.write_text('[[sections]]\nheading = "Big"\nkinds = ["evaluate"]\nfunction = "x^4"\npoint = 99\n')
    line = refused(tmp_path, "--spec", str(spec))
    assert f"--spec {spec}:5: section 1 ('Big'): point 99: f(99) = 96059601 is beyond ±10,000" in line


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("title", "named"),
    [
        ("Quiz\x003", "U+0000 (NUL), a control character"),
        ("Quiz\x1b[2J3", "U+001B (ESC), a control character"),
        ("Quiz\u202e3 ziuQ", "U+202E (RIGHT-TO-LEFT OVERRIDE), a bidirectional override"),
        ("Quiz\u20663", "U+2066 (LEFT-TO-RIGHT ISOLATE), a bidirectional override"),
        ("Quiz\u2028Two", "U+2028 (LINE SEPARATOR), a line break"),
        ("Quiz\nTwo", "U+000A (LINE FEED), a control character"),
        ("Quiz\udcff", "U+DCFF, not a character"),
    ],
    ids=lambda v: ascii(v)[:20],
)
def test_titles_with_unprintable_characters_are_refused(tmp_path: Path, title: str, named: str) -> None:
    line = refused(tmp_path, "--title", title, "-n", "1")
    assert line.startswith("Error: --title: character 5 is ") and named in line, line
    if "\udcff" in title:
        return  # a TOML file is UTF-8 text: it cannot hold an unpaired surrogate
    spec = tmp_path / "w.toml"
    spec.write_text(f'title = "{toml_escaped(title)}"\n{SECTION}')
    line = refused(tmp_path, "--spec", str(spec))
    assert line.startswith(f"Error: --spec {spec}:1: title: character 5 is ") and named in line, line
    spec.write_text(f'[[sections]]\nheading = "{toml_escaped(title)}"\nkinds = ["evaluate"]\n')
    line = refused(tmp_path, "--spec", str(spec))
    assert f"{spec}:2: section 1 (" in line and "heading: character 5 is " in line and named in line, line
    assert "\x1b" not in line and "\u202e" not in line and "\x00" not in line  # echoed as escapes


def toml_escaped(text: str) -> str:
    """`text` inside a TOML basic string, every non-ASCII or control character as a \\uXXXX escape."""
    return "".join(ch if " " <= ch < "\x7f" and ch not in '"\\' else f"\\u{ord(ch):04X}" for ch in text)


def test_instructions_may_break_lines_but_not_hold_escapes(tmp_path: Path) -> None:
    from quizgen.spec import parse_spec

    ok = parse_spec(f'instructions = """Line one.\n\tLine two."""\n{SECTION}', Path("w.toml"))
    assert ok.instructions == "Line one.\n\tLine two."
    spec = tmp_path / "w.toml"
    spec.write_text(f'instructions = "Read \\u001b[8mhidden"\n{SECTION}')
    assert "instructions: character 6 is U+001B (ESC)" in refused(tmp_path, "--spec", str(spec))


# ---------------------------------------------------------------- spec files


def _child(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """quizgen make in a child limited to 3 GB of address space and 60 s."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "quizgen", "make", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, preexec_fn=cap)


def test_spec_from_dev_zero_and_a_1_gb_file_are_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.toml"
    with open(huge, "wb") as fh:
        fh.truncate(2**30)  # sparse: no disk used
    for path, piece in (("/dev/zero", "not a regular file (a device or socket)"), (str(huge), "larger than 256 kB")):
        result = _child(["--spec", path, "-f", "json", "-o", "out"], tmp_path)
        assert result.returncode == 2, result.stderr[-500:]
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: --spec {path}: ") and piece in lines[0], lines
        assert not (tmp_path / "out").exists()


def test_spec_fifo_and_folder_are_refused_without_blocking(tmp_path: Path) -> None:
    from quizgen.errors import InputError
    from quizgen.spec import load_spec

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert refused(tmp_path, "--spec", str(fifo)).startswith(f"Error: --spec {fifo}: not a regular file (a pipe)")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with no_hang("load_spec on a folder"), pytest.raises(InputError, match=r"folder\.toml: not a regular file \(a folder\)"):
        load_spec(folder)
    assert "is a directory" in refused(tmp_path, "--spec", str(folder))  # click says so first


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("x = " + "[" * 10_000 + "]" * 10_000 + "\n", ["nested too deeply"]),
        ("x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n", ["nested too deeply"]),
        ("[" + ".".join(["t"] * 10_000) + "]\n", [":1: a dotted key of more than 2 parts"]),
        ("\n" + ".".join(["k"] * 100_000) + " = 1\n", [":2: a dotted key of more than 2 parts"]),
        ("".join(f"[t{i}]\n" for i in range(20_000)), [":1001: more than 1,000 tables"]),
        (f"seed = {BIG}\n{SECTION}", [":1: a number of 4,300 digits or more: too large"]),
        (f"seed = {'9' * 4000}\n{SECTION}", [":1: 'seed' must be a whole number from 0 to", "about 4,000 digits"]),
        (f"seed = 0x{'f' * 5000}\n{SECTION}", [":1: 'seed' must be a whole number"]),
        (f"{SECTION}point = 1e100000000\n", [":4: section 1 ('A'): point 1e100000000: too large"]),
        (f"{SECTION}step = 1e-100000000\n", [":4: section 1 ('A'): step 1e-100000000: keep |h| ≥ 0.000001"]),
        (f"{SECTION}rate = 1e100000000\n", [":4: section 1 ('A'): rate 1e100000000: too large"]),
        (f'{SECTION}point = "1e100000000"\n', [":4: section 1 ('A'): point 1e100000000: too large"]),
        (f"{SECTION}point = {'1' * 4000}\n", [":4: section 1 ('A'): point 1111", "(4,000 characters): too large"]),
        (f"{SECTION}point = {BIG}\n", [":4: a number of 4,300 digits or more"]),
        (f"{SECTION}point = inf\n", [":4: section 1 ('A'): point: 'inf' is not a number"]),
        (f"{SECTION}point = 0x{'f' * 5000}\n", [":4: section 1 ('A'): point: a whole number of about 6,02"]),
        (f"{SECTION}step = 0b{'1' * 20000}\n", [":4: section 1 ('A'): step: a whole number of about 6,02"]),
        (f'[[sections]]\nheading = "A"\nkinds = [0x{"f" * 5000}]\n', [":3: section 1 ('A'): 'kinds' must be a list", "6,020 digits"]),
    ],
    ids=lambda v: ascii(v)[:24] if isinstance(v, str) else None,
)
def test_hostile_spec_text_is_one_line_naming_the_file(tmp_path: Path, text: str, pieces: list[str]) -> None:
    spec = tmp_path / "w.toml"
    spec.write_text(text)
    line = refused(tmp_path, "--spec", str(spec))
    assert line.startswith(f"Error: --spec {spec}"), line
    for piece in pieces:
        assert piece in line, (piece, line)


WRONG_TYPES = [
    # (spec text, line, key as named in the message)
    ('title = 5\n' + SECTION, 1, "'title' must be text in quotes, not 5"),
    ('title = ["a"]\n' + SECTION, 1, "'title' must be text in quotes"),
    ('[title]\nx = 1\n' + SECTION, 1, "'title' must be text in quotes, not {'x': 1}"),
    ('instructions = 1.5\n' + SECTION, 1, "'instructions' must be text in quotes, not 1.5"),
    ('seed = "7"\n' + SECTION, 1, "'seed' must be a whole number"),
    ('seed = 1.0\n' + SECTION, 1, "'seed' must be a whole number from 0 to 9,223,372,036,854,775,807, not 1.0"),
    ('seed = -1\n' + SECTION, 1, "'seed' must be a whole number"),
    ('difficulty = ["hard"]\n' + SECTION, 1, "'difficulty' must be one of easy, medium, hard, not ['hard']"),
    ('degree = "3"\n' + SECTION, 1, "'degree' must be a whole number from 2 to 4"),
    ("sections = 5\n", 1, "needs at least one [[sections]]"),
    ("[sections]\nheading = 'A'\n", 1, "needs at least one [[sections]]"),
    ('sections = [1, 2]\n', 1, "needs at least one [[sections]]"),
    ('[[sections]]\nheading = 5\nkinds = ["evaluate"]\n', 2, "section 1: 'heading' must be text in quotes, not 5"),
    ('[[sections]]\nheading = "A"\nkinds = [1]\n', 3, "'kinds' must be a list of kind names, not [1]"),
    ('[[sections]]\nheading = "A"\nkinds = [[[[[["evaluate"]]]]]]\n', 3, "'kinds' must be a list of kind names"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\ncount = 2.0\n', 4, "'count' must be a whole number"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\npoint = [1, 2]\n', 4, "'point' must be a number"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\n[sections.point]\nx = 1\n', 4, "'point' must be a number"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\npoint.x = 1\n', 4, "'point' must be a number"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\nstep = 1979-05-27\n', 4, "'step' must be a number"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\nfunction = 3\n', 4, "'function' must be text in quotes"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\ndegree = true\n', 4, "'degree' must be a whole number"),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\ndifficulty = 2\n', 4, "'difficulty' must be one of"),
    ('instructions = """\n[[sections]]\n"""\n[[sections]]\nheading = "A"\nkinds = ["evaluate"]\nrate = true\n', 7, "'rate' must"),
]


@pytest.mark.parametrize(("text", "line", "piece"), WRONG_TYPES, ids=[f"type{i}" for i in range(len(WRONG_TYPES))])
def test_a_value_of_the_wrong_type_is_named_with_file_and_line(tmp_path: Path, text: str, line: int, piece: str) -> None:
    spec = tmp_path / "w.toml"
    spec.write_text(text)
    message = refused(tmp_path, "--spec", str(spec))
    assert message.startswith(f"Error: --spec {spec}:{line}: "), message
    assert piece in message, (piece, message)


# ---------------------------------------------------------------- errors in library words


def test_the_library_names_fields_and_the_cli_names_flags(tmp_path: Path) -> None:
    from quizgen.errors import InputError
    from quizgen.generate import Options, make_quiz, parse_pins

    cases = [
        (Options(point="1e100000000"), "point", "--point 1e100000000: too large"),
        (Options(step="0"), "step", "--step 0: the step h must not be 0"),
        (Options(rate="2"), "rate", "--rate 2: the learning rate must be above 0"),
        (Options(function="3x^^2"), "function", "--function '3x^^2': unexpected '^'"),
    ]
    for options, field, cli in cases:
        with pytest.raises(InputError) as info:
            parse_pins(options)
        assert info.value.field == field and "--" not in str(info.value), str(info.value)
        assert str(info.value).startswith(cli[2:].split(":")[0])  # "point 1e100000000", no flag
        args = {"point": ["--point", options.point], "step": ["--step", options.step], "rate": ["--rate", options.rate],
                "function": ["--function", options.function]}[field]
        assert cli in refused(tmp_path, *args)
    with pytest.raises(InputError) as info:
        make_quiz(Options(kinds=("evaluate",), count=3, function="3x^2-4x+5", point="2"), 1)
    assert (info.value.field, str(info.value)) == ("count", "count 3: the pinned values allow only 1 different problem of these kinds")
    with pytest.raises(InputError) as info:
        make_quiz(Options(title="A\x1bB"), 1)
    assert info.value.field == "title" and "--" not in str(info.value)


def test_spec_errors_are_read_without_rewriting() -> None:
    """The spec reader places library errors at file:line; the spec module never rewrites message text."""
    source = (ROOT / "quizgen" / "spec.py").read_text()
    assert "re.sub" not in source and "option=" not in source


@pytest.mark.parametrize("flag", ["--kind", "--paper", "--format", "--difficulty", "--plots", "--layout", "--degree",
                                  "--count", "--seed", "--point", "--step", "--rate", "--title", "--spec", "--out"])
def test_a_100_kb_value_is_echoed_clipped(tmp_path: Path, flag: str) -> None:
    value = "x" * 100_000
    args = [flag, value] if flag == "--out" else [flag, value, "--out", str(tmp_path / "out")]
    with no_hang(f"{flag} of 100 kB"):
        result = CliRunner().invoke(main, ["make", *args])
    assert result.exit_code == 2, result.output[:300]
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and flag in lines[0], lines[0][:300]
    assert len(lines[0]) < 500 and "100,000" in lines[0], lines[0][:600]
    assert not (tmp_path / "out").exists()


def test_mutated_specs_give_a_spec_or_one_line_error() -> None:
    """Random edits of the walkthrough spec (hostile pieces inserted, characters deleted): parse_spec returns a
    spec or raises InputError with one short line; never another exception, never a hang."""
    from quizgen.errors import InputError
    from quizgen.spec import parse_spec

    base = (ROOT / "examples" / "walkthrough.toml").read_text()
    pieces = ["[", "]", "{", "}", "=", '"', "'", ".", "\n", "1e999", "0x" + "f" * 5000, '"""', "inf", "-",
              "[[sections]]\n", "point = ", "seed = ", "1" * 5000, "\x00", "\u202e", "\\u001b", "true", "1979-05-27",
              ",", "kinds = ", '"evaluate"', "[sections.point]\n", "a.b.c = 1\n"]
    rng = random.Random(11)
    outcomes = {"spec": 0, "error": 0}
    with no_hang("parse_spec on 500 mutated specs", 60):
        for _ in range(500):
            text = list(base)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(text))
                if rng.random() < 0.6:
                    text.insert(at, rng.choice(pieces))
                else:
                    del text[at]
            try:
                parse_spec("".join(text), Path("w.toml"))
                outcomes["spec"] += 1
            except InputError as exc:
                assert "\n" not in str(exc) and len(str(exc)) < 700 and str(exc).startswith("w.toml"), str(exc)[:300]
                outcomes["error"] += 1
    assert outcomes["spec"] > 20 and outcomes["error"] > 200, outcomes
