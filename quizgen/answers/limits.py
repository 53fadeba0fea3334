"""Limits, sampling parameters and messages of the answer checker, and its exceptions.

Every limit is checked before the expensive step it protects; over a limit the answer
is "invalid" with a message, never a hang or a crash.
"""

from __future__ import annotations

# ---------------------------------------------------------------- limits
# Every limit is checked before the expensive step it protects; over a limit the
# answer is "invalid" with a message, never a hang or a crash.

MAX_LENGTH = 500  # characters (code points) in one answer
MAX_DEPTH = 50  # nested brackets and |bars|, counted by a scan before parsing
MAX_TREE_DEPTH = 150  # nesting of the parsed tree (e.g. long chains of signs or powers)
MAX_EXPONENT = 100  # largest |exponent| of a power whose exponent is a constant
MAX_DIGITS = 40  # digits in one number
MAX_SCI_EXPONENT = 100  # largest |k| in scientific notation such as 1e-3
MAX_BITS = 4096  # largest numerator/denominator (bits) in exact evaluation

N_POINTS = 24  # evaluation points per variable
MIN_COMMON = 3  # points where both sides must be defined (fewer if the key itself is)
REL_TOL = 1e-9  # floating-point comparison when functions are involved
ABS_TOL = 1e-12
# Rounding: each float value carries a magnitude m (sums of absolute values, scaled by
# derivatives) whose NOISE·EPS·m bounds its rounding error. Where that noise could exceed
# RELIABLE (relative), cancellation has eaten the digits (cosh²x − sinh²x at x = 14.5):
# such points are left out if others remain, and the tolerance grows to the noise.
EPS = 2.0**-52
NOISE = 8.0
RELIABLE = 1e-7

# Evaluation points: spread over negative and positive values, no 0 or ±1 (where
# x, x², x³ coincide). A variable takes every point once, in its own order.
POINTS: tuple[tuple[int, int], ...] = (
    (-7, 3), (2, 1), (-1, 2), (1, 3), (3, 2), (5, 1), (11, 7), (-13, 5),
    (2, 9), (7, 2), (-5, 4), (17, 3), (1, 7), (-9, 2), (23, 10), (9, 1),
    (-3, 1), (4, 3), (-2, 7), (13, 1), (5, 8), (-11, 3), (19, 4), (29, 2),
)
# Variable k of LETTER_ORDER at sample i takes POINTS[(i*MULTIPLIERS[k%8] + 7k) % 24]:
# every multiplier is coprime to 24, so each variable runs through all points, and
# different variables pair the points differently (x and h never move together).
LETTER_ORDER = "xhyzwtabcdfgijklmnopqrsuvXYZWTABCDEFGHIJKLMNOPQRSUV"
MULTIPLIERS = (1, 5, 7, 11, 13, 17, 19, 23)

# ---------------------------------------------------------------- messages

CORRECT = "Correct."
WRONG = "Your answer is not equal to the correct answer."
WRONG_TOL = "Your answer is not close enough to the correct value."
STILL_H = "Your answer still contains h: take the limit as h → 0."
FORGOT_DIVIDE = "It looks like you forgot to divide by h."
SIGN = "Check the sign: your answer is the negative of the correct answer."
BAD_EXPECTED = "The correct answer stored for this problem cannot be read, so answers cannot be checked."
EMPTY = "Your answer is empty."
INCOMPLETE = "Your answer is incomplete: something is missing at the end."
TOO_DEEP = "Your answer is nested too deeply."
TOO_BIG = "The numbers in your answer are too large to check."
BIG_EXPONENT = f"An exponent in your answer is larger than {MAX_EXPONENT}, which is not allowed."
DIV_ZERO = "Division by zero: your answer cannot be evaluated."
NOT_REAL = "Your answer is not a real number (for example the square root of a negative number)."
NOT_EQUATION = "Your answer should be a value, not an equation."
NEED_EQUATION = "Write your answer as an equation."
WRONG_EQUATION = "Your equation is not equivalent to the correct one."
NOT_EXPANDED = (
    "That is equal to the answer, but not fully expanded: multiply out the brackets and collect like terms."
)
UNDEFINED = {"zero": DIV_ZERO, "domain": NOT_REAL, "overflow": TOO_BIG}


class Invalid(Exception):
    """The answer cannot be read or evaluated; the message says why."""


class Undefined(Exception):
    """The expression has no real value at this point: 'zero', 'domain' or 'overflow'."""


class NotRational(Exception):
    """Exact evaluation is impossible (functions, π, e, non-integer powers)."""

