"""Shared fixtures: the walkthrough set is made once per session through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from quizgen.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Every quiz.json a test makes (in this process or a `python -m quizgen` it starts) is validated
# against quizgen/quiz.schema.json as it is written (render.quiz_data); a file that does not
# follow the schema fails the run that writes it.
os.environ["QUIZGEN_CHECK_SCHEMA"] = "1"

ROOT = Path(__file__).resolve().parent.parent
QUIZGEN_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def quizgen_run(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`python -m quizgen ARGS` in a process of its own (this checkout's quizgen), output captured."""
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, text=True, env=QUIZGEN_ENV,
                          cwd=cwd, timeout=timeout)


def one_line_exit_2(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A usage error as quizgen must give it: exit 2, one line on stderr holding every needle, no traceback."""
    assert done.returncode == 2, (done.returncode, done.stdout[-300:], done.stderr[-400:])
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr


@pytest.fixture(scope="module")
def json_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding cs/, a class set of 2 versions × 3 problems as quiz.json only (one per test module)."""
    d = tmp_path_factory.mktemp("cls")
    done = quizgen_run("make", "--versions", "2", "--count", "3", "--seed", "9", "--format", "json", "--out", "cs",
                       cwd=d)
    assert done.returncode == 0, done.stderr
    return d


def tampered(d: Path, name: str, change: Any) -> str:
    """json_set's manifest changed by `change` (a function of its data), saved as cs/NAME; its path from d."""
    data = json.loads((d / "cs" / "manifest.json").read_text())
    change(data)
    (d / "cs" / name).write_text(json.dumps(data))
    return f"cs/{name}"


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
