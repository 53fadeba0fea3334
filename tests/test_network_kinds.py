"""backprop and neuron (issue 11): answers recomputed independently, read back from the key's PDF,
the graph drawn (values and gradients on the key, blanks on the worksheet), graded by the checker."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import sympy

from independent import agrees, matches, network_values
from quizgen import graphs, plots
from quizgen.generate import Options, build_problem, make_quiz
from quizgen.keys import quiz_keys
from quizgen.kinds import DEFAULT_KINDS, KINDS
from quizgen.kinds.backprop import rounded
from quizgen.model import NO_PINS, GraphPicture, Problem
from quizgen.render import render_html

NETWORK = ("backprop", "neuron")
LEVELS = ("easy", "medium", "hard")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def problems(kind: str, level: str, seeds: range) -> list[Problem]:
    out = []
    for seed in seeds:
        p = build_problem(KINDS[kind], 1, seed, 2, NO_PINS, level)
        assert p is not None, (kind, level, seed)
        out.append(p)
    return out


def test_registered_by_name_not_drawn_by_default() -> None:
    for kind in NETWORK:
        assert kind in KINDS and kind not in DEFAULT_KINDS


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("kind", NETWORK)
def test_seed_sweep_recomputed_with_sympy_diff(kind: str, level: str) -> None:
    """Every number of the answer from quiz.json alone: sympy.diff of the flattened expression, exact
    or — where the key rounds — within half a unit of its 4th decimal, written with exactly 4."""
    rounded_seen = False
    for p in problems(kind, level, range(12)):
        data = json.loads(json.dumps(p.to_json()))
        assert agrees(data), data
        for exact, key in network_values(data):
            assert NUMBER.match(key), key
            irrational = not sympy.nsimplify(exact).is_Rational
            if irrational:
                rounded_seen = True
                assert data["rounding"] == 4 and len(key.split(".")[1]) == 4 and "places" in p.given
                assert {"answer": key, "form": "rounded:4"}.items() <= next(
                    g for g in data["graded_parts"] if g["answer"] == key).items()
            else:
                assert len(key.replace("-", "").replace(".", "").lstrip("0")) <= 8
    # tanh and σ appear where the levels say; ReLU (easy neuron) is exact.
    if kind == "neuron":
        assert rounded_seen == (level != "easy")


def test_the_oracle_catches_a_wrong_gradient() -> None:
    p = build_problem(KINDS["backprop"], 1, 4, 2, NO_PINS, "medium").to_json()
    assert agrees(p)
    first = p["nodes"][0]
    first["grad"] = str(sympy.Rational(first["grad"]) + 1)
    with pytest.raises(AssertionError):
        assert agrees(p)
    q = build_problem(KINDS["neuron"], 1, 4, 2, NO_PINS, "medium").to_json()
    wrong = dict(q, o=str(Decimal(q["o"]) + Decimal("0.0001")))
    wrong["answer"] = ", ".join([wrong["n"], wrong["o"], *wrong["answer"].split(", ")[2:]])
    assert agrees(q) and not agrees(wrong)


def test_rounding_to_four_places_is_the_exact_values() -> None:
    """The key's rounding, checked against 60-digit values (tanh(1) = 0.76159415595…, σ(2) = 0.88079707797…)."""
    assert rounded(sympy.tanh(1)) == "0.7616"
    assert rounded(1 - sympy.tanh(1) ** 2) == "0.4200"  # 0.41997434161…
    assert rounded(1 / (1 + sympy.exp(-2))) == "0.8808"
    assert rounded(-sympy.tanh(sympy.Rational(1, 2))) == "-0.4621"
    assert matches(sympy.tanh(1), "0.7616", 4) and not matches(sympy.tanh(1), "0.7615", 4)
    assert not matches(sympy.tanh(1), "0.762", 4)  # three places where the question asks for four


@pytest.mark.parametrize("kind", NETWORK)
def test_three_named_mistakes_never_the_answer(kind: str) -> None:
    for level in LEVELS:
        for p in problems(kind, level, range(8)):
            wrong = [m for m, _ in p.mistakes]
            assert len(set(wrong)) >= 3 and p.answer.plain not in wrong, (level, p.mistakes)
            assert all(why for _, why in p.mistakes)


