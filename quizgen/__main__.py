"""Allow ``python -m quizgen``; `run` is also the `quizgen` command's entry point."""

from __future__ import annotations

import sys


def run() -> None:
    """Import the command line and run it; Ctrl-C while the imports load is one line, exit 130.

    The imports take 0.1-2 s (longer on a busy machine): Ctrl-C in that window used to print
    a KeyboardInterrupt traceback from inside sympy or click. Once click runs, it handles Ctrl-C.
    """
    try:
        from quizgen.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing written\n")
        sys.exit(130)
    main(prog_name="quizgen")


if __name__ == "__main__":
    run()
