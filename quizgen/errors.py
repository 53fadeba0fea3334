"""Errors raised by the library; the CLI turns them into messages and exit codes."""

from __future__ import annotations


class QuizgenError(Exception):
    """Base class for every error quizgen reports to a user."""


class InputError(QuizgenError):
    """A user-supplied value (option, file, function) is invalid; the CLI exits with 2."""

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class VerificationError(QuizgenError):
    """Two independent computations of an answer disagree: a bug, never shown output."""
