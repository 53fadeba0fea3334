"""LMS exports (quizgen/lms.py): Moodle XML, Canvas QTI 1.2 zip, GIFT.

Every export is parsed back with tools that are not quizgen's (lxml, zipfile, pygiftparser,
text2qti for the reference QTI) and every answer in it is recomputed from the problem's own
data by tests/independent.py (sympy's limit, not quizgen's arithmetic). No schema for Moodle
XML or QTI 1.2 ships in a PyPI package we found (the IMS XSD is only on imsglobal.org), so the
structure Moodle's importer (question/format/xml/format.php) and Canvas read is asserted
element by element, and Canvas items are compared with the XML text2qti writes.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy
from click.testing import CliRunner
from lxml import etree
from sympy.parsing.sympy_parser import implicit_multiplication_application, parse_expr, standard_transformations

from independent import expected_answer
from quizgen import lms
from quizgen.cli import main
from quizgen.generate import Options, make_quiz
from quizgen.kinds import DEFAULT_KINDS, KINDS
from quizgen.render import quiz_json

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


# ---------------------------------------------------------------- the quiz under test


def quiz_dict(seed: int, count: int = 20, **options: Any) -> dict[str, Any]:
    quiz = make_quiz(Options(count=count, kinds=options.pop("kinds", DEFAULT_KINDS), **options), seed)
    data: dict[str, Any] = json.loads(quiz_json(quiz))  # exactly what quiz.json holds
    return data


@pytest.fixture(scope="module")
def quiz() -> dict[str, Any]:
    return quiz_dict(7, 20, difficulty="hard", degree=3)


# ---------------------------------------------------------------- reading answers back, independently


def _expr(text: str) -> Any:
    """An answer as printed (Unicode) or as the checker's syntax, read by sympy (our own text only)."""
    t = html.unescape(text).strip()
    t = t.replace("\\(", "").replace("\\)", "").replace("\u2212", "-").replace("·", "*").replace("{", "(").replace("}", ")")
    t = re.sub(r"\\frac\(([^()]*)\)\(([^()]*)\)", r"((\1)/(\2))", t)
    t = t.replace("\\,", "").replace("\\cdot", "*").replace("^", "**")
    t = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "**" + m[0].translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")), t)
    if t.startswith("y ="):
        t = t[3:]
    t = re.sub(r"\d+\.\d+", lambda m: f"Rational('{m.group()}')", t)
    names = {n: sympy.Symbol(n) for n in ("x", "h", "w", "w1", "w2")}
    tr = standard_transformations + (implicit_multiplication_application,)
    values = [parse_expr(p, local_dict={**names, "Rational": sympy.Rational}, transformations=tr)
              for p in t.split(",")]
    return tuple(values) if len(values) > 1 else values[0]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
        return len(a) == len(b) and all(sympy.simplify(x - y) == 0 for x, y in zip(a, b))
    return bool(sympy.simplify(sympy.expand(a - b)) == 0)


def _check_number(problem: dict[str, Any], shown: str, tolerance: str) -> None:
    """A numeric key in a file: the exact recomputed answer when it terminates (tolerance 0),
    else its rounding to 4 places with tolerance 0.00005."""
    want = expected_answer(problem)
    want = want[-1] if isinstance(want, tuple) else want
    exact = Fraction(str(sympy.Rational(want)))
    value, tol = Fraction(shown), Fraction(tolerance)
    if tol == 0:
        assert value == exact, (problem["number"], shown)
    else:
        assert tol == Fraction(5, 100000) and abs(value - exact) <= tol, (problem["number"], shown, tolerance)
        assert len(shown.partition(".")[2]) == 4


def _check_choices(problem: dict[str, Any], options: list[tuple[str, bool]]) -> None:
    """One right option equal to the recomputed answer; the others differ from it and from each other."""
    assert sum(right for _, right in options) == 1, problem["number"]
    # The answer and every distractor quiz.json lists (≥ 3 by the contract; today some kinds list fewer).
    assert len(options) == 1 + len({d["answer_text"] for d in problem["distractors"]}), problem["number"]
    assert len({text for text, _ in options}) == len(options)
    want = expected_answer(problem)
    values = [(_expr(text), right) for text, right in options]
    for value, right in values:
        if problem["kind"] == "gradient-step" and right:  # the weights, or (one step) w₁ alone
            assert _same(value, want) or _same(value, want[-1] if isinstance(want, tuple) else want)
        elif problem["kind"] in ("gradient-step", "partial-derivatives", "derivative-at", "secant-table") and not right:
            continue  # a wrong list may share values with the answer; its text differs (checked above)
        else:
            assert _same(value, want) == right, (problem["number"], value, want, right)


