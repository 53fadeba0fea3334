"""Worksheet specs (--spec): sections as headings, the walkthrough example, one-line errors for bad files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.cli import main
from quizgen.errors import InputError
from quizgen.mathtex import prose_html
from quizgen.spec import parse_spec

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "walkthrough.toml"


def make(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["make", *args])
    return result.exit_code, result.output


def test_walkthrough_example_reproduces_every_number(tmp_path: Path) -> None:
    code, output = make("--spec", str(EXAMPLE), "-f", "json,html", "-o", str(tmp_path))
    assert code == 0, output
    quiz = json.loads((tmp_path / "quiz.json").read_text())
    answers = [(p["kind"], p["answer"]) for p in quiz["problems"]]
    assert answers == [
        ("evaluate", "20"),  # f(3)
        ("evaluate", "9"),  # f(2)
        ("difference", "0.008003"),
        ("difference-quotient", "8.003"),
        ("expand", "3*x**2 + 6*x*h + 3*h**2 - 4*x - 4*h + 5"),
        ("simplify-quotient", "6*x + 3*h - 4"),
        ("limit-definition", "6*x - 4"),
        ("derivative-at", "8, -4, 26"),  # f′(2), f′(0), f′(5)
        ("estimate-error", "0.003"),  # 3h
        ("secant-table", "8.3, 8.03, 8.003"),
        ("tangent-line", "y = 8*x - 7"),
        ("linear-approximation", "0.008"),
        ("rising-falling", "8"),
        ("gradient-step", "1.2"),  # w ← w − η·L′(w): 2 − 0.1·8
    ]
    assert [p["number"] for p in quiz["problems"]] == list(range(1, 15))
    assert quiz["seed"] == 1 and quiz["title"] == "Derivatives from first principles: the walkthrough"
    assert quiz["instructions"].startswith("Work with f(x) = 3x² − 4x + 5 throughout.")
    headings = [s["heading"] for s in quiz["options"]["sections"]]
    assert len(headings) == 6 and quiz["problems"][0]["section"] == headings[0]
    for page in ("worksheet.html", "key.html"):
        html = (tmp_path / page).read_text()
        assert html.count('<li class="section-heading">') == 6
        # sections are lettered (Part A: …), so a heading never reads as a problem number
        # (the heading's own words are set as the key's sentences are: variables in the math face)
        positions = [html.index(f"<h2>Part {'ABCDEF'[n]}: {prose_html(h)}</h2>") for n, h in enumerate(headings)]
        assert positions == sorted(positions)
    # Escaped text, not markup: the only tags inside are the no-break spans prose_html puts around a formula.
    instructions = re.search(r'<div class="instructions">(.*?)</div>', (tmp_path / "worksheet.html").read_text(),
                             re.S)
    assert instructions is not None and "<" not in re.sub(r'<span class="nw">|</span>', "", instructions.group(1))
    assert str(prose_html(quiz["instructions"])) in (tmp_path / "worksheet.html").read_text()
    assert "\U0001d453(\U0001d465)" in str(prose_html(quiz["instructions"]))  # 𝑓(𝑥): the math face


def test_seed_in_spec_title_option_and_seed_option_override(tmp_path: Path) -> None:
    code, output = make("--spec", str(EXAMPLE), "-f", "json", "-o", str(tmp_path), "--seed", "9", "--title", "Quiz 4")
    assert code == 0, output
    quiz = json.loads((tmp_path / "quiz.json").read_text())
    assert (quiz["seed"], quiz["title"]) == (9, "Quiz 4")


def test_sections_share_one_stream_without_duplicates(tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(
        'title = "Two"\n'
        '[[sections]]\nheading = "Easy ones"\nkinds = ["tangent-line", "gradient-step"]\ncount = 6\ndifficulty = "easy"\n'
        '[[sections]]\nheading = "Hard ones"\nkinds = ["partial-derivatives"]\ncount = 3\ndifficulty = "hard"\ndegree = 3\n'
    )
    code, output = make("--spec", str(spec), "--seed", "5", "-f", "json", "-o", str(tmp_path / "o"))
    assert code == 0, output
    problems = json.loads((tmp_path / "o" / "quiz.json").read_text())["problems"]
    assert [p["section"] for p in problems] == ["Easy ones"] * 6 + ["Hard ones"] * 3
    assert [p["degree"] for p in problems[6:]] == [4, 4, 4]  # a loss has a minimum: degree 3 draws w⁴ over a cubic
    assert len({json.dumps({k: v for k, v in p.items() if k not in ("number", "seed")}) for p in problems}) == 9
    again = make("--spec", str(spec), "--seed", "5", "-f", "json", "-o", str(tmp_path / "p"))
    assert again[0] == 0
    assert (tmp_path / "o" / "quiz.json").read_bytes() == (tmp_path / "p" / "quiz.json").read_bytes()


def test_numbers_in_the_file_are_read_as_written() -> None:
    spec = parse_spec('[[sections]]\nheading = "A"\nkinds = ["difference"]\npoint = -1.5\nstep = 0.001\nrate = "1/4"\n',
                      Path("w.toml"))
    options = spec.sections[0].options
    assert (options.point, options.step, options.rate, options.count) == ("-1.5", "0.001", "1/4", 1)


BAD = [
    # (file text, expected pieces of the one-line message)
    ('title = "T"\n[[sections]]\nheading = "A"\nkinds = ["evaluate"\n', ["not valid TOML", "Unclosed array"]),
    ('title = "T"\n[[sections]]\nheading = "A"\nkinds = ["evaluate"]\ncount 3\n', ["not valid TOML", "line 5"]),
    ('titel = "T"\n[[sections]]\nheading = "A"\nkinds = ["evaluate"]\n', [":1: ", "unknown key 'titel' at the top level"]),
    (
        'title = "T"\n\n[[sections]]\nheading = "A"\nkinds = ["evaluate"]\n\n[[sections]]\nheading = "Slopes"\nkind = ["tangent-line"]\n',
        [":9: ", "unknown key 'kind' in section 2 ('Slopes')", "allowed: heading, kinds"],
    ),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\ncount = "3"\n', [":4: ", "section 1 ('A')", "'count' must be a whole number"]),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\ncount = 0\n', [":4: ", "'count'"]),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate", "slope"]\n', [":3: ", "unknown kind 'slope'"]),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\nfunction = "3x^^2"\n', [":4: ", "function '3x^^2'", "unexpected '^'"]),
    ('[[sections]]\nheading = "A"\nkinds = ["difference"]\nstep = 0\n', [":4: ", "step 0: the step h must not be 0"]),
    ('[[sections]]\nheading = "A"\nkinds = ["gradient-step"]\nrate = 2\n', [":4: ", "rate 2"]),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\npoint = true\n', [":4: ", "'point' must be a number"]),
    ('[[sections]]\nheading = "A"\nkinds = ["evaluate"]\ndifficulty = "extreme"\n', [":4: ", "'difficulty' must be one of easy, medium, hard"]),
    ('degree = 7\n[[sections]]\nheading = "A"\nkinds = ["evaluate"]\n', [":1: ", "'degree' must be a whole number from 2 to 4"]),
    ('[[sections]]\nkinds = ["evaluate"]\n', [":1: ", "section 1: missing key 'heading'"]),
    ('[[sections]]\nheading = "A"\n', [":1: ", "missing key 'kinds'"]),
    ('title = "T"\n', ["needs at least one [[sections]]"]),
    # 501 kind names for 3 problems: read whole, it took seconds to check and draw (a manifest's spec too).
    ('[[sections]]\nheading = "A"\ncount = 3\nkinds = [' + ", ".join(['"evaluate"'] * 501) + ']\n',
     [":4: ", "'kinds' lists 501 kinds; a section lists at most 500"]),
    (
        '[[sections]]\nheading = "A"\nkinds = ["evaluate"]\nfunction = "3x^2-4x+5"\npoint = 2\ncount = 3\n',
        [":6: ", "section 1 ('A'): count 3: the pinned values allow only 1"],
    ),
]


@pytest.mark.parametrize(("text", "pieces"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_malformed_spec_one_line_exit_2_nothing_written(tmp_path: Path, text: str, pieces: list[str]) -> None:
    spec = tmp_path / "worksheet.toml"
    spec.write_text(text)
    out = tmp_path / "out"
    code, output = make("--spec", str(spec), "-o", str(out))
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: --spec {spec}"), output
    for piece in pieces:
        assert piece in lines[0], (piece, lines[0])
    assert not out.exists()


def test_spec_cannot_be_combined_with_kind_or_pins(tmp_path: Path) -> None:
    for extra in (["--kind", "evaluate"], ["--count", "3"], ["--function", "x^2"]):
        code, output = make("--spec", str(EXAMPLE), *extra, "-o", str(tmp_path / "o"))
        assert code == 2 and "cannot be combined with --spec" in output
    assert not (tmp_path / "o").exists()


def test_missing_and_unreadable_spec_files(tmp_path: Path) -> None:
    code, output = make("--spec", str(tmp_path / "nope.toml"), "-o", str(tmp_path / "o"))
    assert code == 2 and "nope.toml" in output and "cannot read" in output
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    code, output = make("--spec", str(binary), "-o", str(tmp_path / "o"))
    assert code == 2 and "not UTF-8" in output
    assert not (tmp_path / "o").exists()


def test_library_raises_input_error_naming_the_spec() -> None:
    with pytest.raises(InputError, match=r"^w\.toml:2: unknown key 'colour'") as info:
        parse_spec('[[sections]]\ncolour = "red"\nheading = "A"\nkinds = ["evaluate"]\n', Path("w.toml"))
    assert (info.value.field, info.value.file, info.value.line) == ("spec", Path("w.toml"), 2)
    assert "--" not in str(info.value)  # library words: the CLI adds the flag


def test_make_is_a_one_section_spec(tmp_path: Path) -> None:
    """`quizgen make` and a spec of one section draw the same problems from the same seed: one way to build a quiz."""
    from dataclasses import replace

    from quizgen.generate import Options, Section, make_quiz, make_sectioned_quiz

    options = Options(count=9, kinds=("evaluate", "tangent-line", "gradient-step"), degree=3, difficulty="hard")
    plain = make_quiz(options, 31)
    spec = make_sectioned_quiz(options.title, "", [Section("Part A", options)], 31)
    assert [replace(p, section="") for p in spec.problems] == list(plain.problems)
    assert {p.section for p in spec.problems} == {"Part A"}
    # The plain set records its options at the top level, as quiz.json always has.
    assert plain.options["kinds"] == list(options.kinds) and "sections" not in plain.options
    assert spec.options["sections"][0]["heading"] == "Part A"
