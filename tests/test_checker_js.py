"""templates/checker.js in real headless Chromium must give the same verdicts as quizgen.answers.

Playwright and Chromium are required (CI installs them): if either is missing these
tests fail, they are never skipped.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from quizgen import answers, practice
from quizgen.answers import check
from quizgen.answers.limits import MESSAGES, shared
from quizgen.keys import quiz_keys

ROOT = Path(__file__).resolve().parent.parent
JS = (ROOT / "quizgen" / "templates" / "checker.js").read_text(encoding="utf-8")
CASES = json.loads((Path(__file__).parent / "answer_cases.json").read_text(encoding="utf-8"))
CHROMIUM = "/usr/bin/chromium"
# The page hands checker.js its limits and messages as JSON (practice.checker_config), as practice.html does.
CONFIG = '<script type="application/json" id="quizgen-checker-config">{}</script>'
PAGE = CONFIG.format(practice.checker_config()) + "<script>" + JS + "</script>"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pg = browser.new_page()
            errors: list[str] = []
            pg.on("pageerror", lambda err: errors.append(str(err)))
            pg.set_content(PAGE)
            assert not errors, errors
            assert pg.evaluate("typeof window.QuizgenChecker.check") == "function"
            yield pg
        finally:
            browser.close()


def opts(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("rtol", "atol", "mistakes", "form", "labels") if k in case}


def js_check_all(page: Page, items: list[list[Any]], strict: bool = True) -> list[dict[str, str]]:
    """Run [answer, expected, opts] items through the page's checker in one round trip."""
    fn = "checkStrict" if strict else "check"
    return page.evaluate(
        f"""items => items.map(([a, e, o]) => {{
            try {{ return window.QuizgenChecker.{fn}(a, e, o); }}
            catch (err) {{ return {{status: "exception", message: String(err && err.stack || err)}}; }}
        }})""",
        items,
    )


@pytest.fixture(scope="module")
def table_verdicts(page: Page) -> list[dict[str, str]]:
    return js_check_all(page, [[c["answer"], c["expected"], opts(c)] for c in CASES])


@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{i}-{ascii(c['answer'][:24])}" for i, c in enumerate(CASES)])
def test_table_in_chromium(table_verdicts, i):
    case = CASES[i]
    js = table_verdicts[i]
    py = check(case["answer"], case["expected"], rtol=case.get("rtol"), atol=case.get("atol"),
               mistakes=case.get("mistakes", ()), form=case.get("form"), labels=case.get("labels", ()))
    assert js["status"] == case["status"], js["message"]
    assert case.get("message_contains", "") in js["message"]
    assert (js["status"], js["message"]) == (py.status, py.message)


TOKENS = [
    "x", "h", "y", "2", "3", "0", "1", ".5", "0.1", "1e-3", "e", "pi", "π", "sin", "cos", "ln", "log", "sqrt", "exp",
    "abs", "tan", "(", ")", "[", "]", "|", "^", "**", "*", "/", "+", "-", "−", "²", "³", ",", "=", " ", "xh", "2x",
    "x^2", "(x+1)", "h^2", "√", "·", "foo", "a", "⁻¹", "100", "7/3", "asin", "cot",
    # issue 11: functions of the neural-network kinds, names, subscripts, case, semicolons
    "tanh", "sigmoid", "σ", "relu", "ReLU", "max(", "min", "sgn", "sign", "asinh", "arctanh", "acosh", "Abs", "E",
    "η", "eta", "alpha", "w₁", "w_1", "w_{2}", "w1", "x1", "_", "{", "}", ";", "X", "W1", "b", "sin x", "tanh n",
]
EXPECTED = [
    "6*x - 4", "6*x + 3*h - 4", "8, -4, 26", "y = 8*x - 7", "8.003", "-7/2",
    "3*x**2 + 6*x*h + 3*h**2 - 4*x - 4*h + 5", "1", "x", "sin(x)", "exp(x)", "log(x)", "abs(x)", "0",
    "tanh(w1*x1 + w2*x2 + b)", "w - eta*g", "max(0, x)", "1/(1 + exp(-x))", "0.7616", "-0.42, 1.05",
]


LEFT_SIDES = ["f′(2) = ", "f'(2)=", "f(3) = ", "w₁ = ", "w_1: ", "dL/da = ", "∂L/∂a = ", "a: ", "y = ", "L = ", "f′(x) = ",
              "df/dx = ", "2x = ", "f(x+h) = ", "f′ = ", "x: ", "", "σ(z) = ", "w1 x = "]


