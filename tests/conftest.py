"""Shared fixtures: the walkthrough set is made once per session through the real CLI."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from quizgen.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Every quiz.json a test makes (in this process or a `python -m quizgen` it starts) is validated
# against quizgen/quiz.schema.json as it is written (render.quiz_data); a file that does not
# follow the schema fails the run that writes it.
os.environ["QUIZGEN_CHECK_SCHEMA"] = "1"

WALKTHROUGH = ["--function", "3x^2-4x+5", "--point", "2", "--step", "0.001", "--seed", "1"]


@pytest.fixture(scope="session")
def walkthrough_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """quizgen make on the walkthrough's f, a and h, all formats."""
    out = tmp_path_factory.mktemp("walkthrough")
    result = CliRunner().invoke(main, ["make", *WALKTHROUGH, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def pdf_text(path: Path) -> str:
    """Text of a PDF as pdftotext-like readers see it, normalised for substring search."""
    from pypdf import PdfReader

    raw = "".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return normalise(raw)


def normalise(text: str) -> str:
    """Unicode NFKC (math-italic 𝑥 → x, ² → 2), minus signs and primes to ASCII, whitespace removed.

    Formulas are set in math-italic letters; NFKC is how a reader's search matches them to
    plain text. Apply it to both sides of a comparison (expected rows too).
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.replace("\u2212", "-").replace("\u2032", "'").split())


# Debian's Chromium, driven by Playwright (never a downloaded browser), for the page tests.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module (the practice page tests)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
