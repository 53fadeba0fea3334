"""Start-up and packaging: --help imports no heavy library; the version is written in one place."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import quizgen

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sympy", "weasyprint", "jinja2", "lark", "matplotlib", "graphviz", "ziamath")

PROBE = """
import atexit, runpy, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + " ".join(sorted(sys.modules)) + "\\n"))
sys.argv = ["quizgen", *sys.argv[1:]]
runpy.run_module("quizgen", run_name="__main__", alter_sys=True)
"""


def modules_after(*args: str) -> set[str]:
    """The modules loaded by `python -m quizgen ARGS` in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout or done.stdout.startswith("quizgen"), done.stdout
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


@pytest.mark.parametrize("args", [("--help",), ("make", "--help"), ("check", "--help"), ("--version",)])
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    loaded = modules_after(*args)
    assert "quizgen.cli" in loaded
    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY)
    assert not heavy, heavy[:10]


def test_version_is_written_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "quizgen.__version__"}
    assert quizgen.__version__.count(".") == 2


def test_templates_are_package_data_not_a_package() -> None:
    """Every data file under quizgen/ (templates, fonts) is shipped; templates/ is no package."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["packages"]["find"] == {"include": ["quizgen*"], "namespaces": False}
    assert setuptools["include-package-data"] is False
    package = ROOT / "quizgen"
    assert not list((package / "templates").rglob("__init__.py"))
    shipped = {p for pattern in setuptools["package-data"]["quizgen"] for p in package.glob(pattern)}
    data = {p for p in package.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts}
    assert (package / "templates" / "worksheet.html") in data
    assert data <= shipped, sorted(str(p.relative_to(package)) for p in data - shipped)
