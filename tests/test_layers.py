"""The import layers stated in pyproject.toml ([tool.importlinter]) hold, and are checked for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the quizgen package under `root` (not an installed copy), without a cache."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )


def _contracts() -> list[dict[str, object]]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_the_import_contracts_are_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kept, 0 broken" in result.stdout


def test_every_module_has_a_layer() -> None:
    """A new module must be placed in the layers, or the contract would silently not look at it."""
    (layers,) = [c for c in _contracts() if c["type"] == "layers" and c["containers"] == ["quizgen"]]
    named = {name.strip(" ()") for layer in layers["layers"] for name in str(layer).replace(":", "|").split("|")}
    package = ROOT / "quizgen"
    modules = {p.stem for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    modules |= {p.name for p in package.iterdir() if (p / "__init__.py").exists() and p.name != "templates"}
    missing = sorted(modules - named)
    assert not missing, f"add {missing} to a layer of [tool.importlinter] in pyproject.toml (lower = imported by more)"



def test_every_answers_module_has_a_layer() -> None:
    (layers,) = [c for c in _contracts() if c["type"] == "layers" and c["containers"] == ["quizgen.answers"]]
    named = {name.strip() for layer in layers["layers"] for name in str(layer).split("|")}
    modules = {p.stem for p in (ROOT / "quizgen" / "answers").glob("*.py") if p.stem != "__init__"}
    assert modules == named


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("kinds/evaluate.py", "from quizgen.generate import build_problem"),
        ("kinds/base.py", "import quizgen.mathtex"),
        ("model.py", "from quizgen import kinds"),
        ("answers/tokens.py", "from quizgen.answers.grammar import parse"),
        ("kinds/expand.py", "from matplotlib.figure import Figure"),
    ],
    ids=["kind-imports-generate", "kinds-import-mathtex", "model-imports-kinds", "tokens-import-grammar",
         "kind-draws-with-matplotlib"],
)
def test_an_upward_import_is_caught(tmp_path: Path, module: str, line: str) -> None:
    """The check is real: one upward import added to a copy of the package breaks a contract."""
    shutil.copytree(ROOT / "quizgen", tmp_path / "quizgen", ignore=shutil.ignore_patterns("__pycache__", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "quizgen" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_no_module_can_evaluate_text() -> None:
    """User text must never reach eval/exec/sympify/parse_expr: none of them is called anywhere in quizgen
    (backprop's is_exact once called sympy.sympify on its own numbers; safe, but one call is one too many)."""
    import re
    from pathlib import Path

    import quizgen

    calls = re.compile(r"(?<![\w.])(?:eval|exec)\s*\(|\bsympify\s*\(|\bparse_expr\s*\(|\bS\s*\(\s*['\"]")
    root = Path(quizgen.__file__).parent
    found = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if calls.search(line)]
    assert found == []