def test_accumulating_a_value_used_twice_is_taught() -> None:
    """A shape where an input feeds two nodes: its gradient is the sum of both paths, and the key says so."""
    for seed in range(40):
        p = build_problem(KINDS["backprop"], 1, seed, 2, NO_PINS, "medium")
        if p.task.shape == "d=a*b;e=d+c;L=e*a":
            words = " ".join(s.words for s in p.steps)
            assert "used twice" in words and "sum of both paths" in words
            assert any("added together" in why for _, why in p.mistakes)
            return
    pytest.fail("no medium seed below 40 drew the shape d=a*b;e=d+c;L=e*a")


def test_graph_svg_values_on_key_blanks_on_worksheet() -> None:
    p = next(p for p in problems("backprop", "hard", range(6)) if "places" in p.given)
    pic = p.plot
    assert isinstance(pic, GraphPicture)
    key = plots.svg(pic, True).decode()
    sheet = plots.svg(pic, False).decode()
    texts = lambda svg: [unicodedata.normalize("NFKC", t) for t in re.findall(r">([^<>]+)</text>", svg)]  # noqa: E731
    key_texts, sheet_texts = texts(key), texts(sheet)
    for node in pic.nodes:
        assert f"value {node.value}" in key_texts and f"grad {node.grad}" in key_texts
        assert unicodedata.normalize("NFKC", graphs.italic(node.formula)) in sheet_texts
        if node.op:
            assert f"value {node.value}" not in sheet_texts
        else:
            assert f"value {node.value}" in sheet_texts
    assert "grad" in sheet_texts and not any(t.startswith("grad ") for t in sheet_texts)
    assert sheet_texts.count("value") == sum(1 for n in pic.nodes if n.op)
    # Deterministic: drawn again from scratch, the same bytes; no version comment.
    graphs.svg.cache_clear()
    assert plots.svg.__wrapped__(pic, True).decode() == key and "graphviz version" not in key
    assert "Gradients of L" in plots.describe(pic) and "left blank" in plots.describe(pic, False)


def test_every_graph_fits_the_column_at_full_size() -> None:
    """Readable at 100 %: the SVG is shown at its own size (9 pt labels) and every shape, at every
    level, is at most 470 pt wide (A4's 499 pt column less the key's 1.9em and 10 pt indents)."""
    css = (Path(plots.__file__).parent / "templates" / "style.css").read_text()
    assert "figure.plot.graph img, figure.plot.given.graph img { width: auto; max-width: 100%; }" in css
    shapes = set()
    for level in LEVELS:
        for p in problems("backprop", level, range(14)):
            shapes.add(re.sub(r"[-0-9.]+\*", "K*", p.task.shape))
            svg = plots.svg(p.plot, True).decode()
            width = float(re.search(r'<svg width="([0-9.]+)pt"', svg).group(1))
            assert width <= 470, (p.task.shape, width)
            assert 'font-size="9.00"' in svg
    assert len(shapes) >= 10


