"""A class set's practice pages (issue 9): "New numbers" come from one pool per problem slot, drawn
once for the whole class from the run's seed, shared by every version's page.

Read back from the real `quizgen make --versions` output: each page deals the slot's pool less the
version's own problem, every dealt problem is recomputed independently (tests/independent.py,
sympy limits, not quizgen's code) and has the slot's answer form; `--rebuild` gives the same bytes,
and a manifest made before the pools were shared (no "format") rebuilds its per-version pools.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from independent import agrees
from quizgen import classset
from quizgen.generate import practice_pools
from quizgen.model import MAX_PAGE_VARIANTS
from quizgen.practice import expand
from quizgen.render import quiz_data, render_variants
from test_practice_variants import pools, stored

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
VARIANTS = 4


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "quizgen", *args], capture_output=True, text=True, env=ENV, cwd=cwd,
                          timeout=600)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pools")
    done = run("make", "--versions", "3", "--count", "6", "--seed", "21", "--variants", str(VARIANTS), "--format",
               "json,practice,html", "--out", "cs", cwd=d)
    assert done.returncode == 0, done.stderr
    return d


def manifest(d: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((d / "cs" / "manifest.json").read_text())
    return data


def one_line(html: str) -> str:
    return " ".join(html.split())


def test_each_page_deals_its_slots_shared_pool_less_its_own_problem(made: Path) -> None:
    data = manifest(made)
    assert data["format"] == classset.FORMAT == 4
    by_slot: dict[int, set[str]] = {}
    for v in data["versions"]:
        quiz = json.loads((made / "cs" / v["folder"] / "quiz.json").read_text())
        found = pools((made / "cs" / v["folder"] / "practice.html").read_text())
        assert sorted(found) == [p["number"] for p in quiz["problems"]]
        for p in quiz["problems"]:
            questions = [one_line(x["question"]) for x in found[p["number"]]]
            assert len(questions) == VARIANTS and len(set(questions)) == VARIANTS
            assert one_line(p["prompt_html"]) not in questions  # never the version's own problem
            by_slot.setdefault(p["number"], set()).update(questions)
    # One pool per slot for the class: VARIANTS + 1 problems at most, whatever the number of versions.
    assert all(len(questions) <= VARIANTS + 1 for questions in by_slot.values()), by_slot


def test_the_dealt_problems_are_verified_and_of_the_slots_form(made: Path) -> None:
    """The page's pools are the problems class_pools draws (tied by their HTML), each recomputed
    independently from its quiz.json fields, with the answer form every version has in that slot."""
    data = manifest(made)
    copt, version = classset.rebuild(data, data["versions"][1]["code"], "manifest.json")
    shared = classset.class_pools(copt, data["seed"], version)
    assert shared is not None and len(shared) == len(version.quiz.problems) == len(version.slots)
    page = stored((made / "cs" / version.folder / "practice.html").read_text())
    for slot, pool, own in zip(version.slots, shared, version.quiz.problems):
        assert [(x.problem.kind, x.problem.number) for x in pool] == [(slot.kind, slot.number)] * len(pool)
        assert all(classset.answer_form(x.problem) == slot.form for x in pool)
        dealt = classset.own_pools([pool], dataclasses.replace(version.quiz, problems=(own,)), VARIANTS)[0]
        assert [expand(x.question) for x in dealt] == [expand(x["question"]) for x in page[slot.number]]
        entries = quiz_data(dataclasses.replace(version.quiz, problems=tuple(x.problem for x in pool)))["problems"]
        for entry in entries:
            assert agrees(entry), entry


def test_a_pool_holding_the_versions_own_problem_deals_the_others(made: Path) -> None:
    data = manifest(made)
    copt, version = classset.rebuild(data, data["versions"][0]["code"], "manifest.json")
    shared = classset.class_pools(copt, data["seed"], version)
    assert shared is not None
    # A version whose problem is the pool's second: it gets the other VARIANTS, in the pool's order.
    quiz = dataclasses.replace(version.quiz, problems=(shared[0][1].problem,))
    dealt = classset.own_pools(shared[:1], quiz, VARIANTS)[0]
    assert [x.problem for x in dealt] == [shared[0][0].problem, *[x.problem for x in shared[0][2:]]]


def test_rebuild_gives_the_same_practice_page(made: Path) -> None:
    data = manifest(made)
    v = data["versions"][2]
    done = run("make", "--rebuild", v["code"], "--manifest", "cs/manifest.json", "--out", "again", cwd=made)
    assert done.returncode == 0, done.stderr
    for name in ("practice.html", "quiz.json", "worksheet.html", "key.html"):
        assert (made / "again" / name).read_bytes() == (made / "cs" / v["folder"] / name).read_bytes(), name


def test_a_manifest_from_before_shared_pools_rebuilds_its_own_pools(made: Path) -> None:
    """No "format" (format 1, quizgen before the pools were shared): each version drew its own variants from
    its problems' seeds (generate.practice_pools); --rebuild draws them so again, as that quizgen made them."""
    data = manifest(made)
    del data["format"]
    (made / "cs" / "old.json").write_text(json.dumps(data))
    v = data["versions"][0]
    done = run("make", "--rebuild", v["code"], "--manifest", "cs/old.json", "--out", "old", cwd=made)
    assert done.returncode == 0, done.stderr
    for name in ("quiz.json", "worksheet.html", "key.html"):
        assert (made / "old" / name).read_bytes() == (made / "cs" / v["folder"] / name).read_bytes(), name
    copt, version = classset.rebuild(data, v["code"], "old.json")
    own = [render_variants(pool) for pool in practice_pools(version.quiz, VARIANTS)]
    page = stored((made / "old" / "practice.html").read_text())
    assert {n: [expand(x["question"]) for x in pool] for n, pool in page.items()} == {
        p.number: [expand(x.question) for x in pool] for p, pool in zip(version.quiz.problems, own)}
    assert page != stored((made / "cs" / v["folder"] / "practice.html").read_text())


@pytest.mark.parametrize("value,needle", [(5, "comes out differently"), ("2", "format: "), (0, "format: "),
                                          (True, "format: ")])
def test_a_manifest_format_quizgen_does_not_write_is_one_line_exit_2(made: Path, value: object, needle: str) -> None:
    data = manifest(made)
    data["format"] = value
    (made / "cs" / "bad.json").write_text(json.dumps(data))
    done = run("make", "--rebuild", data["versions"][0]["code"], "--manifest", "cs/bad.json", "--out", "bad", cwd=made)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr, done.stderr
    assert not (made / "bad").exists()


def test_variants_0_gives_pages_without_new_numbers(tmp_path: Path) -> None:
    done = run("make", "--versions", "2", "--count", "3", "--seed", "4", "--variants", "0", "--format", "practice",
               "--out", "cs", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for folder in sorted(p for p in (tmp_path / "cs").iterdir() if p.is_dir()):
        html = (folder / "practice.html").read_text()
        assert 'class="pool"' not in html and "New numbers</button>" not in html


def test_the_page_limit_shrinks_the_pools_as_for_a_single_run() -> None:
    copt = classset.ClassOptions(classset.Options(count=20), variants=50)
    assert classset.pool_size(copt, 20) == 50
    assert classset.pool_size(copt, 200) == MAX_PAGE_VARIANTS // 200 == 5
    assert classset.pool_size(dataclasses.replace(copt, formats=("json",)), 20) == 0
    assert classset.pool_size(dataclasses.replace(copt, variants=0), 20) == 0