# ---------------------------------------------------------------- Moodle XML


def _moodle(data: bytes) -> Any:
    root = etree.fromstring(data)
    assert root.tag == "quiz"
    return root


def _check_moodle(root: Any, problems: list[dict[str, Any]], pooled: bool = False) -> dict[str, list[str]]:
    """Every question as Moodle's importer reads it; the answers recomputed. Category → question names."""
    by_name = {f"{p['number']:02d} {p['kind']}": p for p in problems}
    categories: dict[str, list[str]] = {}
    current = None
    for q in root.findall("question"):
        qtype = q.get("type")
        if qtype == "category":
            current = q.findtext("category/text")
            assert current.startswith("$course$/quizgen/")
            categories[current] = []
            continue
        assert current is not None, "a question before any category"
        name = q.findtext("name/text")
        categories[current].append(name)
        problem = by_name[name.split(" · ")[0]] if not pooled else None
        assert q.find("questiontext").get("format") == "html"
        text = q.findtext("questiontext/text")
        feedback = q.findtext("generalfeedback/text")
        assert text and feedback and "Answer: " in feedback
        assert q.findtext("penalty") == "0.3333333" and q.findtext("hidden") == "0"
        if qtype == "numerical":
            answers = q.findall("answer")
            assert answers[0].get("fraction") == "100"
            assert all(a.get("fraction") == "0" and a.findtext("feedback/text") for a in answers[1:])
            if problem is not None:
                _check_number(problem, answers[0].findtext("text"), answers[0].findtext("tolerance"))
            assert q.findtext("showunits") == "3"
        elif qtype == "cloze":
            assert q.find("defaultgrade") is None  # Moodle writes none for Cloze
            subs = re.findall(r"\{1:(NUMERICAL|MULTICHOICE):([^}]*)\}", html.unescape(text))
            assert subs
            numbers = [re.fullmatch(r"=(-?[0-9.]+):([0-9.]+)", body) for kind, body in subs if kind == "NUMERICAL"]
            assert all(numbers)
            for kind, body in subs:
                if kind == "MULTICHOICE":
                    assert body.count("=") == 1
            if problem is not None:
                want = expected_answer(problem)
                got = [Fraction(m[1]) for m in numbers if m]
                want = want if isinstance(want, tuple) else (want,)
                if problem["kind"] == "gradient-step":
                    want = want[-1:]
                exact = [Fraction(str(sympy.Rational(v))) for v in want]
                assert any(got[i:i + len(exact)] == exact for i in range(len(got))), (name, got, exact)
        elif qtype == "shortanswer":  # an expression with no distractor to offer
            forms = [a.findtext("text") for a in q.findall("answer")]
            assert all(a.get("fraction") == "100" for a in q.findall("answer")) and "*" not in "".join(forms)
            if problem is not None:
                assert not problem["distractors"] and _same(_expr(forms[0]), expected_answer(problem))
        else:
            assert qtype == "multichoice"
            assert q.findtext("single") == "true" and q.findtext("shuffleanswers") == "true"
            options = [(a.findtext("text"), a.get("fraction") == "100") for a in q.findall("answer")]
            assert all(a.get("fraction") in ("0", "100") for a in q.findall("answer"))
            assert all(a.findtext("feedback/text") for a in q.findall("answer"))
            if problem is not None:
                _check_choices(problem, options)
    return categories


def test_moodle_xml_every_answer_recomputed(quiz: dict[str, Any]) -> None:
    root = _moodle(lms.export_bytes("moodle", [quiz]))
    categories = _check_moodle(root, quiz["problems"])
    # A category per kind; every problem once.
    kinds = dict.fromkeys(p["kind"] for p in quiz["problems"])
    assert list(categories) == [f"$course$/quizgen/{k}" for k in kinds]
    names = sorted(n for ns in categories.values() for n in ns)
    assert names == sorted(f"{p['number']:02d} {p['kind']} · {quiz['version']}" for p in quiz["problems"])
    types = {q.get("type") for q in root.findall("question")}
    assert {"numerical", "multichoice", "cloze"} <= types


