"""Golden files: worksheet.html, key.html and quiz.json for one fixed seed, compared byte for byte.

Any change to the generated problems, the templates, the CSS class names or the typeset
math shows up here. When you change the output ON PURPOSE, regenerate the golden files,
read the diff, and commit them with your change:

    QUIZGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py
    git diff tests/golden/

The set is every kind once (14 problems, seed 2026, default options) without pictures
(``plots="none"``): pictures are base64 SVG that no one can review in a diff; their bytes
are tested in tests/test_plots.py.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from quizgen.generate import Options, make_quiz
from quizgen.kinds import DEFAULT_KINDS
from quizgen.render import build_files

GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = 2026
NAMES = ("worksheet.html", "key.html", "quiz.json")
UPDATE = os.environ.get("QUIZGEN_UPDATE_GOLDEN") == "1"
HOW = "If the change is intended: QUIZGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py, then review `git diff tests/golden/`."


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    quiz = make_quiz(Options(count=len(DEFAULT_KINDS)), SEED)
    assert {p.kind for p in quiz.problems} == set(DEFAULT_KINDS)
    return build_files(quiz, {"html", "json"}, plots="none")


@pytest.mark.parametrize("name", NAMES)
def test_output_matches_the_golden_file(files: dict[str, bytes], name: str) -> None:
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(files[name])
        return
    assert golden.exists(), f"tests/golden/{name} is missing. {HOW}"
    expected, got = golden.read_bytes(), files[name]
    if got != expected:
        diff = difflib.unified_diff(
            expected.decode().splitlines(), got.decode().splitlines(), f"golden/{name}", f"generated {name}", lineterm="", n=1
        )
        shown = "\n".join(line[:200] for line in list(diff)[:60])
        pytest.fail(f"{name} differs from tests/golden/{name}.\n{HOW}\n\n{shown}", pytrace=False)
