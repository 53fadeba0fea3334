"""practice.html driven in real headless Chromium: typed answers, verdicts, keyboard, phone width."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, BrowserContext, Page

from conftest import WALKTHROUGH
from quizgen.cli import main
from quizgen.keys import quiz_keys



@pytest.fixture(scope="module")
def practice_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("practice")
    result = CliRunner().invoke(main, ["make", *WALKTHROUGH, "--format", "practice,json", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture()
def page(browser: Browser, practice_dir: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((practice_dir / "practice.html").as_uri())
    yield page
    # Offline from disk: nothing but the file itself (and its data: images) was fetched.
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    context.close()


def answer(page: Page, number: int, text: str) -> tuple[str, str]:
    """Type an answer, press Enter, read the verdict class and message."""
    box = page.locator(f"#answer-{number}")
    box.fill(text)
    box.press("Enter")
    feedback = page.locator(f"#feedback-{number}")
    return feedback.get_attribute("class").split()[-1], feedback.text_content()


def numbers(practice_dir: Path) -> dict[str, int]:
    quiz = json.loads((practice_dir / "quiz.json").read_text())
    return {p["kind"]: p["number"] for p in quiz["problems"]}


# Walkthrough problems with answers worked by hand: (kind, typed answer, verdict, words in the message).
TYPED = [
    ("evaluate", "9", "correct", "Correct"),
    ("difference", "0.008003", "correct", "Correct"),
    ("difference-quotient", "8003/1000", "correct", "Correct"),
    ("difference-quotient", "0.008003", "incorrect", "divide by h"),
    ("difference-quotient", "8", "incorrect", "exact slope"),
    ("expand", "3x^2+6xh+3h^2-4x-4h+5", "correct", "Correct"),
    ("expand", "3(x+h)^2-4(x+h)+5", "incorrect", "not fully expanded"),
    ("expand", "-4x+3x²+6xh+3h²-4h+5", "correct", "Correct"),
    ("simplify-quotient", "6x + 3h - 4", "correct", "Correct"),
    ("simplify-quotient", "6xh+3h^2-4h", "incorrect", "divide by h"),
    ("simplify-quotient", "(6xh+3h^2-4h)/h", "incorrect", "not fully expanded"),
    ("limit-definition", "6x-4", "correct", "Correct"),
    ("limit-definition", "2(3x-2)", "correct", "Correct"),
    ("limit-definition", "-4+6*x", "correct", "Correct"),
    ("limit-definition", "6x+3h-4", "incorrect", "still contains h"),
    ("limit-definition", "6x+4", "incorrect", ""),
    ("limit-definition", "6x^^2", "invalid", ""),
    ("derivative-at", "8, -4, 26", "correct", "Correct"),
    ("derivative-at", "8, -4", "incorrect", "missing: f′(5)"),
    ("derivative-at", "f′(2) = 8; f'(0)=-4; f′(5) = 26", "correct", "Correct"),
    ("derivative-at", "f′(x) = 6x - 4; 8, -4, 26", "correct", "Correct"),
    ("derivative-at", "f′(3) = 8; -4; 26", "incorrect", "there is no part called 'f′(3)'"),
    ("limit-definition", "f′(x) = 6x − 4", "correct", "Correct"),
    ("limit-definition", "f(x) = 6x − 4", "incorrect", "names f(x), but the question asks for f′(x)"),
    ("limit-definition", "6X − 4", "invalid", "X where the question uses x"),
    ("evaluate", "f(2) = 9", "correct", "Correct"),
    ("evaluate", "f(3) = 9", "incorrect", "names f(3), but the question asks for f(2)"),
    ("estimate-error", "0.003", "correct", "Correct"),
    ("linear-approximation", "0.008", "correct", "Correct"),
    ("rising-falling", "8", "correct", "Correct"),
    ("rising-falling", "rising, 8", "correct", "Correct"),
    ("rising-falling", "falling", "incorrect", "rising/falling/flat is not right"),
    ("evaluate", "3*2^2-4*2+5", "incorrect", "write the value, not the calculation"),
    # L(w) = 3w² − 4w + 5, w₀ = 2, η = 0.1: L′(2) = 8, w₁ = 1.2, L(2) = 9, L(1.2) = 4.32 − 4.8 + 5 = 4.52;
    # the minimum is at 2/3 < 1.2: no overshoot
    ("gradient-step", "w1 = 1.2; L0 = 9; L1 = 4.52; no", "correct", "Correct"),
    ("gradient-step", "1.2", "incorrect", "missing: L(w₀), L(w₁), overshoot"),
]


@pytest.mark.parametrize(("kind", "typed", "status", "words"), TYPED, ids=[f"{k}:{t}" for k, t, _, _ in TYPED])
def test_typed_answers_get_the_python_verdict(page: Page, practice_dir: Path, kind: str, typed: str, status: str,
                                              words: str) -> None:
    quiz = {p["kind"]: p for p in json.loads((practice_dir / "quiz.json").read_text())["problems"]}
    got_status, message = answer(page, quiz[kind]["number"], typed)
    assert got_status == status, message
    assert words in message
    python = quiz_keys(json.loads((practice_dir / "quiz.json").read_text()))[quiz[kind]["number"]].grade(typed)
    assert (python.status, python.message) == (got_status, message)


def test_score_counts_problems_answered_right_and_the_key_is_hidden_until_asked(page: Page, practice_dir: Path) -> None:
    n = numbers(practice_dir)
    total = len(json.loads((practice_dir / "quiz.json").read_text())["problems"])
    assert page.locator("#score").text_content() == f"0 of {total} correct"
    answer(page, n["evaluate"], "9")
    answer(page, n["limit-definition"], "6x-4")
    assert page.locator("#score").text_content() == f"2 of {total} correct"
    # A problem counts once, by its first right answer: a wrong try afterwards takes nothing back.
    answer(page, n["evaluate"], "10")
    assert page.locator("#score").text_content() == f"2 of {total} correct"
    solution = page.locator(f"#p{n['limit-definition']} details")
    assert not solution.locator(".solution").is_visible()
    solution.locator("summary").click()
    assert solution.locator(".solution").is_visible()
    assert "6x − 4" in solution.inner_text()


def test_keyboard_only(page: Page, practice_dir: Path) -> None:
    """Tab reaches the first answer box, typing and Enter check it, Tab moves on to the Check button."""
    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "answer-1":
            break
    assert page.evaluate("document.activeElement.id") == "answer-1"
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    assert page.locator("#feedback-1").text_content() == "Correct."
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check"


def test_phone_width_has_no_sideways_scrolling(browser: Browser, practice_dir: Path, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto((practice_dir / "practice.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("#answer-3").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    answer(page, 3, "8.003")
    shot = tmp_path / "phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000  # a real picture of the page (looked at by hand too)
    context.close()


def test_a_hostile_answer_is_invalid_quickly(page: Page) -> None:
    status, message = answer(page, 6, "x^999999999")
    assert status == "invalid" and message
    status, _ = answer(page, 6, "(" * 10_000)
    assert status == "invalid"


def test_long_formulas_wrap_at_phone_width_and_hints_name_what_to_type(browser: Browser, tmp_path: Path) -> None:
    # A two-weight loss is wider than a 360 px screen: it must wrap, not push the page sideways.
    kinds = ["--kind", "partial-derivatives", "--kind", "tangent-line", "--kind", "gradient-step"]
    result = CliRunner().invoke(main, ["make", *kinds, "--count", "3", "--seed", "11", "--format", "practice", "--out", str(tmp_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto((tmp_path / "practice.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    hints = page.locator("p.hint").all_text_contents()
    assert hints == [
        "∂L/∂w₁ and ∂L/∂w₂ in that order, separated by commas",
        "An equation, e.g. y = 3x - 2",
        "The new weight w₁, an exact number such as 0.25 or -7/2",
    ]
    context.close()


def test_the_page_carries_the_checkers_limits_and_messages_from_python(page: Page) -> None:
    """One source: the JSON on the page is answers/limits.shared(), and the page's checker speaks from it."""
    from quizgen.answers.limits import MESSAGES, shared

    carried = json.loads(page.locator("#quizgen-checker-config").text_content())
    assert carried == json.loads(json.dumps(shared()))
    assert answer(page, 1, "x^101") == ("invalid", MESSAGES["big_exponent"])