# ---------------------------------------------------------------- Canvas QTI


def _qti(data: bytes) -> tuple[Any, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        files = {name: zf.read(name) for name in zf.namelist()}
    manifest = etree.fromstring(files["imsmanifest.xml"])
    hrefs = [f.get("href") for f in manifest.iter("{*}file")]
    assert hrefs and all(h in files for h in hrefs)
    assessment = next(etree.fromstring(files[h]) for h in hrefs if not h.endswith("assessment_meta.xml"))
    meta = etree.fromstring(next(files[h] for h in hrefs if h.endswith("assessment_meta.xml")))
    assert meta.tag == "{http://canvas.instructure.com/xsd/cccv1p0}quiz"
    assert assessment.tag == f"{QTI}questestinterop"
    return assessment, files


def _check_qti_item(item: Any, problem: dict[str, Any] | None) -> str:
    """One item as Canvas reads it (else Canvas drops it without a word); its answer recomputed."""
    fields = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
              for f in item.findall(f"{QTI}itemmetadata/{QTI}qtimetadata/{QTI}qtimetadatafield")}
    qtype = fields["question_type"]
    assert qtype in ("numerical_question", "multiple_choice_question", "short_answer_question")
    assert fields["points_possible"] == "1" and fields["original_answer_ids"]
    assert item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")
    feedback = {fb.get("ident") for fb in item.findall(f"{QTI}itemfeedback")}
    refs = [d.get("linkrefid") for d in item.iter(f"{QTI}displayfeedback")]
    assert set(refs) <= feedback and "general_fb" in refs
    scores = [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None]
    assert len(scores) == 1 and scores[0].findtext(f"{QTI}setvar") == "100"
    cond = scores[0].find(f"{QTI}conditionvar")
    if qtype == "short_answer_question":
        forms = [v.text for v in cond.findall(f"{QTI}varequal")]
        assert forms and item.find(f"{QTI}presentation/{QTI}response_str/{QTI}render_fib") is not None
        if problem is not None:
            assert not problem["distractors"] and _same(_expr(forms[0]), expected_answer(problem))
    elif qtype == "numerical_question":
        assert item.find(f"{QTI}presentation/{QTI}response_str/{QTI}render_fib").get("fibtype") == "Decimal"
        exact = cond.findtext(f"{QTI}or/{QTI}varequal")
        low = Fraction(cond.findtext(f"{QTI}or/{QTI}and/{QTI}vargte"))
        high = Fraction(cond.findtext(f"{QTI}or/{QTI}and/{QTI}varlte"))
        assert low <= Fraction(exact) <= high and high - Fraction(exact) == Fraction(exact) - low
        assert len(exact.partition(".")[2]) <= 4 or (problem is not None and not problem["distractors"])
        # Canvas turns a typed number below 0.0001 into 0: such answers are multiple choice, unless
        # quiz.json offers no wrong option.
        assert abs(Fraction(exact)) >= Fraction(1, 10000) or (problem is not None and not problem["distractors"])
        if problem is not None:
            _check_number(problem, exact, str(high - Fraction(exact)))
    else:
        labels = item.findall(f"{QTI}presentation/{QTI}response_lid/{QTI}render_choice/{QTI}response_label")
        ids = [lab.get("ident") for lab in labels]
        right = cond.findtext(f"{QTI}varequal")
        assert right in ids and len(set(ids)) == len(ids)
        assert {f"{i}_fb" for i in ids if i != right} <= feedback  # the why of every wrong option
        if problem is not None:
            _check_choices(problem, [(lab.findtext(f"{QTI}material/{QTI}mattext"), lab.get("ident") == right)
                                     for lab in labels])
    return qtype


def test_qti_every_item_present_and_recomputed(quiz: dict[str, Any]) -> None:
    assessment, files = _qti(lms.export_bytes("qti", [quiz]))
    items = list(assessment.iter(f"{QTI}item"))
    assert len(items) == len(quiz["problems"])  # none dropped
    by_name = {f"{p['number']:02d} {p['kind']} · {quiz['version']}": p for p in quiz["problems"]}
    types = {_check_qti_item(item, by_name[item.get("title")]) for item in items}
    assert {"numerical_question", "multiple_choice_question"} <= types
    assert [i.get("title")[:2] for i in items] == [f"{p['number']:02d}" for p in quiz["problems"]]
    idents = [e.get("ident") for e in assessment.iter() if e.get("ident") and e.tag == f"{QTI}item"]
    assert len(set(idents)) == len(idents)