def random_expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(["x", "h", "2", "3", "1", "0", "5", "0.5", "1/2", "7", "0.001", "e", "pi"])
    a, b = random_expression(rng, depth + 1), random_expression(rng, depth + 1)
    return rng.choice(
        [
            f"{a} + {b}", f"{a} - ({b})", f"({a})*({b})", f"({a})({b})", f"({a})/({b})",
            f"({a})^{rng.choice(['2', '3', '-1', '0', '(1/2)', '2.5'])}",
            f"{rng.choice(['sin', 'cos', 'exp', 'ln', 'sqrt', 'abs', 'tan', 'atan'])}({a})", f"-({a})", f"|{a}|",
            f"{rng.choice(['2', '3'])}{rng.choice('xh')}",
            f"{rng.choice(['tanh', 'sigmoid', 'σ', 'relu', 'sgn', 'asinh', 'atanh', 'acosh', 'Abs'])}({a})",
            f"{rng.choice(['max', 'min'])}({a}, {b})", f"{rng.choice(['sin', 'tanh', 'exp', 'σ'])} {rng.choice('xh')}",
        ]
    )


def random_cases(seed: int, n: int) -> list[list[Any]]:
    """Token soup (mostly invalid) and random expressions with rewrites (mostly valid)."""
    rng = random.Random(seed)
    out: list[list[Any]] = []
    for k in range(n):
        if k % 2:
            a = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 10)))
            e = rng.choice(EXPECTED)
        else:
            e = random_expression(rng)
            a = rng.choice([e, random_expression(rng), f"-({e})", f"({e})*h", f"{e} + x", f"y = {e}", e.replace("^", "**")])
        o: dict[str, Any] = {}
        if rng.random() < 0.2:
            o["rtol"] = rng.choice([1e-3, 1e-6, 0.5])
        if rng.random() < 0.1:
            o["atol"] = rng.choice([1e-3, 0.01])
        if rng.random() < 0.2:
            o["mistakes"] = [[random_expression(rng), "M1"], [f"2*({e})", "M2"]]
        if rng.random() < 0.1:
            o["form"] = rng.choice(["rounded:2", "rounded:4", "value", "expanded"])
        if rng.random() < 0.3:
            o["labels"] = rng.choice([["f′(2)", "f'(2)"], ["w₁"], ["∂L/∂a", "a"], ["y"], ["f′(x)", "df/dx"]])
            a = rng.choice(LEFT_SIDES) + a
        out.append([a, e, o])
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_random_inputs_agree_with_python(page, seed):
    items = random_cases(seed, 1500)
    js = js_check_all(page, items)
    mismatches = []
    for (a, e, o), j in zip(items, js):
        py = answers.check_strict(a, e, answers.Tol(o.get("rtol"), o.get("atol")), o.get("mistakes", ()), o.get("form"),
                                  o.get("labels", ()))
        if (py.status, py.message) != (j["status"], j["message"]):
            mismatches.append((a, e, o, py, j))
    assert not mismatches, mismatches[:5]
    statuses = {j["status"] for j in js}
    assert statuses == {"correct", "incorrect", "invalid"}


HOSTILE = [
    "x^999999999",
    "x" * 100_000,
    "(" * 10_000 + "x" + ")" * 10_000,
    "2**2**2**2**2**2",
    "\x00\x01\x02",
    "",
    "1/0",
    "9" * 10_000,
    "|" * 400,
    "-" * 499 + "x",
    "2^" * 200 + "2",
    "(x^100)^100",
    "10^100^100",
    "1e99999999999",
    "sin(" * 60 + "x" + ")" * 60,
    # issue 7's --function reproductions, typed as answers
    "x^2+1^99999999",
    "x^2+9^9^9",
    "x^2+0^99999999",
    "x^2+(1/2)^999999",
    "x^2+2^2^2^2^2",
    "(" * 1000 + "x^2" + ")" * 1000,
    "x^2+" * 25_000,
    # issue 11: functions without brackets, subscripts, the new functions
    "σ" * 499 + "x",
    "w_" + "1" * 41,
    "w₁" * 250 + "^",
    "exp(exp(exp(exp(10))))",
    "tanh(10^100^100)",
    "max(" * 49 + "x" + ", x)" * 49 + "+",
]


def test_hostile_strings_are_invalid_quickly_in_chromium(page):
    results = page.evaluate(
        """items => items.map(a => {
            const t0 = performance.now();
            const v = window.QuizgenChecker.checkStrict(a, "x", {});
            return [v.status, v.message, performance.now() - t0];
        })""",
        HOSTILE,
    )
    for answer, (status, message, ms) in zip(HOSTILE, results):
        assert status == "invalid", (answer[:20], message)
        assert ms < 250, (answer[:20], ms)
        assert message == check(answer, "x").message


