"""The reference walkthrough (SPEC §1): every number read back out of key.pdf with pdftotext.

Formulas are math-italic text with stacked fractions; `pdftotext -raw` reads the content
stream in order, where each fraction is numerator, a zero-width "/" and denominator, and
NFKC normalisation (conftest.normalise, on both sides) turns 𝑥 back into x.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import normalise, pdf_text


def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True)
    return normalise(out.stdout)


# Each line is the walkthrough's own row, worked by hand from f(x) = 3x² − 4x + 5, a = 2, h = 0.001.
WALKTHROUGH_ROWS = [
    "f(2)=3(2)²-4(2)+5=12-8+5=9",  # f(2) = 9
    "f(2.001)=3(2.001)²-4(2.001)+5=12.012003-8.004+5=9.008003",  # f(2 + h) = 9.008003
    "f(2+0.001)-f(2)=9.008003-9=0.008003",  # the difference
    "=0.008003/0.001=8.003",  # the quotient
    "f(x+h)=3(x+h)²-4(x+h)+5=3x²+6xh+3h²-4x-4h+5",  # expanded
    "f(x+h)-f(x)=6xh+3h²-4h",
    "(f(x+h)-f(x))/h=6x+3h-4",
    "f'(x)=limh→0(6x+3h-4)=6x-4",  # the limit
    "f'(2)=6(2)-4=12-4=8",
    "f'(0)=6(0)-4=0-4=-4",
    "f'(5)=6(5)-4=30-4=26",
    "error=8.003-8=0.003",  # the error is a number
    "E(h)=3h",  # … and for a quadratic exactly (leading coefficient)·h
    "E(0.001)=3(0.001)=0.003",
]


@pytest.fixture(scope="module")
def key_text(walkthrough_dir: Path) -> str:
    return pdftotext(walkthrough_dir / "key.pdf")


@pytest.mark.parametrize("row", WALKTHROUGH_ROWS)
def test_walkthrough_row_in_key_pdf(key_text: str, row: str) -> None:
    assert normalise(row) in key_text


def test_meaning_sentence_and_quadratic_error_rule(key_text: str) -> None:
    assert "Nearx=2theoutputmovesabout8.003timesasmuchastheinput" in key_text
    assert normalise("foraquadratictheerrorisexactly(leadingcoefficient)·h,e(h)=3h") in key_text.lower()


def test_math_is_set_in_math_italic_letters(walkthrough_dir: Path) -> None:
    """The raw extracted text holds 𝑓(𝑥) (U+1D453, U+1D465), not ASCII: NFKC is what reads it back."""
    raw = subprocess.run(["pdftotext", "-raw", str(walkthrough_dir / "key.pdf"), "-"], check=True,
                         capture_output=True, text=True).stdout
    assert "\U0001d453(\U0001d465) = 3\U0001d465\u00b2 \u2212 4\U0001d465 + 5" in raw
    assert "(\U0001d453(\U0001d465 + \u210e) \u2212 \U0001d453(\U0001d465))/" in raw


def test_pypdf_reads_the_same_answers(walkthrough_dir: Path) -> None:
    """A second, independent PDF reader finds every answer of quiz.json in the key."""
    text = pdf_text(walkthrough_dir / "key.pdf")
    quiz = json.loads((walkthrough_dir / "quiz.json").read_text())
    for problem in quiz["problems"]:
        for part in problem.get("answer_parts") or [problem["answer_text"]]:
            assert normalise(part).split(",f")[0] in text, part


def test_walkthrough_quiz_json(walkthrough_dir: Path) -> None:
    quiz = json.loads((walkthrough_dir / "quiz.json").read_text())
    answers = {p["kind"]: p["answer"] for p in quiz["problems"]}
    assert answers == {
        "evaluate": "9",
        "difference": "0.008003",
        "difference-quotient": "8.003",
        "expand": "3*x**2 + 6*x*h + 3*h**2 - 4*x - 4*h + 5",
        "simplify-quotient": "6*x + 3*h - 4",
        "limit-definition": "6*x - 4",
        "derivative-at": "8, -4, 26",
        "estimate-error": "0.003",
        "linear-approximation": "0.008",
        "rising-falling": "8",
        "secant-table": "8.3, 8.03, 8.003",
        "tangent-line": "y = 8*x - 7",
        "gradient-step": "1.2",  # L(w) = 3w² − 4w + 5, w₀ = 2, η = 0.1: 2 − 0.1·8
    }
    first = quiz["problems"][1]
    assert (first["function"], first["point"], first["step"]) == ("3*x**2 - 4*x + 5", "2", "0.001")
    assert quiz["seed"] == 1 and quiz["options"]["function"] == "3x^2-4x+5"
