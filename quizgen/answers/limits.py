"""The one source of the checker's limits, sample points and messages, and its exceptions.

quizgen/templates/checker.js hard-codes none of these: ``shared()`` is handed to the
practice page as JSON (practice.checker_config → practice.html), and checker.js reads
its limits and texts from there. Every limit is checked before the expensive step it
protects; over a limit an answer is "invalid" with a message, never a hang or a crash.
"""

from __future__ import annotations

from typing import Any

# ---------------------------------------------------------------- limits

MAX_LENGTH = 500  # characters (code points) in one answer
MAX_DEPTH = 50  # nested brackets and |bars|, counted by a scan before parsing
MAX_TREE_DEPTH = 150  # nesting of the parsed tree (e.g. long chains of signs or powers)
MAX_EXPONENT = 100  # largest |exponent| of a power whose exponent is a constant
MAX_DIGITS = 40  # digits in one number
MAX_SCI_EXPONENT = 100  # largest |k| in scientific notation such as 1e-3
MAX_BITS = 4096  # largest numerator/denominator (bits) in exact evaluation
MAX_PLACES = 12  # largest N of the form "rounded:N" (round to N decimal places)

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
# Variable k of NAME_ORDER at sample i takes POINTS[(i*MULTIPLIERS[k%8] + 7k + k//24) % 24]:
# every multiplier is coprime to 24, so each variable runs through all points, and
# different variables pair the points differently (x and h never move together): the
# first 192 names all get different sequences (8 multipliers × 24 offsets). A name not in
# NAME_ORDER (w12, q7) takes k = 192 − 19 + (sum of its code points) % 19.
LETTER_ORDER = "xhyzwtabcdfgijklmnopqrsuvXYZWTABCDFGHIJKLMNOPQRSUV"
MULTIPLIERS = (1, 5, 7, 11, 13, 17, 19, 23)

# Greek letters a student may type for a variable (η or eta: the same variable, named eta).
# π is the constant and σ the sigmoid function, so neither is a variable.
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ρ": "rho", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega",
}
GREEK_NAMES = sorted(set(GREEK.values()))
# Letters that take a subscript 0–9 often enough to get their own points (w₁ = w_1 = w1).
SUBSCRIPTED = "wxbayzhtoc"
NAME_ORDER: tuple[str, ...] = (
    *LETTER_ORDER, *GREEK_NAMES, *(f"{c}{d}" for c in SUBSCRIPTED for d in range(10))
)
N_SEQUENCES = 192  # distinct point sequences: len(MULTIPLIERS) × N_POINTS

# Names a calculus student types; aliases map to one canonical function.
FUNCTIONS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "sec": "sec", "csc": "csc", "cot": "cot",
    "asin": "asin", "acos": "acos", "atan": "atan",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "abs": "abs",
    "asinh": "asinh", "acosh": "acosh", "atanh": "atanh",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh",
    "sigmoid": "sigmoid", "sigma": "sigmoid", "relu": "relu", "sgn": "sgn", "sign": "sgn",
}
# Functions of two arguments, always written with brackets: max(0, x).
FUNCTIONS2 = {"max": "max", "min": "min"}
# A whole word in other capitals (Abs, ReLU, Tanh, SIN) is read as the name in lower case.
CONSTANTS = {"pi": "pi", "e": "e", "E": "e"}

# ---------------------------------------------------------------- messages
# One sentence per verdict. Placeholders in braces ({pos}, {name}, …) are filled in when
# the message is given (Python: str.format; checker.js: the same names, one pass).