def _shape(el: Any) -> list[str]:
    """An element tree's tags and attribute names, depth-first (texts and idents left out)."""
    return [f"{e.tag.split('}')[-1]}[{','.join(sorted(a for a in e.attrib if a not in ('ident', 'title')))}]"
            for e in el.iter() if isinstance(e.tag, str)]


def test_qti_items_have_text2qti_structure() -> None:
    """Our numerical and multiple-choice items are built like the ones text2qti writes (which Canvas imports)."""
    from text2qti.qti import QTI as Text2QTI
    from text2qti.quiz import Quiz

    source = ("Quiz title: T\n\n1.  What is 4 + 5?\n... Worked.\n= 9\n\n"
              "2.  Pick one.\n... Worked.\na) 3\n... Why 3 is wrong.\n*b) 4\nc) 5\n... Why 5 is wrong.\n")
    theirs, _ = _qti(Text2QTI(Quiz(source, config=None)).zip_bytes())
    their_items = list(theirs.iter(f"{QTI}item"))
    data = quiz_dict(7, 20, difficulty="hard", degree=3)
    ours, _ = _qti(lms.export_bytes("qti", [data]))
    kinds = {}
    for item in ours.iter(f"{QTI}item"):
        kinds.setdefault(item.findtext(f".//{QTI}fieldentry"), item)
    num, mc = kinds["numerical_question"], kinds["multiple_choice_question"]
    assert _shape(num) == _shape(their_items[0])
    # Theirs has 3 options, 2 with feedback; ours n options, every wrong one with feedback: the same
    # elements in the same order up to the options, and no element theirs does not have.
    n = len(mc.findall(f".//{QTI}response_label"))
    theirs_mc, ours_mc = _shape(their_items[1]), _shape(mc)

    def upto(shape: list[str]) -> list[str]:
        return shape[: next(i for i, s in enumerate(shape) if s.startswith("response_lid"))]

    assert upto(ours_mc) == upto(theirs_mc)
    assert set(ours_mc) == set(theirs_mc)
    assert n >= 2


# ---------------------------------------------------------------- GIFT


def _gift(data: bytes) -> list[Any]:
    import warnings

    with warnings.catch_warnings():  # pygiftparser's i18n calls locale.getdefaultlocale (deprecated) on import
        warnings.simplefilter("ignore", DeprecationWarning)
        from pygiftparser import parser

    return parser.parseFile(io.StringIO(data.decode()))


def _moodle_gift_unescape(text: str) -> str:
    """Moodle's qformat_gift: \\\\ is a backslash, \\: \\# \\= \\{ \\} \\~ the character itself."""
    return re.sub(r"\\([\\:#={}~])", r"\1", text)


_HOLD = {":": "&&058;", "#": "&&035;", "=": "&&061;", "{": "&&123;", "}": "&&125;", "~": "&&126;"}


def _moodle_gift_read(source: str) -> dict[str, Any]:
    """One GIFT question read the way Moodle's qformat_gift reads it (escapedchar_pre, then the
    first { … } is the answer, #### the general feedback, ~ and = separate the answers,
    % % a weight, # a feedback; escapedchar_post on every piece). Written from Moodle's code."""
    text = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("//"))
    text = text.replace("\\\\", "&&092;")
    for ch, hold in _HOLD.items():
        text = text.replace("\\" + ch, hold)
    text = text.replace("&&092;", "\\")

    def post(piece: str) -> str:
        for ch, hold in _HOLD.items():
            piece = piece.replace(hold, ch)
        return piece.strip()

    title = ""
    if text.startswith("::"):
        title, text = text[2:].split("::", 1)
    fmt = re.match(r"\s*\[(\w+)\]", text)
    if fmt:
        text = text[fmt.end():]
    start = text.index("{")
    finish = text.index("}", start)
    answer, question = text[start + 1:finish], text[:start] + text[finish + 1:]
    general = ""
    if "####" in answer:
        answer, general = answer.split("####", 1)
    numerical = answer.strip().startswith("#")
    if numerical:
        answer = answer.strip()[1:]
    answers = []
    for chunk in answer.replace("=", "~=").split("~"):
        chunk = chunk.strip()
        if not chunk:
            continue
        right = chunk.startswith("=")
        chunk = chunk.lstrip("=")
        weight = 100 if right else 0
        if chunk.startswith("%"):
            weight, chunk = int(chunk[1:].split("%", 1)[0]), chunk[1:].split("%", 1)[1]
        body, _, feedback = chunk.partition("#")
        answers.append((weight, post(body), post(feedback)))
    return {"title": post(title), "format": fmt[1] if fmt else "moodle", "text": post(question), "numerical": numerical, "answers": answers,
            "general": post(general)}


