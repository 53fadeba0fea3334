"""The answer form "rounded:N" (PROTOCOL "Rounded answers"): the key, quiz.json and the checker.

The JavaScript twin is held to the same verdicts by tests/answer_cases.json (test_checker_js.py).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from quizgen.answers import check
from quizgen.answers.limits import MAX_PLACES
from quizgen.keys import QuizFileError, quiz_keys
from quizgen.model import FORMS, MAX_PLACES as MODEL_MAX_PLACES, known_form, rounded_places, rounded_text


def test_the_limit_is_one_number():
    assert MAX_PLACES == MODEL_MAX_PLACES
    assert "rounded:N" in FORMS


@pytest.mark.parametrize(
    ("form", "places"),
    [("rounded:4", 4), ("rounded:0", 0), ("rounded:12", 12), ("rounded:13", None), ("rounded:", None),
     ("rounded:-1", None), ("rounded: 4", None), ("rounded:4 ", None), ("Rounded:4", None), (4, None), (None, None)],
)
def test_rounded_places(form, places):
    assert rounded_places(form) == places
    assert known_form(form) == (places is not None)


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Fraction(76159415595, 10**11), 4, "0.7616"),  # tanh(1) = 0.76159415595…
        (Fraction(-76159415595, 10**11), 4, "-0.7616"),
        (Fraction(1, 8), 2, "0.13"),  # a half rounds away from zero
        (Fraction(-1, 8), 2, "-0.13"),
        (Fraction(-1, 1000), 2, "0.00"),  # no "-0.00"
        (Fraction(5, 2), 0, "3"),
        (Fraction(42, 100), 4, "0.4200"),
        (Fraction(1999, 1000), 2, "2.00"),
    ],
)
def test_rounded_text(value, places, text):
    assert rounded_text(value, places) == text


def test_tanh_and_sigmoid_keys_by_hand():
    # tanh(1) = 0.7615941559…, σ(1) = 1/(1 + e⁻¹) = 0.7310585786…, written by hand to 4 places.
    assert check("0.76159", "0.7616", form="rounded:4").status == "correct"
    assert check("0.731", "0.7311", form="rounded:4").message == "Round to 4 decimal places: your answer has 3 decimal places."
    assert math.isclose(1 / (1 + math.exp(-1)), 0.7310585786, rel_tol=1e-9)
    assert check("1/(1+e^-1)", "0.7311", form="rounded:4").status == "incorrect"


def entry(**kw):
    return {"problems": [{"number": 1, "kind": "neuron", **kw}]}


def test_quiz_json_rounded_form_is_read_and_graded():
    key = quiz_keys(entry(answer="0.7616", form="rounded:4"))[1]
    assert key.form == "rounded:4"
    assert key.grade("0.76159").status == "correct"
    assert key.grade("0.76").status == "incorrect"
    assert key.to_json()["form"] == "rounded:4"


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"answer": "0.76", "form": "rounded:4"}, "exactly 4 decimal places"),
        ({"answer": "tanh(1)", "form": "rounded:4"}, "exactly 4 decimal places"),
        ({"answer": "0.7616", "form": "rounded:13"}, "'rounded:N' (N = 0 to 12)"),
        ({"answer": "0.7616", "form": "rounding:4"}, "not 'rounding:4'"),
        ({"answer": "3.0", "form": "rounded:0"}, "exactly 0 decimal places"),
    ],
)
def test_quiz_json_bad_rounded_forms_are_refused(fields, says):
    with pytest.raises(QuizFileError, match=None) as err:
        quiz_keys(entry(**fields))
    assert says in str(err.value)


def test_a_rounded_part_of_a_multi_part_answer():
    from quizgen.keys import Key, Part

    key = Key(1, "0.7616, 1.2", parts=(Part("o", "0.7616", ("o",), form="rounded:4"), Part("w₁", "1.2", ("w1",))))
    assert key.readable()
    assert key.grade("o = 0.76159; w1 = 1.2").status == "correct"
    assert key.grade("o = 0.76; w1 = 1.2").message == "w₁ right; o: Round to 4 decimal places: your answer has 2 decimal places."
    assert key.grade("o = 0.7616; w1 = 1.2000001").status == "incorrect"  # an exact part stays exact
    assert key.to_json()["parts"][0]["form"] == "rounded:4"