MESSAGES: dict[str, str] = {
    # verdicts
    "correct": "Correct.",
    "wrong": "Your answer is not equal to the correct answer.",
    "wrong_tol": "Your answer is not close enough to the correct value.",
    "unchecked": "Your answer could not be checked.",
    "bad_expected": "The correct answer stored for this problem cannot be read, so answers cannot be checked.",
    # reading the text (tokens, grammar)
    "empty": "Your answer is empty.",
    "too_long": f"Your answer is too long (more than {MAX_LENGTH} characters).",
    "control": "Your answer contains a control or invisible character at position {pos}.",
    "digits": f"The number at position {{pos}} has too many digits (more than {MAX_DIGITS}).",
    "sci_range": "The number at position {pos} is too large or too small.",
    "nested": f"Your answer is nested too deeply (more than {MAX_DEPTH} brackets inside each other).",
    "unknown_name": "Unknown name '{name}'.",
    "unknown_symbol": "Unknown symbol '{char}' at position {pos}.",
    "func_brackets": "Write the argument of {name} in brackets, like {name}(x).",
    "case": "Your answer has {got} where the question uses {want}: letters are case-sensitive.",
    # the asked quantity named on the left: f′(2) = 9, w₁: 1.2, dL/da = -6 (see checking._label)
    "label_wrong": "The left side names {lhs}, but the question asks for {label}.",
    "label_unknown": "Write just the answer, without '{lhs} =' in front.",
    "unexpected": "Unexpected '{tok}' at position {pos}.",
    "incomplete": "Your answer is incomplete: something is missing at the end.",
    "too_deep": "Your answer is nested too deeply.",
    # evaluation
    "too_big": "The numbers in your answer are too large to check.",
    "big_exponent": f"An exponent in your answer is larger than {MAX_EXPONENT}, which is not allowed.",
    "div_zero": "Division by zero: your answer cannot be evaluated.",
    "not_real": "Your answer is not a real number (for example the square root of a negative number).",
    # feedback on typical mistakes
    "still_h": "Your answer still contains h: take the limit as h → 0.",
    "forgot_divide": "It looks like you forgot to divide by h.",
    "sign": "Check the sign: your answer is the negative of the correct answer.",
    "should_be_number": "Your answer should be a number, but it contains {names}.",
    "extra_vars": "Your answer contains {names}, which should not appear in it.",
    "need_vars": "Your answer should be an expression in {names}, not a number.",
    "missing_vars": "Your answer should also contain {names}.",
    "slip_constant": "Recheck the constant term: the rest of your answer matches.",
    "slip_term": "Recheck the {var}{power} term: the rest of your answer matches.",
    "not_expanded": (
        "That is equal to the answer, but not fully expanded: multiply out the brackets and collect like terms."
    ),
    "rounded": "Close, but the answer is exact: give the exact value, no rounding.",
    # form "rounded:N": the question says how to round (see checking._rounded)
    "places_one": "1 decimal place",
    "places_many": "{n} decimal places",
    "rounded_short": "Round to {places}: your answer has {given}.",
    "rounded_digit": "Close, but not correctly rounded to {places}: check the last digit.",
    "rounded_not_value": "That has the right value, but the question asks for it rounded to {places}: write that decimal.",
    "not_value": "That works out to the answer, but the question asks for a number: write the value, not the calculation.",
    # multi-part answers (quizgen.keys.grade_parts, checkParts in checker.js)
    "part_unknown": "there is no part called '{name}'",
    "part_extra": "more answers than the question asks for ('{text}')",
    "part_word": "{part}: write {words}",
    "part_not_right": "{part} is not right",
    "part_says": "{part}: {says}",
    "part_missing": "missing: {parts}",
    "parts_right": "{parts} right; ",
    # the shape of the answer
    "not_equation": "Your answer should be a value, not an equation.",
    "need_equation": "Write your answer as an equation.",
    "wrong_equation": "Your equation is not equivalent to the correct one.",
    "count_equation": "Expected {n} values separated by commas, got an equation.",
    "count_single": "Expected a single answer, got {m} values separated by commas.",
    "count": "Expected {n} values separated by commas, got {m}.",
    "value_wrong": "Value {i} is not right.",
    "values_wrong": "Values {values} are not right.",
    "list_and": "{rest} and {last}",  # x, y and z; values 1, 2 and 4
}
# Why an expression has no value at a point → the message if it has none anywhere.
UNDEFINED = {"zero": "div_zero", "domain": "not_real", "overflow": "too_big"}


def message(code: str, **params: Any) -> str:
    """The message for a code, with its placeholders filled in."""
    return MESSAGES[code].format(**params) if params else MESSAGES[code]


CORRECT = MESSAGES["correct"]
WRONG = MESSAGES["wrong"]
WRONG_TOL = MESSAGES["wrong_tol"]
STILL_H = MESSAGES["still_h"]
FORGOT_DIVIDE = MESSAGES["forgot_divide"]
SIGN = MESSAGES["sign"]
BAD_EXPECTED = MESSAGES["bad_expected"]
EMPTY = MESSAGES["empty"]
INCOMPLETE = MESSAGES["incomplete"]
TOO_DEEP = MESSAGES["too_deep"]
TOO_BIG = MESSAGES["too_big"]
BIG_EXPONENT = MESSAGES["big_exponent"]
DIV_ZERO = MESSAGES["div_zero"]
NOT_REAL = MESSAGES["not_real"]
NOT_EQUATION = MESSAGES["not_equation"]
NEED_EQUATION = MESSAGES["need_equation"]
WRONG_EQUATION = MESSAGES["wrong_equation"]
NOT_EXPANDED = MESSAGES["not_expanded"]
NOT_VALUE = MESSAGES["not_value"]
UNCHECKED = MESSAGES["unchecked"]

LIMIT_NAMES = (
    "MAX_LENGTH", "MAX_DEPTH", "MAX_TREE_DEPTH", "MAX_EXPONENT", "MAX_DIGITS", "MAX_SCI_EXPONENT", "MAX_BITS", "MAX_PLACES",
    "N_POINTS", "MIN_COMMON", "REL_TOL", "ABS_TOL", "EPS", "NOISE", "RELIABLE",
)


def shared() -> dict[str, Any]:
    """Everything checker.js reads instead of hard-coding it: a fresh, JSON-ready copy."""
    here = globals()
    return {
        "limits": {name: here[name] for name in LIMIT_NAMES},
        "points": [list(p) for p in POINTS],
        "nameOrder": list(NAME_ORDER),
        "nSequences": N_SEQUENCES,
        "greek": dict(GREEK),
        "functions2": dict(FUNCTIONS2),
        "multipliers": list(MULTIPLIERS),
        "functions": dict(FUNCTIONS),
        "constants": dict(CONSTANTS),
        "messages": dict(MESSAGES),
        "undefined": dict(UNDEFINED),
    }


class Invalid(Exception):
    """The answer cannot be read or evaluated; ``code`` and ``params`` say why (see MESSAGES)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(message(code, **params))
        self.code = code
        self.params = params


class Undefined(Exception):
    """The expression has no real value at this point: 'zero', 'domain' or 'overflow'."""


class NotRational(Exception):
    """Exact evaluation is impossible (functions, π, e, non-integer powers)."""