def test_gift_read_back_every_answer_recomputed(quiz: dict[str, Any]) -> None:
    data = lms.export_bytes("gift", [quiz])
    questions = _gift(data)  # pygiftparser
    assert len(questions) == len(quiz["problems"])
    by_name = {f"{p['number']:02d} {p['kind']}": p for p in quiz["problems"]}
    seen = set()
    for q in questions:
        problem = by_name[q.title.split(" · ")[0]]
        seen.add(problem["number"])
        assert q.markup == "html"
        assert q.cat.startswith("$course$/quizgen/")
        moodle = _moodle_gift_read(q.source)  # Moodle's own reading
        assert moodle["title"] == q.title and moodle["format"] == "html" and "Answer" in moodle["general"]
        right = [a for a in moodle["answers"] if a[0] == 100]
        if not moodle["numerical"] and len(right) == len(moodle["answers"]):  # short answer: no distractor listed
            assert not problem["distractors"] and _same(_expr(right[0][1]), expected_answer(problem))
            continue
        assert len(right) == 1 and all(a[0] in (0, 100) and a[2] for a in moodle["answers"])
        if moodle["numerical"]:
            value, _, tolerance = right[0][1].partition(":")
            _check_number(problem, value, tolerance)
            if "-" not in "".join(a[1] for a in moodle["answers"]):  # pygiftparser's numbers have no sign
                assert q.valid and q.answers.answers[0].fraction == 100
                assert Fraction(str(q.answers.answers[0].value)) == Fraction(value)
            continue
        _check_choices(problem, [(text, weight == 100) for weight, text, _ in moodle["answers"]])
        start = re.search(r"(?<!\\)\{", q.source).start()
        if q.valid and "\\}" not in q.source[start:]:  # pygiftparser (which misreads \} in answers) agrees
            assert [(_moodle_gift_unescape(a.answer), a.fraction == 100) for a in q.answers.answers] == \
                [(text, weight == 100) for weight, text, _ in moodle["answers"]]
    assert seen == {p["number"] for p in quiz["problems"]}


def test_every_kind_exports_what_quiz_json_says() -> None:
    """Every registered kind (the neural-network ones too, whose answers tests/test_nn_kinds.py
    recomputes): each number in the Moodle file is quiz.json's exact part answer, or its 4-place
    rounding; every problem is one question in each format."""
    for kind in KINDS:
        data = quiz_dict(5, 2, kinds=(kind,))
        root = _moodle(lms.export_bytes("moodle", [data]))
        questions = root.xpath("question[@type!='category']")
        assert len(questions) == 2
        for q, problem in zip(questions, data["problems"]):
            exact = []
            for part in problem["parts"]:  # a list part (32.4, 32.04 or (−2.78, −1.89)) is a blank per number
                pieces = [x.strip() for x in part["answer"].strip().strip("()").split(",")]
                if all(re.fullmatch(r"-?[0-9.]+(/[0-9]+)?", x) for x in pieces):
                    exact += [Fraction(x) for x in pieces]
            if q.get("type") == "numerical":
                got = [(q.find("answer").findtext("text"), q.find("answer").findtext("tolerance"))]
            elif q.get("type") == "cloze":
                got = re.findall(r"\{1:NUMERICAL:=(-?[0-9.]+):([0-9.]+)\}", html.unescape(q.findtext("questiontext/text")))
            else:
                right = [a.findtext("text") for a in q.findall("answer") if a.get("fraction") == "100"]
                assert right and right[0] in {f"\\({problem['answer_latex']}\\)", html.escape(problem["answer_text"])}
                continue
            values = [(Fraction(v), Fraction(t)) for v, t in got]
            assert len(values) == len(exact), (kind, got, exact)
            forms = {g["name"]: g.get("form") for g in problem.get("graded_parts", [])}
            rounded = [forms.get(p["label"]) or problem.get("form") for p in problem["parts"]
                       for _ in p["answer"].strip().strip("()").split(",")]
            for (v, t), e, form in zip(values, exact, rounded):
                assert v == e if t == 0 else abs(v - e) <= t, (kind, v, e)
                if form and form.startswith("rounded:"):  # the checker's rule: whatever rounds to the key
                    assert t == Fraction(5, 10 ** (int(form[8:]) + 1)), (kind, form, t)
        assessment, _ = _qti(lms.export_bytes("qti", [data]))
        assert len(list(assessment.iter(f"{QTI}item"))) == 2
        assert len(_gift(lms.export_bytes("gift", [data]))) == 2


