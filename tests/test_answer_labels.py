"""Answers that name the asked quantity on the left (issue 11 item 7): f′(2) = 9, w₁: 1.2, dL/da = -6.

Keys get the names from quiz.json (the parts' labels, or what an older entry's kind asks for);
checker.js reads the same list (tests/answer_cases.json cases with "labels" run in Chromium).
"""

from __future__ import annotations

import pytest

from quizgen.keys import quiz_keys


def key(**entry):
    return quiz_keys({"problems": [{"number": 1, **entry}]})[1]


@pytest.mark.parametrize(
    ("entry", "typed", "status", "says"),
    [
        ({"kind": "evaluate", "point": "2", "answer": "9"}, "f(2) = 9", "correct", "Correct."),
        ({"kind": "evaluate", "point": "2", "answer": "9"}, "f(3) = 9", "incorrect",
         "The left side names f(3), but the question asks for f(2)."),
        ({"kind": "evaluate", "point": "-3", "answer": "9"}, "f(−3) = 9", "correct", "Correct."),
        ({"kind": "limit-definition", "answer": "6*x - 4"}, "f′(x) = 6x − 4", "correct", "Correct."),
        ({"kind": "limit-definition", "answer": "6*x - 4"}, "f'(x)=6x-4", "correct", "Correct."),
        ({"kind": "limit-definition", "answer": "6*x - 4"}, "f′(x) = 6X − 4", "invalid",
         "Your answer has X where the question uses x: letters are case-sensitive."),
        ({"kind": "limit-definition", "answer": "6*x - 4"}, "f(x) = 6x − 4", "incorrect",
         "The left side names f(x), but the question asks for f′(x)."),
        ({"kind": "derivative-at", "answer": "-6",
          "parts": [{"label": "f′(x)", "answer": "-2x + 4", "answer_text": "−2x + 4"},
                    {"label": "f′(5)", "answer": "-6", "answer_text": "−6"}]}, "f′(5) = −6", "correct", "Correct."),
        ({"kind": "derivative-at", "answer": "-6",
          "parts": [{"label": "f′(5)", "answer": "-6", "answer_text": "−6"}]}, "f′(3) = −6", "incorrect",
         "The left side names f′(3), but the question asks for f′(5)."),
        # A prime is part of the name: f(5) = −6 was accepted for f′(5) in a multi-part answer.
        ({"kind": "derivative-at", "answer": "-6",
          "parts": [{"label": "f′(x)", "answer": "-2x + 4", "answer_text": "−2x + 4"},
                    {"label": "f′(5)", "answer": "-6", "answer_text": "−6"}]}, "f(5) = −6", "incorrect",
         "The left side names f(5), but the question asks for f′(5)."),
        ({"kind": "derivative-at", "answer": "-6",
          "parts": [{"label": "f′(5)", "answer": "-6", "answer_text": "−6"}]}, "f’(5) = −6", "correct", "Correct."),
        ({"kind": "tangent-line", "answer": "y = -6*x + 33"}, "y = 33 - 6x", "correct", "Correct."),
        ({"kind": "difference", "answer": "2.16"}, "f(2) = 2.16", "invalid",
         "Write just the answer, without 'f(2) =' in front."),
    ],
)
def test_left_sides(entry, typed, status, says):
    verdict = key(**entry).grade(typed)
    assert (verdict.status, verdict.message) == (status, says)


def test_labels_reach_the_page():
    k = key(kind="evaluate", point="2", answer="9")
    assert k.to_json()["labels"] == ["f(2)"]


def test_graded_parts_may_be_rounded():
    entry = {"kind": "neuron", "answer": "0.7616, 0.42", "graded_parts": [
        {"name": "o", "answer": "0.7616", "labels": ["o", "output"], "form": "rounded:4"},
        {"name": "∂o/∂w₁", "answer": "0.42", "labels": ["do/dw1", "o/w1", "w1"], "form": "rounded:2"},
    ]}
    k = key(**entry)
    assert [p.form for p in k.parts] == ["rounded:4", "rounded:2"]
    assert k.grade("o = 0.76159; ∂o/∂w₁ = 0.419").status == "correct"
    assert k.grade("o = 0.76; do/dw1 = 0.42").message == "∂o/∂w₁ right; o: Round to 4 decimal places: your answer has 2 decimal places."
    bad = {**entry, "graded_parts": [{**entry["graded_parts"][0], "form": "rounded:3"}, entry["graded_parts"][1]]}
    assert key(**bad).parts == ()  # a part whose answer has other places than its form is not trusted


def test_a_derivative_part_answers_to_both_spellings():
    entry = {"kind": "chain-rule", "answer": "-6, 4", "graded_parts": [
        {"name": "∂L/∂a", "answer": "-6", "labels": ["∂L/∂a"]},
        {"name": "∂L/∂b", "answer": "4", "labels": ["dL/db"]},
    ]}
    k = key(**entry)
    for typed in ("dL/da = -6; dL/db = 4", "∂L/∂a = -6, ∂L/∂b = 4", "L/b: 4; L/a: -6", "-6; 4"):
        assert k.grade(typed).status == "correct", typed
    assert k.grade("dL/da = 4; dL/db = -6").message == (
        "∂L/∂a: Your answer is not equal to the correct answer; ∂L/∂b: Your answer is not equal to the correct answer.")