def test_worksheet_shows_the_graph_unless_pictures_are_off() -> None:
    quiz = make_quiz(Options(count=2, kinds=("backprop",)), 3)
    sheet = render_html(quiz, "worksheet", plots="key")
    assert sheet.count('class="plot given graph"') == 2 and "Expression graph from the inputs" in sheet
    assert 'class="plot given graph"' not in render_html(quiz, "worksheet", plots="none")
    key = render_html(quiz, "key", plots="key")
    assert key.count('class="plot graph"') == 2


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_forward_and_backward_values_read_back_from_the_key_pdf(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quizgen.cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["make", "--kind", "backprop", "--kind", "neuron", "--count", "4", "--seed", "8",
                                       "--difficulty", "hard", "--out", str(out), "--format", "pdf,json"])
    assert result.exit_code == 0, result.output
    quiz = json.loads((out / "quiz.json").read_text())
    text = subprocess.run(["pdftotext", "-layout", str(out / "key.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("\u2212", "-")
    sheet = subprocess.run(["pdftotext", str(out / "worksheet.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout
    sheet_flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", sheet)).replace("\u2212", "-")
    for p in quiz["problems"]:
        assert agrees(p)
        if p["kind"] == "backprop":
            for node in p["nodes"]:
                rel = "=" if node.get("value_form") is None else "≈"
                if node["formula"]:
                    assert f"{node['name']}{rel}{node['value']}" in flat, node  # the summary and Answer line
                    assert f"value{node['value']}" in flat  # the graph's box
                if node is not p["nodes"][-1]:
                    grel = "=" if node.get("grad_form") is None else "≈"
                    assert f"∂{p['nodes'][-1]['name']}/∂{node['name']}{grel}{node['grad']}" in flat, node
                    assert f"grad{node['grad']}" in flat
                    assert f"grad{node['grad']}" not in sheet_flat or node["grad"] == "1"
        else:
            assert f"n={p['n']}" in flat and (f"o≈{p['o']}" in flat or f"o={p['o']}" in flat)
            for k, g in p["gradient"].items():
                assert re.search(rf"∂o/∂{k}[=≈]{re.escape(g)}", flat), (k, g)


def test_the_checker_grades_labelled_and_listed_parts() -> None:
    quiz = make_quiz(Options(count=4, kinds=NETWORK, difficulty="hard"), 12)
    data = json.loads(json.dumps(quiz.to_json()))
    keys = quiz_keys(data)
    for p in data["problems"]:
        key = keys[p["number"]]
        assert key.parts and key.grade(key.full_answer).status == "correct"
        assert key.grade(p["answer"]).status == "correct"
        for wrong, _ in p["mistakes"]:
            assert key.grade(wrong).status != "correct"
        if p["kind"] == "backprop":
            first = p["nodes"][0]
            out = p["nodes"][-1]["name"]
            labelled = f"d{out}/d{first['name']} = {first['grad']}"
            assert key.grade(labelled).status == "incorrect"  # right, but the other parts are missing
            assert "∂" in key.grade(labelled).message
            rounded_parts = [part for part in key.parts if (part.form or "").startswith("rounded")]
            assert bool(rounded_parts) == ("rounding" in p)
        else:
            assert key.grade(f"n = {p['n']}; o = {p['o']}").status == "incorrect"
            if "rounding" in p:  # a typed o with more digits rounds to the key's 4 places; 2 places do not
                exact = sympy.N(network_values(p)[1][0], 30)
                longer = f"n = {p['n']}; o = {exact:.7f}; " + "; ".join(
                    f"do/d{k} = {v}" for k, v in p["gradient"].items())
                assert key.grade(longer).status == "correct", key.grade(longer).message
                short = longer.replace(f"o = {exact:.7f}", f"o = {exact:.2f}")
                assert "decimal places" in key.grade(short).message
            grads = "; ".join(f"do/d{k} = {v}" for k, v in p["gradient"].items())
            assert key.grade(f"n = {p['n']}; o = {p['o']}; {grads}").status == "correct"


def test_the_meaning_names_every_input_that_ties_for_the_largest_gradient() -> None:
    """make --spec examples/backprop.toml --seed 4, problem 10: d = a·b, e = d + b with a = 3, b = 4 gives
    ∂L/∂a = b·32 = 128 and ∂L/∂b = a·32 + 32 = 128 (by hand), yet the Meaning line said L is most
    sensitive to a alone."""
    from quizgen.exact import Style
    from quizgen.kinds.backprop import Node, meaning_text, pv

    nodes = (Node("a", "in"), Node("b", "in"), Node("c", "in"), Node("d", "mul", ("a", "b")),
             Node("e", "add", ("d", "b")), Node("L", "sub", ("e", "c")))
    grads = {"a": sympy.Integer(128), "b": sympy.Integer(128), "c": sympy.Integer(-1)}
    text = meaning_text(nodes, grads, Style(True), "L")
    assert f"most sensitive to {pv('a')} and {pv('b')}" in text
    assert f"most sensitive to {pv('a')}:" not in text