# ---------------------------------------------------------------- hostile text: braces, &, <, ]]>, backslashes

NASTY = "Let f(x) = {x^2} ~ #1: a\\b & <c> ]]> \"q\" 'q' \\( \\)"


def test_special_characters_survive_every_format() -> None:
    data = quiz_dict(3, 3, kinds=("evaluate", "expand"))
    for p in data["problems"]:
        p["prompt"] = p["prompt_tex"] = NASTY
        p["distractors"][0]["why"] = NASTY
    # Moodle XML and QTI: well formed, the text read back is the prompt (HTML-escaped once).
    root = _moodle(lms.export_bytes("moodle", [data]))
    texts = [html.unescape(q.findtext("questiontext/text")) for q in root.xpath("question[@type!='category']")]
    assert all(t.startswith(f"<p>{NASTY}</p>") for t in texts)
    assert any(html.unescape(a.findtext("feedback/text")) == NASTY for a in root.iter("answer"))
    assessment, _ = _qti(lms.export_bytes("qti", [data]))
    mattexts = [html.unescape(m.text) for m in assessment.iter(f"{QTI}mattext") if m.text]
    assert any(t.startswith(f"<p>{NASTY}</p>") for t in mattexts)
    assert any(NASTY == t for t in mattexts)  # a distractor's why as its feedback
    # GIFT: pygiftparser finds every question and its title; Moodle's reading gives the text back.
    questions = _gift(lms.export_bytes("gift", [data]))
    assert len(questions) == 3 and all(q.title for q in questions)
    whys = []
    for q in questions:
        moodle = _moodle_gift_read(q.source)
        assert moodle["title"] == q.title
        assert html.unescape(moodle["text"]).startswith(f"<p>{NASTY}</p>")
        whys += [html.unescape(feedback) for _, _, feedback in moodle["answers"]]
    assert NASTY in whys


def test_control_characters_refused() -> None:
    data = quiz_dict(3, 1, kinds=("evaluate",))
    data["problems"][0]["prompt"] = "f\x01(x)"
    with pytest.raises(lms.ExportError, match="U\\+0001"):
        lms.export_bytes("moodle", [data])


# ---------------------------------------------------------------- numbers and tolerances


@pytest.mark.parametrize(("answer", "form", "shown", "tol", "note"), [
    ("9", None, "9", "0", False),
    ("-47/4", None, "-11.75", "0", False),
    ("8.003", None, "8.003", "0", False),
    ("-7/3", None, "-2.3333", "0.00005", True),
    ("2/3", None, "0.6667", "0.00005", True),
    ("0.46", "rounded:2", "0.46", "0.005", False),
    ("x + 1", None, None, None, False),
])
def test_tolerance_suits_each_answer(answer: str, form: str | None, shown: str | None, tol: str | None,
                                     note: bool) -> None:
    n = lms.number_for(answer, form, None)
    if shown is None:
        assert n is None
        return
    assert n is not None and n.shown == shown and n.tolerance == Fraction(tol) and n.note == note


# ---------------------------------------------------------------- class sets: pools


