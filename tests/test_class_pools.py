"""A class set's practice pages (issue 9): "New numbers" come from one pool per problem slot, drawn
once for the whole class from the run's seed, shared by every version's page.

Read back from the real `quizgen make --versions` output: each page deals the slot's pool, which holds
no version's problem of that slot (manifest format 5), every dealt problem is recomputed independently
(tests/independent.py, sympy limits, not quizgen's code) and has the slot's answer form; `--rebuild` gives
the same bytes, a manifest of format 2-4 rebuilds the pools those formats drew (which could hold a
classmate's problem), and one made before the pools were shared (no "format") its per-version pools.
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
from quizgen.generate import _shown_key, practice_pools
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
    # Seed 3: the pools as formats 2-4 drew them hold a classmate's quiz problem (in slots 1 and 5).
    done = run("make", "--versions", "3", "--count", "6", "--seed", "3", "--variants", str(VARIANTS), "--format",
               "json,practice,html", "--out", "cs", cwd=d)
    assert done.returncode == 0, done.stderr
    return d


def manifest(d: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((d / "cs" / "manifest.json").read_text())
    return data


def one_line(html: str) -> str:
    return " ".join(html.split())


def test_each_page_deals_its_slots_shared_pool(made: Path) -> None:
    data = manifest(made)
    assert data["format"] == classset.FORMAT == 5
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
    # One pool per slot for the class, dealt whole to every page: VARIANTS problems, whatever the number of versions.
    assert all(len(questions) == VARIANTS for questions in by_slot.values()), by_slot


def test_no_page_deals_any_versions_quiz_problem_of_its_slot(made: Path) -> None:
    """A practice page handed out before the quiz shows none of the class's quiz problems: no page's pool
    holds any version's problem of the same slot (read from the pages; and from class_pools, by the
    problem data versions are told apart by and by the numbers shown)."""
    data = manifest(made)
    prompts: dict[int, set[str]] = {}
    pages = []
    for v in data["versions"]:
        quiz = json.loads((made / "cs" / v["folder"] / "quiz.json").read_text())
        for p in quiz["problems"]:
            prompts.setdefault(p["number"], set()).add(one_line(p["prompt_html"]))
        pages.append(pools((made / "cs" / v["folder"] / "practice.html").read_text()))
    assert all(len(seen) == len(data["versions"]) for seen in prompts.values())  # the versions differ in every slot
    for v, found in zip(data["versions"], pages):
        for number, pool in found.items():
            clash = {one_line(x["question"]) for x in pool} & prompts[number]
            assert not clash, (v["folder"], number, clash)
    copt, _ = classset.rebuild(data, data["versions"][0]["code"], "manifest.json")
    versions = classset.make_versions(copt, data["seed"], [None] * len(data["versions"]))
    shared = classset.class_pools(copt, data["seed"], versions[0], versions)
    assert shared is not None
    for i, pool in enumerate(shared):
        assert len(pool) == VARIANTS
        theirs = [v.quiz.problems[i] for v in versions]
        for x in pool:
            assert all(classset._data_key(x.problem) != classset._data_key(q) for q in theirs), (i + 1, x.problem)
            assert all(_shown_key(x.problem) != _shown_key(q) for q in theirs), (i + 1, x.problem)


def test_a_slot_with_few_problems_gets_a_smaller_pool_of_none_of_the_versions() -> None:
    """Pinned values leaving few problems: the pool holds what is left besides the versions' problems, fewer
    than --variants, and the draw ends (bounded)."""
    copt = classset.ClassOptions(classset.Options(count=1, kinds=("evaluate",), function="x^2+x"),
                                 variants=50)
    versions = classset.make_versions(copt, 7, [None] * 6)
    shared = classset.class_pools(copt, 7, versions[0], versions)
    assert shared is not None
    pool = shared[0]
    theirs = {classset._data_key(v.quiz.problems[0]) for v in versions}
    assert 0 < len(pool) < 50 and not {classset._data_key(x.problem) for x in pool} & theirs


def test_the_dealt_problems_are_verified_and_of_the_slots_form(made: Path) -> None:
    """The page's pools are the problems class_pools draws (tied by their HTML), each recomputed
    independently from its quiz.json fields, with the answer form every version has in that slot."""
    data = manifest(made)
    copt, version = classset.rebuild(data, data["versions"][1]["code"], "manifest.json")
    versions = classset.make_versions(copt, data["seed"], [None] * len(data["versions"]))
    shared = classset.class_pools(copt, data["seed"], version, versions)
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
    """The pools of formats 2-4 (drawn without the versions' problems set apart): a page deals its pool less its own."""
    data = manifest(made)
    copt, version = classset.rebuild(data, data["versions"][0]["code"], "manifest.json")
    shared = classset.class_pools(copt, data["seed"], version)
    assert shared is not None
    # A version whose problem is the pool's second: it gets the other VARIANTS, in the pool's order.
    quiz = dataclasses.replace(version.quiz, problems=(shared[0][1].problem,))
    dealt = classset.own_pools(shared[:1], quiz, VARIANTS)[0]
    assert [x.problem for x in dealt] == [shared[0][0].problem, *[x.problem for x in shared[0][2:]]]


@pytest.mark.parametrize("index", [0, 2])
def test_rebuild_gives_the_same_practice_page(made: Path, index: int) -> None:
    data = manifest(made)
    v = data["versions"][index]
    done = run("make", "--rebuild", v["code"], "--manifest", "cs/manifest.json", "--out", f"again{index}", cwd=made)
    assert done.returncode == 0, done.stderr
    for name in ("practice.html", "quiz.json", "worksheet.html", "key.html"):
        assert (made / f"again{index}" / name).read_bytes() == (made / "cs" / v["folder"] / name).read_bytes(), name


def test_a_format_4_set_rebuilds_the_pools_it_drew(made: Path) -> None:
    """A set of format 2-4 drew VARIANTS + 1 problems per slot without setting the versions' problems apart, and
    dealt each page that pool less its own problem: --rebuild draws them so again, with no note, and here that
    page holds a classmate's quiz problem (which a set made now does not)."""
    data = manifest(made)
    data["format"] = 4
    (made / "cs" / "four.json").write_text(json.dumps(data))
    copt, _ = classset.rebuild(data, data["versions"][-1]["code"], "four.json")
    versions = classset.make_versions(copt, data["seed"], [None] * len(data["versions"]))
    shared = classset.class_pools(copt, data["seed"], versions[0])
    assert shared is not None and all(len(pool) == VARIANTS + 1 for pool in shared)
    clashes = 0
    for v, version in zip(data["versions"], versions):
        done = run("make", "--rebuild", v["code"], "--manifest", "cs/four.json", "--out", f"four{version.index}",
                   cwd=made)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        for name in ("quiz.json", "worksheet.html", "key.html"):
            assert (made / f"four{version.index}" / name).read_bytes() == (made / "cs" / v["folder"] / name).read_bytes()
        page = stored((made / f"four{version.index}" / "practice.html").read_text())
        dealt = classset.own_pools(shared, version.quiz, VARIANTS)
        assert {n: [expand(x["question"]) for x in pool] for n, pool in page.items()} == {
            p.number: [expand(x.question) for x in pool] for p, pool in zip(version.quiz.problems, dealt)}
        for i, pool in enumerate(dealt):
            theirs = {classset._data_key(w.quiz.problems[i]) for w in versions}
            clashes += sum(classset._data_key(x.problem) in theirs for x in pool)
    assert clashes > 0  # seed 3: what format 5 is for


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


@pytest.mark.parametrize("value,needle", [(6, "comes out differently"), ("2", "format: "), (0, "format: "),
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
