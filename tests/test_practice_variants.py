"""practice.html's "New numbers" in real headless Chromium: each problem deals verified variants.

Every answer checked here is recomputed from the numbers the page shows (the question's
own aria-labels), with Fractions and a small polynomial reader of this file's own, never
with quizgen's code; the score counts problems, not tries; the page stays offline and small.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from conftest import WALKTHROUGH
from quizgen.cli import main

SEED_7 = ["--count", "20", "--seed", "7", "--variants", "20"]


def make(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["make", *args, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def twenty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 problems × 20 variants: the size the issue bounds (≤ 3 MB)."""
    return make(tmp_path_factory.mktemp("variants"), *SEED_7, "--format", "practice,json")


@pytest.fixture()
def page(browser: Browser, twenty: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((twenty / "practice.html").as_uri())
    yield page
    # Offline: nothing fetched but the file itself (and data: fonts), and no script error.
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    assert not errors, errors
    context.close()


def stored(html: str) -> dict[int, list[dict]]:
    """Each problem's pool as the page stores it (a JSON block per problem)."""
    blocks = re.findall(r'<script type="application/json" class="pool" id="pool-(\d+)">(.*?)</script>', html, re.S)
    return {int(n): json.loads(text) for n, text in blocks}  # "<\/" is JSON's own escape of "/"


def merged(base: dict, diff: dict) -> dict:
    """A variant's key: the problem's key with the stored differences (None: left out)."""
    out = dict(base)
    for name, value in diff.items():
        if value is None:
            out.pop(name, None)
        elif name == "parts" and isinstance(base.get("parts"), list) and len(base["parts"]) == len(value):
            out["parts"] = [merged(b, d) for b, d in zip(base["parts"], value)]
        else:
            out[name] = value
    return out


def pools(html: str) -> dict[int, list[dict]]:
    """Each problem's variants in full, read back from the page as its script reads them."""
    table = json.loads(re.search(r'<script type="application/json" id="pool-abbreviations">(.*?)</script>', html,
                                 re.S).group(1))  # type: ignore[union-attr]
    keys = {p["number"]: p for p in json.loads(re.search(r'id="quiz-data">(.*?)</script>', html, re.S).group(1))}  # type: ignore[union-attr]

    def expand(text: str) -> str:
        for code, markup in table:
            text = text.replace(code, markup)
        return text

    return {n: [{"question": expand(v["question"]), "solution": expand(v["solution"]), "hint": v.get("hint"),
                 "key": merged(keys[n], v["key"])} for v in pool]
            for n, pool in stored(html).items()}


def numbers_by_kind(out: Path) -> dict[str, int]:
    quiz = json.loads((out / "quiz.json").read_text())
    found: dict[str, int] = {}
    for p in quiz["problems"]:
        found.setdefault(p["kind"], p["number"])
    return found


# ------------------------------------------------------------- an independent reader and solver

SUPERSCRIPT = str.maketrans("⁰¹²³⁴", "01234")


def number(text: str) -> Fraction:
    return Fraction(text.replace("−", "-").replace(" ", ""))


def poly(text: str, var: str = "x") -> dict[int, Fraction]:
    """'3x² − 4x + 5', '-4*x - 3', '2x^2' → {power: coefficient}, read here, not by quizgen."""
    s = text.replace("−", "-").replace(" ", "").replace("**", "^").replace("*", "")
    s = re.sub(f"{var}([⁰¹²³⁴])", lambda m: f"{var}^" + m.group(1).translate(SUPERSCRIPT), s)
    coeffs: dict[int, Fraction] = {}
    for sign, c, x, power in re.findall(rf"([+-]?)([0-9./]*)({var}?)(?:\^([0-9]+))?", s):
        if not (c or x):
            continue
        value = Fraction(c) if c else Fraction(1)
        k = (int(power) if power else 1) if x else 0
        coeffs[k] = coeffs.get(k, Fraction(0)) + (-value if sign == "-" else value)
    assert re.fullmatch(rf"([+-]?[0-9./]*({var}(\^[0-9]+)?)?)+", s), text
    return {k: c for k, c in coeffs.items() if c}


def at(f: dict[int, Fraction], x: Fraction) -> Fraction:
    return sum((c * x**k for k, c in f.items()), Fraction(0))


def derivative(f: dict[int, Fraction]) -> dict[int, Fraction]:
    return {k - 1: k * c for k, c in f.items() if k}


def labels(page: Page, number: int) -> list[str]:
    return page.locator(f"#question-{number} [aria-label]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")


def given(found: list[str], name: str) -> str:
    return next(t.split("=", 1)[1] for t in found if t.replace(" ", "").startswith(name + "="))


def recompute(kind: str, found: list[str]) -> object:
    """The answer from the question's own numbers alone."""
    f = poly(given(found, "L(w)"), "w") if kind == "gradient-step" else poly(given(found, "f(x)"))
    if kind == "evaluate":
        return at(f, number(re.fullmatch(r"f\((.*)\)", found[1]).group(1)))  # type: ignore[union-attr]
    if kind == "limit-definition":
        return derivative(f)
    if kind == "derivative-at":
        return [at(derivative(f), number(x)) for x in given(found, "x").split(",")]
    if kind == "gradient-step":  # w₁, L(w₀), L(w₁) and whether the step passed the low point (slope changed sign)
        w0, rate = number(given(found, "w₀")), number(given(found, "η"))
        w1 = w0 - rate * at(derivative(f), w0)
        return [w1, at(f, w0), at(f, w1), "yes" if at(derivative(f), w0) * at(derivative(f), w1) < 0 else "no"]
    a = number(given(found, "a"))
    if kind == "secant-table":
        return [(at(f, a + h) - at(f, a)) / h for h in map(number, given(found, "h").split(","))]
    h = number(given(found, "h"))
    quotient = (at(f, a + h) - at(f, a)) / h
    return {"difference": at(f, a + h) - at(f, a), "difference-quotient": quotient,
            "estimate-error": quotient - at(derivative(f), a)}[kind]


def read_key(kind: str, key: dict) -> object:
    """The key's answer, read as numbers (every part of a gradient step)."""
    if kind == "gradient-step":
        return [number(p["answer"]) for p in key["parts"][:3]] + [key["parts"][3]["answer"]]
    key = key["answer"]
    if kind == "limit-definition":
        return poly(key)
    if kind in ("derivative-at", "secant-table"):
        return [number(t) for t in key.split(",")]
    return number(key)


CHECKED = ["evaluate", "difference", "difference-quotient", "limit-definition", "derivative-at", "estimate-error",
           "secant-table", "gradient-step"]


def deal(page: Page, number: int) -> None:
    page.locator(f"#p{number} button.deal").click()


def check(page: Page, number: int, typed: str) -> tuple[str, str]:
    box = page.locator(f"#answer-{number}")
    box.fill(typed)
    box.press("Enter")
    feedback = page.locator(f"#feedback-{number}")
    return feedback.get_attribute("class").split()[-1], feedback.text_content()


# ------------------------------------------------------------------------------------- tests


def test_twenty_problems_with_twenty_variants_stay_under_3_mb(twenty: Path) -> None:
    html = (twenty / "practice.html").read_text()
    assert (twenty / "practice.html").stat().st_size <= 3_000_000
    found = pools(html)
    assert sorted(found) == list(range(1, 21)) and all(len(pool) == 20 for pool in found.values())
    # The fonts are carried once, and each variant's question differs from its problem's others.
    assert html.count("@font-face") == 5
    for n, pool in found.items():
        first = re.search(rf'<div class="question" id="question-{n}">(.*?)</div></div>', html, re.S)
        assert first is not None
        questions = [v["question"] for v in pool] + [first.group(1).strip()]
        assert len(set(questions)) == 21, n


@pytest.mark.parametrize("kind", CHECKED)
def test_new_numbers_deal_a_problem_whose_own_key_is_right(page: Page, twenty: Path, kind: str) -> None:
    n = numbers_by_kind(twenty)[kind]
    pool = pools((twenty / "practice.html").read_text())[n]
    before = labels(page, n)
    for dealt in range(1, 4):
        deal(page, n)
        shown = labels(page, n)
        assert shown != before
        assert page.locator(f"#dealt-{n}").text_content() == f"Numbers {dealt + 1} of 21"
        key = pool[dealt - 1]["key"]
        # The page wrote back the markup quizgen rendered (its abbreviations undone as Python undoes them).
        for part in ("question", "solution"):  # the browser writes a no-break space as &nbsp; and adds <tbody>
            html = page.locator(f"#{part}-{n}").inner_html().replace("&nbsp;", "\u00a0")
            assert re.sub("</?tbody>", "", html) == pool[dealt - 1][part]
        assert read_key(kind, key) == recompute(kind, shown), (shown, key)
        typed = "; ".join(p["answer"] for p in key["parts"]) if "parts" in key else key["answer"]
        assert check(page, n, typed) == ("correct", "Correct.")
        wrong = "1/7" if kind not in ("limit-definition", "derivative-at", "secant-table") else "x + 1/7, 1"
        assert check(page, n, wrong)[0] != "correct"
        before = shown


def test_new_numbers_reset_the_box_feedback_and_solution(page: Page, twenty: Path) -> None:
    n = numbers_by_kind(twenty)["evaluate"]
    check(page, n, "12345")
    details = page.locator(f"#p{n} details")
    details.locator("summary").click()
    assert details.locator(".solution").is_visible()
    deal(page, n)
    assert page.locator(f"#answer-{n}").input_value() == ""
    assert page.locator(f"#feedback-{n}").text_content() == ""
    assert not details.locator(".solution").is_visible()
    # The worked solution is the new numbers' own: it ends at their answer.
    details.locator("summary").click()
    pool = pools((twenty / "practice.html").read_text())[n]
    assert pool[0]["key"]["answer"] in details.locator(".solution p").first.inner_text().replace("−", "-")
    # After the last variant the problem's own numbers come back.
    first = pools((twenty / "practice.html").read_text())
    for _ in range(20):
        deal(page, n)
    assert page.locator(f"#dealt-{n}").text_content() == "Numbers 1 of 21"
    assert first  # the page still answers to its first numbers
    assert check(page, n, json.loads(page.locator("#quiz-data").text_content())[n - 1]["answer"])[0] == "correct"


def test_the_score_counts_each_problem_once(page: Page, twenty: Path) -> None:
    n = numbers_by_kind(twenty)
    data = {p["number"]: p for p in json.loads(page.locator("#quiz-data").text_content())}
    found = pools((twenty / "practice.html").read_text())
    score = page.locator("#score")
    assert score.text_content() == "0 of 20 correct"
    one, two, three = n["evaluate"], n["difference"], n["difference-quotient"]
    check(page, one, data[one]["answer"])
    assert score.text_content() == "1 of 20 correct"
    deal(page, one)  # right again on new numbers: still one problem
    check(page, one, found[one][0]["key"]["answer"])
    check(page, one, "0")  # a wrong try takes nothing back
    assert score.text_content() == "1 of 20 correct"
    deal(page, three)  # right first on its new numbers: counts
    check(page, three, found[three][0]["key"]["answer"])
    assert score.text_content() == "2 of 20 correct"
    page.locator(f"#p{two} summary").click()  # shown first: it will not count as correct
    check(page, two, data[two]["answer"])
    assert score.text_content() == "2 of 20 correct · 1 answer shown first"
    deal(page, two)
    check(page, two, found[two][0]["key"]["answer"])
    assert score.text_content() == "2 of 20 correct · 1 answer shown first"
    help_text = page.locator(".help").inner_text()
    assert "each problem counts once" in help_text and "before showing its answer" in help_text


def test_new_numbers_by_keyboard_and_at_phone_width(browser: Browser, twenty: Path, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto((twenty / "practice.html").as_uri())
    page.locator("#answer-1").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "New numbers"
    page.keyboard.press("Enter")
    # Dealt: the answer box has the focus, ready for the new numbers.
    assert page.evaluate("document.activeElement.id") == "answer-1"
    assert page.locator("#dealt-1").text_content() == "Numbers 2 of 21"
    page.keyboard.type(pools((twenty / "practice.html").read_text())[1][0]["key"]["answer"])
    page.keyboard.press("Enter")
    assert page.locator("#feedback-1").text_content() == "Correct."
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for n in range(1, 21):
        box = page.locator(f"#p{n} button.deal").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.locator("#p1").screenshot(path=str(tmp_path / "phone-dealt.png"))
    assert (tmp_path / "phone-dealt.png").stat().st_size > 10_000  # looked at by hand too
    context.close()


def test_the_same_seed_gives_the_same_page(twenty: Path, tmp_path: Path) -> None:
    again = make(tmp_path / "again", *SEED_7, "--format", "practice")
    assert (again / "practice.html").read_bytes() == (twenty / "practice.html").read_bytes()


def test_pinned_f_a_and_h_leave_nothing_to_vary_and_the_page_says_so(browser: Browser, tmp_path: Path) -> None:
    out = make(tmp_path / "walk", *WALKTHROUGH, "--format", "practice")
    html = (out / "practice.html").read_text()
    assert not stored(html) and 'class="deal"' not in html
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto((out / "practice.html").as_uri())
    notes = page.locator("p.note").all_text_contents()
    assert notes and set(notes) == {"No new numbers: f, a and h are set for this worksheet."}
    assert page.locator("button.deal").count() == 0
    context.close()


def test_variants_keep_the_pinned_values_and_the_degree(tmp_path: Path) -> None:
    out = make(tmp_path / "pinned", "--function", "x^3-2x", "--kind", "difference", "--count", "3", "--seed", "5",
               "--variants", "6", "--format", "practice")
    for pool in pools((out / "practice.html").read_text()).values():
        assert 1 <= len(pool) <= 6
        for v in pool:
            found = re.findall(r'aria-label="([^"]*)"', v["question"])
            assert poly(given(found, "f(x)")) == {3: 1, 1: -2}
    out = make(tmp_path / "cubic", "--degree", "3", "--kind", "evaluate", "--count", "2", "--seed", "5",
               "--variants", "5", "--format", "practice")
    for pool in pools((out / "practice.html").read_text()).values():
        assert len(pool) == 5
        for v in pool:
            assert max(poly(given(re.findall(r'aria-label="([^"]*)"', v["question"]), "f(x)"))) == 3


def test_variants_0_turns_new_numbers_off(tmp_path: Path) -> None:
    out = make(tmp_path / "off", "--count", "3", "--seed", "7", "--variants", "0", "--format", "practice")
    html = (out / "practice.html").read_text()
    assert not stored(html) and 'class="deal"' not in html and "<b>New numbers</b>" not in html and 'class="hint note"' not in html


@pytest.mark.parametrize("value", ["-1", "51", "ten", "1.5", "9" * 30])
def test_a_bad_variants_value_is_one_line_exit_2_and_nothing_written(tmp_path: Path, value: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", "--count", "2", "--variants", value, "--out", str(out)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and "--variants" in lines[0], result.output
    assert "Traceback" not in result.output and not out.exists()


def test_class_sets_deal_new_numbers_per_version_and_rebuild_them(tmp_path: Path) -> None:
    out = make(tmp_path / "class", "--versions", "2", "--count", "4", "--seed", "3", "--variants", "3",
               "--format", "practice,json")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["options"]["variants"] == 3
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == 2
    seen = []
    for folder in folders:
        found = pools((folder / "practice.html").read_text())
        assert sorted(found) == [1, 2, 3, 4] and all(len(pool) == 3 for pool in found.values())
        seen.append(found)
    # One pool per slot, drawn once for the class and dealt on every version's page; it holds no
    # version's own problem (tests/test_class_pools.py checks that, and the pools' forms).
    assert seen[0] == seen[1]
    code = manifest["versions"][1]["code"]
    again = tmp_path / "again"
    result = CliRunner().invoke(main, ["make", "--rebuild", code, "--manifest", str(out / "manifest.json"),
                                       "--out", str(again)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (again / "practice.html").read_bytes() == (folders[1] / "practice.html").read_bytes()


def test_the_page_stores_each_variants_key_whole(twenty: Path) -> None:
    """The compact pools (abbreviated markup, keys as differences) read back to exactly the
    variants quizgen drew: each key equal to the one quizgen check would grade with."""
    from quizgen.generate import Options, make_quiz, practice_pools
    from quizgen.keys import generated_key

    quiz = make_quiz(Options(count=20), 7)
    found = pools((twenty / "practice.html").read_text())
    for problem, pool in zip(quiz.problems, practice_pools(quiz, 20)):
        assert [v["key"] for v in found[problem.number]] == [
            json.loads(json.dumps({"number": v.number, "kind": v.kind, **generated_key(v).to_json()})) for v in pool]


def test_every_kinds_variants_agree_with_an_independent_recomputation() -> None:
    """The kinds not recomputed in Chromium above too: variants of every default kind, each
    recomputed by tests/independent.py (sympy's limit, from the variant's own quiz.json fields)."""
    from independent import agrees

    from quizgen.generate import Options, make_quiz, practice_pools

    quiz = make_quiz(Options(count=14), 7)
    for problem, pool in zip(quiz.problems, practice_pools(quiz, 2)):
        assert len(pool) == 2
        for variant in pool:
            assert (variant.kind, variant.number) == (problem.kind, problem.number)
            assert agrees(variant.to_json()), variant.to_json()


def test_abbreviations_undo_exactly_and_refuse_their_own_characters() -> None:
    from quizgen.practice import ABBREVIATIONS, abbreviate, expand

    text = "".join(ABBREVIATIONS) + 'x</span></span>">"> <p><b>Answer:</b> 1'
    assert expand(abbreviate(text)) == text and len(abbreviate(text)) < len(text) / 8
    with pytest.raises(ValueError):
        abbreviate("a \ue000 b")


def test_every_kind_deals_variants_its_own_key_passes(browser: Browser, tmp_path: Path) -> None:
    """One problem of every registered kind (the neural-network ones too), dealt new numbers:
    the dealt key, typed part by part, is correct in the page's checker."""
    from quizgen.kinds import KINDS

    kinds = [arg for kind in KINDS for arg in ("--kind", kind)]
    out = make(tmp_path / "all", *kinds, "--count", str(len(KINDS)), "--seed", "5", "--variants", "1",
               "--format", "practice,json")
    found = pools((out / "practice.html").read_text())
    quiz = json.loads((out / "quiz.json").read_text())
    assert sorted(p["kind"] for p in quiz["problems"]) == sorted(KINDS)
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto((out / "practice.html").as_uri())
    for problem in quiz["problems"]:
        n = problem["number"]
        assert len(found[n]) == 1, problem["kind"]
        for variant in found[n]:
            deal(page, n)
            key = variant["key"]
            typed = "; ".join(p["answer"] for p in key["parts"]) if "parts" in key else key["answer"]
            assert check(page, n, typed) == ("correct", "Correct."), (problem["kind"], typed)
    context.close()


@pytest.mark.parametrize("value", ["99", "-1", '"ten"', "true"])
def test_a_manifest_with_bad_variants_is_refused_before_any_work(tmp_path: Path, value: str) -> None:
    manifest = {"quizgen": "0", "seed": 1, "title": "T", "options": {"count": 2, "variants": json.loads(value)},
                "versions": [{"code": "ABCDE", "seed": 1, "folder": "01-ABCDE", "student": None}]}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    result = CliRunner().invoke(main, ["make", "--rebuild", "ABCDE", "--manifest", str(path), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 2 and "options.variants" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_a_large_set_gets_fewer_variants_each_so_the_page_stays_bounded() -> None:
    from quizgen.generate import Options, make_quiz, practice_pools
    from quizgen.model import MAX_PAGE_VARIANTS

    quiz = make_quiz(Options(count=334, kinds=("evaluate",)), 3)
    pools_ = practice_pools(quiz, 50)
    assert [len(pool) for pool in pools_] == [MAX_PAGE_VARIANTS // 334] * 334 == [2] * 334