def test_versions_become_pools(tmp_path: Path) -> None:
    out = tmp_path / "class"
    result = CliRunner().invoke(main, ["make", "--versions", "3", "--count", "4", "--seed", "11", "--format",
                                       "json,moodle,qti,gift", "--out", str(out), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    versions = json.loads((out / "manifest.json").read_text())["versions"]
    quizzes = [json.loads((out / v["folder"] / "quiz.json").read_text()) for v in versions]
    assert not any((out / v["folder"] / "moodle.xml").exists() for v in versions)
    # Moodle: a category per slot holding each version's problem once.
    categories = _check_moodle(_moodle((out / "moodle.xml").read_bytes()), [], pooled=True)
    assert len(categories) == 4 and all(len(names) == 3 for names in categories.values())
    for n, names in enumerate(categories.values(), start=1):
        assert sorted(x.split(" · ")[1] for x in names) == sorted(q["version"] for q in quizzes)
        assert all(x.startswith(f"{n:02d} ") for x in names)
    # Canvas: a question group per slot that picks 1, every version's item in it, each item checked.
    assessment, _ = _qti((out / "canvas-qti.zip").read_bytes())
    groups = assessment.findall(f"{QTI}assessment/{QTI}section/{QTI}section")
    assert len(groups) == 4
    for n, group in enumerate(groups, start=1):
        assert group.findtext(f"{QTI}selection_ordering/{QTI}selection/{QTI}selection_number") == "1"
        items = group.findall(f"{QTI}item")
        assert len(items) == 3
        for item in items:
            code = item.get("title").split(" · ")[1]
            problem = next(q for q in quizzes if q["version"] == code)["problems"][n - 1]
            _check_qti_item(item, problem)
    # GIFT: the same categories.
    questions = _gift((out / "quiz.gift").read_bytes())
    assert len(questions) == 12
    cats = re.findall(r"^\$CATEGORY: (.*)$", (out / "quiz.gift").read_text(), re.M)
    assert cats == list(categories)
    # quizgen export on the manifest makes the same pooled files.
    for fmt, name in lms.FILES.items():
        again = CliRunner().invoke(main, ["export", str(out / "manifest.json"), "--to", fmt, "--out",
                                          str(tmp_path / name)])
        assert again.exit_code == 0, again.output
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


# ---------------------------------------------------------------- the commands


def test_make_and_export_write_the_same_files(tmp_path: Path) -> None:
    out = tmp_path / "q"
    result = CliRunner().invoke(main, ["make", "--count", "14", "--seed", "5", "--format", "json,moodle,qti,gift",
                                       "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["canvas-qti.zip", "moodle.xml", "quiz.gift", "quiz.json"]
    for fmt, name in lms.FILES.items():
        target = tmp_path / f"again-{name}"
        again = CliRunner().invoke(main, ["export", str(out / "quiz.json"), "--to", fmt, "--out", str(target)])
        assert again.exit_code == 0, again.output
        assert target.read_bytes() == (out / name).read_bytes()
    # Without --out: beside quiz.json.
    (out / "quiz.gift").unlink()
    again = CliRunner().invoke(main, ["export", str(out / "quiz.json"), "--to", "gift"])
    assert again.exit_code == 0 and (out / "quiz.gift").read_bytes() == (tmp_path / "again-quiz.gift").read_bytes()


@pytest.mark.parametrize("case", ["missing", "huge", "garbage", "not-a-quiz", "old-quiz", "unknown-to", "no-to", "out-is-input",
                                  "out-is-folder", "out-is-input-by-link"])
def test_export_bad_input_one_line_exit_2_nothing_written(tmp_path: Path, case: str) -> None:
    quiz = tmp_path / "quiz.json"
    data = quiz_dict(3, 2, kinds=("evaluate", "expand"))
    quiz.write_text(json.dumps(data))
    out = tmp_path / "out.xml"
    args = ["export", str(quiz), "--to", "moodle", "--out", str(out)]
    if case == "missing":
        args[1] = str(tmp_path / "nope.json")
    elif case == "huge":
        quiz.write_bytes(b" " * 5_000_001)
    elif case == "garbage":
        quiz.write_bytes(b"{\"problems\": [1, 2,,]}")
    elif case == "not-a-quiz":
        quiz.write_text(json.dumps({"problems": [{"number": 1}]}))
    elif case == "old-quiz":
        for p in data["problems"]:
            del p["prompt"]
        quiz.write_text(json.dumps(data))
    elif case == "unknown-to":
        args[3] = "blackboard"
    elif case == "no-to":
        del args[2:4]
    elif case == "out-is-input":
        args[5] = str(quiz)
    elif case == "out-is-folder":
        out.mkdir()
    elif case == "out-is-input-by-link":
        (tmp_path / "link.xml").hardlink_to(quiz)
        args[5] = str(tmp_path / "link.xml")
    before = sorted(p.name for p in tmp_path.iterdir())
    snapshot = quiz.read_bytes()
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert quiz.read_bytes() == snapshot
