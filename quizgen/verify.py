"""The second, independent check of every answer: sympy's value against exact fractions."""

from __future__ import annotations

from typing import Any

from quizgen.errors import VerificationError
from quizgen.kinds.base import Kind, Solved
from quizgen.model import Task


def verify(kind: Kind, task: Task, solved: Solved) -> None:
    """Raise VerificationError unless the kind's independent route gives the same answer."""
    expected: Any = kind.recompute(task)
    got: Any = solved.answer.value
    if got != expected:
        raise VerificationError(
            f"{kind.id}: sympy gave {got!r} but the exact check gave {expected!r} for "
            f"f = {task.f_plain()}, a = {task.point}, points = {task.points}, h = {task.step}"
        )
