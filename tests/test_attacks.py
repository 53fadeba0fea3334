"""Hostile inputs found by attacking the session's new input paths (issue 10's LMS exports,
issue 11's kinds in class sets and make): each test failed before its fix."""

from __future__ import annotations

import pytest

from quizgen import classset
from quizgen.generate import Options
from quizgen.kinds import DEFAULT_KINDS, KINDS

NEW_KINDS = tuple(k for k in KINDS if k not in DEFAULT_KINDS)


# ---------------------------------------------------------------- class sets of the neural-network kinds


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_class_set_of_a_new_kind_draws_different_problems(kind: str) -> None:
    """Two slots of one new kind in three versions: the problems differ by their values/shape/data
    (the class set compared only f, a, h, …, so every problem of these kinds looked the same to it and
    make --kind backprop --versions 3 -n 2 said 'the pinned values allow too few different problems')."""
    copt = classset.ClassOptions(Options(count=2, kinds=(kind,)))
    versions = classset.make_versions(copt, 4, [None] * 3)
    problems = [p for v in versions for p in v.quiz.problems]
    assert len(problems) == 6
    assert len({(p.task.values, p.task.shape, p.task.data, str(p.task)) for p in problems}) >= 4
