"""The command line: help everywhere, one-line errors with exit code 2, nothing written on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from quizgen.cli import main


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_command_has_help_with_an_example() -> None:
    for name, command in main.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.output and command.help, name


def test_python_dash_m_works(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "quizgen", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0 and "quizgen make" in out.stdout


def test_make_prints_the_seed_and_writes_json_only(tmp_path: Path) -> None:
    result = run("make", "--count", "5", "--format", "json", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0
    seed = int(result.output.split()[1])
    quiz = json.loads((tmp_path / "o" / "quiz.json").read_text())
    assert quiz["seed"] == seed and len(quiz["problems"]) == 5
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["quiz.json"]


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run("make", "--seed", "42", "--count", "4", "--out", str(tmp_path / name)).exit_code == 0
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["key.html", "key.pdf", "practice.html", "quiz.json", "worksheet.html", "worksheet.pdf"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_kind_filter_and_formats(tmp_path: Path) -> None:
    result = run("make", "--seed", "3", "-k", "expand", "-k", "evaluate", "-n", "6", "-f", "json,html", "-o", str(tmp_path))
    assert result.exit_code == 0
    kinds = [p["kind"] for p in json.loads((tmp_path / "quiz.json").read_text())["problems"]]
    assert kinds == ["expand", "evaluate"] * 3
    assert not (tmp_path / "key.pdf").exists() and (tmp_path / "key.html").exists()


def test_kind_takes_comma_separated_ids_like_format(tmp_path: Path) -> None:
    """`--kind several-inputs,chain-rule` was an error ('... is not one of') while --format took commas."""
    result = run("make", "--seed", "3", "-k", "several-inputs,chain-rule", "-k", "expand", "-n", "6", "-f", "json",
                 "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    kinds = [p["kind"] for p in json.loads((tmp_path / "quiz.json").read_text())["problems"]]
    assert kinds == ["several-inputs", "chain-rule", "expand"] * 2
    assert "comma-separated" in " ".join(run("make", "--help").output.split())
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "--kind several-inputs,chain-rule" in readme


def test_kinds_lists_every_kind_with_an_example() -> None:
    from quizgen.kinds import KINDS

    result = run("kinds")
    assert result.exit_code == 0
    for kind_id in KINDS:
        assert kind_id in result.output
    assert "answer: 3x² + 6xh + 3h² − 4x − 4h + 5" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "'--count' / '-n': 0 is not in the range 1<=x<=500"),
        (["--count", "-3"], "'--count' / '-n': -3 is not in the range 1<=x<=500"),
        (["--count", "100000"], "'--count' / '-n': 100000 is not in the range"),
        (["--count", "many"], "'--count' / '-n': 'many' is not a valid integer"),
        (["--kind", "derivative"], "'--kind' / '-k': 'derivative' is not one of"),
        (["--kind", "expand,derivative"], "'--kind' / '-k': 'derivative' is not one of"),
        (["--kind", "expand,"], "'--kind' / '-k': '' is not one of"),
        (["--function", "3x^^2"], "--function '3x^^2': unexpected '^' at position 4"),
        (["--function", "sin(x)"], "--function 'sin(x)': not a polynomial in x"),
        (["--function", "2x+1"], "needs degree 2 to 4"),
        (["--function", "x^7"], "degree above 4"),
        (["--step", "0"], "--step 0: the step h must not be 0"),
        (["--step", "0.0"], "the step h must not be 0"),
        (["--step", "abc"], "--step: 'abc' is not a number"),
        (["--point", "1/0"], "--point: '1/0' is not a number"),
        (["--step", "1e-300"], "--step 1e-300: keep |h| ≥ 0.000001"),
        (["--point", "1/9999999"], "keep its denominator ≤ 1,000,000"),
        (["--degree", "7"], "'--degree': 7 is not in the range 2<=x<=4"),
        (["--paper", "a3"], "'--paper': 'a3' is not one of"),
        (["--format", "docx"], "'docx' is not one of html, pdf, json"),
        (["--seed", "-1"], "'--seed': -1 is not in the range"),
        (["--title", "  "], "--title: must not be empty"),
        (["--function", "3x^2-4x+5", "--point", "2", "--step", "0.1", "--count", "30"], "allow only"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ") and message in lines[0], lines[0]
    assert not out.exists()


def test_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    result = CliRunner().invoke(main, ["make", "-n", "2", "-f", "json", "--out", str(target)])
    assert result.exit_code == 2 and "--out" in result.output
    assert target.read_text() == "keep me"


def test_existing_output_is_replaced_and_no_temp_files_remain(tmp_path: Path) -> None:
    (tmp_path / "quiz.json").write_text("old")
    assert run("make", "--seed", "5", "-n", "3", "-f", "json", "-o", str(tmp_path)).exit_code == 0
    assert json.loads((tmp_path / "quiz.json").read_text())["seed"] == 5
    assert [p.name for p in tmp_path.iterdir()] == ["quiz.json"]


def test_pinned_walkthrough_default_count_is_one_per_kind(tmp_path: Path) -> None:
    result = run("make", "--function", "3x^2-4x+5", "--point", "2", "--step", "0.001", "-f", "json", "-o", str(tmp_path))
    # every kind but partial-derivatives (a loss of two weights cannot take a pinned f(x))
    assert result.exit_code == 0 and "13 problems" in result.output


def test_e_notation_step_gives_decimal_answers(tmp_path: Path) -> None:
    result = run("make", "--step", "1e-3", "--point", "2", "--function", "3x^2-4x+5", "-k", "difference-quotient",
                 "-f", "json", "-o", str(tmp_path))
    assert result.exit_code == 0
    problem = json.loads((tmp_path / "quiz.json").read_text())["problems"][0]
    assert (problem["step"], problem["answer"]) == ("0.001", "8.003")
