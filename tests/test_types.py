"""The library type-checks under `mypy --strict` ([tool.mypy] in pyproject.toml)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_library_is_clean_under_mypy_strict() -> None:
    # The cache lives outside the repository (tests never write into it), one per checkout.
    cache = Path(tempfile.gettempdir()) / f"quizgen-mypy-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--config-file", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
