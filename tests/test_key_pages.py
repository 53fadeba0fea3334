"""Issue 8 items 3, 4, 6, 7, 8: a key a teacher can mark from, a worksheet without the seed, short numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import normalise, pdf_text
from quizgen.cli import main

SEED = "987654321"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeded")
    result = CliRunner().invoke(main, ["make", "--count", "14", "--seed", SEED, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_worksheet_shows_the_version_code_never_the_seed(seeded: Path) -> None:
    version = json.loads((seeded / "quiz.json").read_text())["version"]
    html = (seeded / "worksheet.html").read_text()
    text = pdf_text(seeded / "worksheet.pdf")
    assert SEED not in html and SEED not in text
    assert version in html and version in text
    from pypdf import PdfReader

    assert SEED not in str(PdfReader(seeded / "worksheet.pdf").metadata)
    # The key and quiz.json keep it: anyone holding the seed can rebuild the key.
    assert SEED in (seeded / "key.html").read_text() and SEED in pdf_text(seeded / "key.pdf")
    assert json.loads((seeded / "quiz.json").read_text())["seed"] == int(SEED)