def test_hostile_but_valid_strings_finish_quickly_in_chromium(page):
    slow = ["x" * 499, "x/y*" * 124 + "x", "+".join(["(x/y+h/z)^70"] * 20)[:500], "e^e^e^e^e^e^e",
            "sin " * 124 + "x", "w₁" * 249, "sigmoid(x)*" * 45 + "x", "σ" * 140 + "x"]
    results = page.evaluate(
        """items => items.map(a => {
            const t0 = performance.now();
            const v = window.QuizgenChecker.checkStrict(a, "x^2 + y", {});
            return [v.status, v.message, performance.now() - t0];
        })""",
        slow,
    )
    for answer, (status, message, ms) in zip(slow, results):
        assert ms < 1000, (answer[:20], ms)
        assert (status, message) == tuple(vars(check(answer, "x^2 + y")).values())


def test_check_never_throws_on_odd_arguments(page):
    results = page.evaluate(
        """() => [
            window.QuizgenChecker.check(null, "x"),
            window.QuizgenChecker.check(42, "x"),
            window.QuizgenChecker.check("x", null),
            window.QuizgenChecker.check("x", "x", {rtol: "a", atol: -1, mistakes: "no"}),
            window.QuizgenChecker.check("x", "x", {mistakes: [[1, 2], "ab", null, ["x", "same"]]}),
            window.QuizgenChecker.check("x"),
        ]"""
    )
    assert results[0] == {"status": "invalid", "message": answers.EMPTY}
    assert results[1] == {"status": "invalid", "message": answers.EMPTY}
    assert results[2] == {"status": "invalid", "message": answers.BAD_EXPECTED}
    assert results[3] == {"status": "correct", "message": "Correct."}
    assert results[4] == {"status": "correct", "message": "Correct."}
    assert results[5]["status"] == "invalid"


def test_file_is_safe_to_inline_in_a_jinja_template_and_offline():
    # The page includes the file with {% include %}, inside <script>, opened from disk.
    for bad in ("{{", "{%", "{#", "</script", "<!--"):
        assert bad not in JS
    assert not re.search(r"\b(eval|Function|fetch|XMLHttpRequest|import|require|WebSocket)\s*\(", JS)
    assert JS.isascii()


# ---------------------------------------------------------------- one source for limits and messages


def test_checker_js_repeats_no_limit_and_no_message():
    """Every limit and message comes from answers/limits.py through the page's JSON, none is typed into checker.js."""
    assert not re.search(r"var (MAX_\w+|N_POINTS|MIN_COMMON|REL_TOL|ABS_TOL|EPS|NOISE|RELIABLE)\s*=\s*[-\d.(M]", JS)
    assert not re.search(r"var (POINTS|MULTIPLIERS)\s*=\s*\[", JS)
    for code, text in MESSAGES.items():
        for fragment in re.split(r"\{\w+\}", text):
            fragment = fragment.strip(" .,:'()")
            if len(fragment) >= 8:
                assert fragment not in JS, (code, fragment)


def test_checker_js_obeys_the_limits_and_messages_the_page_gives_it(page):
    config = shared()
    config["limits"].update(MAX_LENGTH=5, MAX_EXPONENT=3)
    config["messages"].update(correct="Yes.", too_long="Over 5?", big_exponent="Exponent over 3.")
    pg = page.context.browser.new_page()
    try:
        pg.set_content(CONFIG.format(json.dumps(config)) + "<script>" + JS + "</script>")
        got = pg.evaluate("""() => ["x^3", "x+x+x+x", "x^4"].map(a => window.QuizgenChecker.check(a, "x^3").message)""")
    finally:
        pg.close()
    assert got == ["Yes.", "Over 5?", "Exponent over 3."]
    assert shared()["messages"]["correct"] == "Correct."  # shared() hands out a fresh copy each time


def test_a_page_without_the_config_fails_loudly(page):
    pg = page.context.browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    try:
        pg.set_content("<script>" + JS + "</script>")
        assert pg.evaluate("typeof window.QuizgenChecker") == "undefined"
    finally:
        pg.close()
    assert any("quizgen-checker-config" in e for e in errors), errors


# ---------------------------------------------------------------- multi-part answers (checkParts)
PART_CASES = json.loads((Path(__file__).parent / "answer_parts.json").read_text(encoding="utf-8"))


def part_opts(entry: dict[str, Any]) -> tuple[Any, str, dict[str, Any]]:
    """The key as quiz.json's entry gives it to check (Python) and to the page (its to_json, as practice.html passes it)."""
    key = quiz_keys({"problems": [entry]})[1]
    data = key.to_json()
    o = {k: data[k] for k in ("mistakes", "form", "parts") if k in data}
    return key, data["answer"], o