def test_the_page_loads_the_shipped_stix_fonts_from_itself(browser: Browser, tmp_path: Path) -> None:
    """practice.html carries quizgen/fonts as data: URIs under the print CSS's family names, so
    Chromium draws the PDF's faces (not a fallback with other fraction metrics and line spacing)."""
    result = CliRunner().invoke(main, ["make", "--count", "20", "--seed", "7", "--format", "practice", "--out", str(tmp_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = tmp_path / "practice.html"
    assert html.stat().st_size < 1_500_000
    for width in (1200, 360):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(html.as_uri())
        page.evaluate("document.fonts.ready")
        loaded = page.evaluate("""[...document.fonts].filter(f => f.status === 'loaded')
                                     .map(f => f.family.replace(/"/g, '') + ' ' + f.style + ' ' + f.weight)""")
        assert "STIX Two Text normal 400" in loaded and "STIX Two Math normal 400" in loaded, loaded
        for family in ("STIX Two Text", "STIX Two Math"):
            assert page.evaluate(f"document.fonts.check('12px \"{family}\"')"), family
        page.screenshot(path=str(tmp_path / f"fonts-{width}.png"), full_page=False)
        context.close()


@pytest.mark.parametrize("template", ["style.css", "practice.html"])
def test_the_main_rule_of_a_fraction_of_fractions_reaches_past_the_inner_rules(browser: Browser, template: str) -> None:
    """2 over 1/2 (key, make --count 20 --seed 7, problem 8): measured in Chromium with the page's own
    CSS, the outer rule overhangs each inner rule by at least 0.3em a side, so the main bar is clear."""
    from quizgen.mathtex import convert

    templates = Path(__file__).resolve().parents[1] / "quizgen" / "templates"
    # The fraction rules are math.css, included by both templates.
    source = (templates / template).read_text().replace('{% include "math.css" %}', (templates / "math.css").read_text())
    css = source if template.endswith(".css") else source.split("<style>")[1].split("</style>")[0]
    context = browser.new_context(viewport={"width": 800, "height": 400})
    page = context.new_page()
    body = "".join(f'<p style="font-size:20px"><span class="m">{convert(t)[0]}</span></p>'
                   for t in (r"\frac{2}{\frac{1}{2}}", r"\frac{\frac{21}{2}}{\frac{1}{2}}"))
    page.set_content(f"<style>{css.replace('{{', '').replace('}}', '')}</style>{body}")
    for p in page.locator("p").all():
        bars = p.evaluate("""e => [...e.querySelectorAll('.fr > span:first-child')]
                                .map(s => { const r = s.getBoundingClientRect(); return [r.left, r.right]; })""")
        (left, right), inner = bars[0], bars[1:]
        assert inner
        for i_left, i_right in inner:
            assert i_left - left >= 0.3 * 20 and right - i_right >= 0.3 * 20, (bars, template)
    context.close()


def _phone_page(browser: Browser, tmp_path: Path, args: list[str]) -> tuple[Page, BrowserContext]:
    result = CliRunner().invoke(main, ["make", *args, "--format", "practice", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto((tmp_path / "practice.html").as_uri())
    page.evaluate("document.fonts.ready")
    page.evaluate("document.querySelectorAll('li.problem details').forEach(d => { d.open = true; })")
    return page, context


def test_worked_solutions_at_phone_width_show_every_line_whole_or_scroll_with_a_cue(browser: Browser, tmp_path: Path) -> None:
    """make --difficulty hard --degree 4 --seed 3, problem 5: the answer '… − 8x − 4h − 3' was cut after
    '− 8x − 4' at 360 px with nothing to show it. Now long formulas wrap between terms; what still
    does not fit scrolls with a shadow edge (a background gradient) and a scrollbar."""
    page, context = _phone_page(browser, tmp_path, ["--difficulty", "hard", "--degree", "4", "--seed", "3"])
    answer5 = page.locator("#solution-5 p").first.locator(".m")
    assert (answer5.get_attribute("aria-label") or "").endswith("− 8x − 4h − 3")
    boxes = page.evaluate("""[...document.querySelectorAll('.solution')].map(s => {
        const cs = getComputedStyle(s), right = s.getBoundingClientRect().right;
        const out = [...s.querySelectorAll('.m')].filter(m => m.getBoundingClientRect().right > right + 0.5)
                                               .map(m => m.getAttribute('aria-label'));
        return {id: s.id, scroll: s.scrollWidth, client: s.clientWidth, overflow: cs.overflowX,
                cue: cs.backgroundImage.includes('gradient'), out: out}; })""")
    assert len(boxes) >= 20
    for b in boxes:
        if b["scroll"] > b["client"]:
            assert b["overflow"] in ("auto", "scroll") and b["cue"], b
    # The answer lines (the first paragraph) always fit: an answer never scrolls out of sight.
    assert page.evaluate("""[...document.querySelectorAll('.solution > p:first-child')]
        .every(p => p.scrollWidth <= p.clientWidth + 0.5 && p.getBoundingClientRect().right <= 360)""")
    assert not boxes[4]["out"], boxes[4]
    page.locator("#p5").screenshot(path=str(tmp_path / "p5.png"))  # looked at by hand: wrapped between terms
    # The cue: a solution too wide for the screen (forced here) scrolls and carries the shadow edges.
    page.evaluate("""document.getElementById('solution-5').insertAdjacentHTML('beforeend',
        '<p style="white-space:nowrap;width:900px">wide</p>')""")
    scrolled = page.evaluate("""(() => { const s = document.getElementById('solution-5'); s.scrollLeft = 100;
        return [s.scrollLeft, getComputedStyle(s).backgroundImage.split('gradient').length - 1]; })()""")
    assert scrolled[0] > 0 and scrolled[1] >= 2
    context.close()


def test_a_given_value_stays_on_one_line_at_phone_width(browser: Browser, tmp_path: Path) -> None:
    """make --count 20 --seed 1, problem 3: 'h =' ended one line and '1/2' began the next at 360 px.
    Every 'name = value' in a question (h = 1/2, a = −2, h = 0.001 …) is one piece on the page."""
    page, context = _phone_page(browser, tmp_path, ["--count", "20", "--seed", "1"])
    lines = page.evaluate(r"""[...document.querySelectorAll('.question .m')]
        .filter(m => /^[^ =]+ = [^ =]+$/.test(m.getAttribute('aria-label')))
        .map(m => [m.getAttribute('aria-label'), new Set([...m.getClientRects()].map(r => Math.round(r.top))).size])""")
    assert ["h = 1/2", 1] in lines
    assert len(lines) >= 10
    assert [line for line in lines if line[1] != 1] == []
    context.close()
