"""Start-up and packaging: --help imports no heavy library; the version is written in one place."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import quizgen

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sympy", "weasyprint", "jinja2", "lark", "matplotlib", "ziamath")

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
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["packages"]["find"] == {"include": ["quizgen*"], "namespaces": False}
    assert setuptools["include-package-data"] is False
    assert not list((ROOT / "quizgen" / "templates").rglob("__init__.py"))
    patterns = setuptools["package-data"]["quizgen"]
    shipped = {p.relative_to(ROOT / "quizgen") for pattern in patterns for p in (ROOT / "quizgen").glob(pattern)}
    on_disk = {p.relative_to(ROOT / "quizgen") for p in (ROOT / "quizgen" / "templates").rglob("*") if p.is_file()}
    assert on_disk and on_disk <= shipped, sorted(map(str, on_disk - shipped))