def js_parts(page: Page, items: list[list[Any]]) -> list[dict[str, str]]:
    return page.evaluate(
        """items => items.map(([a, e, o]) => {
            try { return window.QuizgenChecker.checkParts(a, e, o); }
            catch (err) { return {status: "exception", message: String(err && err.stack || err)}; }
        })""",
        items,
    )


def test_multi_part_table_in_chromium(page):
    items, want = [], []
    for case in PART_CASES:
        key, answer, o = part_opts(case["entry"])
        items.append([case["answer"], answer, o])
        want.append(key.grade(case["answer"]))
    got = js_parts(page, items)
    for case, js, py in zip(PART_CASES, got, want, strict=True):
        assert js["status"] == case["status"], (case, js)
        assert case.get("message_contains", "") in js["message"]
        assert (js["status"], js["message"]) == (py.status, py.message), case


@pytest.mark.parametrize("seed", [1, 2])
def test_random_multi_part_answers_agree_with_python(page, seed):
    rng = random.Random(seed)
    pieces = ["-1.25", "12", "3.5625", "no", "yes", "w1 =", "L0:", "x =", ";", ",", "(", ")", "falling", "-25", "25",
              "-2+3/4", " ", "rising", "-22", "-11", "slope =", "overshoot:", "[", "]", "W₁=", "\n", "7", "maybe"]
    entries = {c["entry"]["kind"]: c["entry"] for c in PART_CASES}
    items, want = [], []
    for _ in range(300):
        entry = rng.choice(list(entries.values()))
        typed = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        key, answer, o = part_opts(entry)
        items.append([typed, answer, o])
        want.append(key.grade(typed))
    got = js_parts(page, items)
    for item, js, py in zip(items, got, want, strict=True):
        assert (js["status"], js["message"]) == (py.status, py.message), item[0]


def test_rounded_parts_agree_with_python(page):
    from quizgen.keys import Key, Part

    key = Key(1, "0.7616, 1.2", parts=(Part("o", "0.7616", ("o",), form="rounded:4"), Part("w₁", "1.2", ("w1",))))
    data = key.to_json()
    o = {k: data[k] for k in ("mistakes", "form", "parts") if k in data}
    typed = ["o = 0.76159; w1 = 1.2", "o = 0.76; w1 = 1.2", "0.7615, 1.2", "o = tanh(1); w1 = 6/5", "o=0.7616;w1=1.2000001"]
    got = js_parts(page, [[t, data["answer"], o] for t in typed])
    assert [(g["status"], g["message"]) for g in got] == [(v.status, v.message) for v in map(key.grade, typed)]
    assert got[0]["status"] == "correct" and got[1]["status"] == "incorrect"


def typed_variants(key) -> list[str]:
    """How students type a multi-part answer: in order, labelled (∂ and d spellings), rounded
    shorter or longer, a sign flipped, a letter in the wrong case, semicolons or commas."""
    numeric = [p for p in key.parts if p.words is None]
    out = [key.full_answer, key.full_answer.replace("; ", ", ")]
    out.append("; ".join(f"{p.name} = {p.answer}" for p in numeric))
    out.append(", ".join(f"{p.name.replace('∂', 'd')}: {p.answer}" for p in reversed(numeric)))
    out.append("; ".join(f"{p.name} = {p.answer[:-1] or '0'}" for p in numeric))
    out.append("; ".join(f"{p.name} = {p.answer}9" for p in numeric))
    out.append("; ".join(f"{p.name} = -({p.answer})" for p in numeric))
    out.append("; ".join(f"{p.name.upper()} = {p.answer}" for p in numeric))
    out.append(numeric[0].name + " = " + numeric[0].answer)
    return out


def test_the_kinds_parts_agree_with_python(page):
    """Every kind with parts (issue 11's and derivative-at): the page grades typed answers as Python does."""
    from quizgen.generate import Options, make_quiz

    kinds = ("neuron", "backprop", "chain-rule", "several-inputs", "training-steps", "gradient-check", "derivative-at")
    quiz = make_quiz(Options(count=len(kinds), kinds=kinds), 3)
    items, want = [], []
    for problem in quiz.problems:
        key = quiz_keys({"problems": [problem.to_json()]})[problem.number]
        assert key.parts, problem.kind
        data = key.to_json()
        o = {k: data[k] for k in ("mistakes", "form", "parts", "labels") if k in data}
        for typed in typed_variants(key):
            items.append([typed, data["answer"], o])
            want.append(key.grade(typed))
    got = js_parts(page, items)
    assert [(g["status"], g["message"]) for g in got] == [(v.status, v.message) for v in want]
    assert {"correct", "incorrect"} <= {v.status for v in want}
