"""quizgen: verified practice on derivatives from first principles."""

from __future__ import annotations

__version__ = "0.1.0"
