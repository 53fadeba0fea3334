"""The pictures' SVG as quizgen writes it (plots._LeanSVG, not matplotlib's savefig): the same
text, ticks and lines as savefig's, curves that pass through the problem's exact points, small,
flat and deterministic.

Expected values come from the problem's exact numbers (Fractions, exact.horner) and from what the
SVG itself says (tick labels and tick marks give its axes), not from quizgen's drawing code.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from quizgen import plots
from quizgen.exact import horner
from quizgen.generate import Options, make_quiz
from quizgen.model import LossPicture, SecantPicture

F = Fraction
PICTURE_KINDS = ("limit-definition", "secant-table", "tangent-line", "gradient-step")


def _pictures() -> list[Any]:
    found = []
    for seed, difficulty, degree in itertools.product((3, 11), ("easy", "medium", "hard"), (2, 3, 4)):
        quiz = make_quiz(Options(kinds=PICTURE_KINDS, count=4, difficulty=difficulty, degree=degree), seed)
        found += [p.plot for p in quiz.problems if p.plot is not None]
    quiz = make_quiz(Options(count=20), 7)  # the default class-set version: five pictures
    found += [p.plot for p in quiz.problems if p.plot is not None]
    return list(dict.fromkeys(found))


PICTURES = _pictures()


def _texts(svg: str) -> list[tuple[float, float, str]]:
    return sorted((round(float(x), 4), round(float(y), 4), t) for x, y, t in
                  re.findall(r'<text[^>]* x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>', svg))


def _savefig_ticks(svg: str) -> list[tuple[float, float]]:
    return sorted((round(float(x), 4), round(float(y), 4))
                  for x, y in re.findall(r'<g id="[xy]tick_\d+">\s*<g id="line2d_\d+">.*?<use xlink:href="#m[0-9a-f]+" '
                                         r'x="([-\d.]+)" y="([-\d.]+)"', svg, flags=re.S))


def _lean_ticks(svg: str) -> list[tuple[float, float]]:
    found = []
    for axis in re.findall(r'<g id="[xy]-ticks(?:-\d)?">(.*?)</g>', svg, flags=re.S):
        d = re.search(r' d="([^"]*)"', axis)
        assert d, axis
        found += [(round(float(x), 4), round(float(y), 4)) for x, y in re.findall(r"M ([-\d.]+) ([-\d.]+)", d.group(1))]
    return sorted(found)


def test_every_picture_is_written_lean_with_savefig_s_text_and_ticks() -> None:
    """Every picture goes through the lean writer (no fallback to savefig), and its labels, tick
    labels and tick marks are where matplotlib's own SVG of the same figure puts them."""
    assert len(PICTURES) > 25
    for picture, full in itertools.product(PICTURES, (True, False)):
        fig = plots.figure(picture, full)
        lean = plots._svg_bytes(fig).decode()
        old = plots._savefig_svg(fig).decode()
        assert lean.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg '), "fell back to savefig"
        assert "<use" not in lean and "style=" not in lean and "transform=" not in lean
        assert len(re.findall(r"<[a-zA-Z]", lean)) < 70  # WeasyPrint's cost grows with the elements
        assert _texts(lean) == _texts(old), (picture, full)
        assert _lean_ticks(lean) == _savefig_ticks(old), (picture, full)
        # The straight lines are the same segments.
        for gid in re.findall(r'<g id="((?:secant-\d|tangent|minimum|tangent-w0))">', old):
            seg = re.search(f'<g id="{gid}">\\s*<path d="([^"]*)"', old)
            assert seg and re.search(f'id="{gid}" d="([^"]*)"', lean), gid
            assert " ".join(seg.group(1).split()) == re.search(f'id="{gid}" d="([^"]*)"', lean).group(1)  # type: ignore[union-attr]


def _axis_map(svg: str, name: str) -> tuple[float, float]:
    """(scale, offset) with svg = scale * value + offset, from the first and last tick of an axis."""
    group = re.search(f'<g id="{name}">(.*?)</g>', svg, flags=re.S)
    assert group, name
    d = re.search(r' d="([^"]*)"', group.group(1))
    assert d
    starts = [(float(x), float(y)) for x, y in re.findall(r"M ([-\d.]+) ([-\d.]+)", d.group(1))]
    values = [float(t.replace("\u2212", "-")) for t in re.findall(r"<text[^>]*>([^<]*)</text>", group.group(1))]
    assert len(starts) == len(values) >= 2
    k = 0 if name.startswith("x") else 1
    (p0, v0), (p1, v1) = (starts[0][k], values[0]), (starts[-1][k], values[-1])
    scale = (p1 - p0) / (v1 - v0)
    return scale, p0 - scale * v0


def _beziers(svg: str, gid: str) -> list[list[tuple[float, float]]]:
    """The cubic pieces (four control points each) of a curve's path."""
    d = re.search(f'id="{gid}" d="([^"]*)"', svg)
    assert d, gid
    assert re.fullmatch(r"M[ \d.-]+(C[ \d.-]+)+", d.group(1)), d.group(1)[:80]
    nums = [float(v) for v in re.findall(r"-?[\d.]+", d.group(1))]
    points = list(zip(nums[::2], nums[1::2]))
    return [points[i:i + 4] for i in range(0, len(points) - 1, 3)]


def _curve_y(pieces: list[list[tuple[float, float]]], x: float) -> float:
    """The curve's SVG y at SVG x (each piece's x is linear in t: control points evenly spaced)."""
    for p in pieces:
        (x0, _), (x1, _), (x2, _), (x3, _) = p
        assert abs((x1 - x0) - (x3 - x0) / 3) < 1e-4 and abs((x2 - x0) - 2 * (x3 - x0) / 3) < 1e-4
        if x0 - 1e-6 <= x <= x3 + 1e-6:
            t = (x - x0) / (x3 - x0)
            return sum(c * t ** k * (1 - t) ** (3 - k) * y for k, (c, (_, y)) in enumerate(zip((1, 3, 3, 1), p)))
    raise AssertionError(f"x = {x} is outside the curve")


def _points(picture: Any) -> list[tuple[Fraction, Fraction]]:
    """The exact points the problem names: (a, f(a)) and the secant points, or the weights' losses."""
    if isinstance(picture, SecantPicture):
        xs = [picture.a] + [picture.a + h for h in picture.hs]
    else:
        xs = list(picture.weights)
    return [(x, horner(picture.coeffs, x)) for x in xs]


@pytest.mark.parametrize("picture", PICTURES[::3], ids=lambda p: type(p).__name__)
def test_the_curve_passes_through_the_problem_s_exact_points(picture: SecantPicture | LossPicture) -> None:
    """Read back from the SVG's numbers: the curve's Bézier pieces, the axes from the tick labels;
    every point the problem names lies on the curve, and the curve follows the polynomial between
    them (within 0.02 pt; matplotlib's 121 samples were up to about 0.1 pt off)."""
    svg = plots.svg(picture).decode()
    panels = [("curve", "")] if isinstance(picture, SecantPicture) else [("loss", "")]
    if 'id="loss-zoom"' in svg:
        panels.append(("loss-zoom", "-2"))
    for gid, suffix in panels:
        sx, ox = _axis_map(svg, "x-ticks" + suffix)
        sy, oy = _axis_map(svg, "y-ticks" + suffix)
        pieces = _beziers(svg, gid)
        lo, hi = pieces[0][0][0], pieces[-1][-1][0]
        checked = 0
        for x, y in _points(picture):
            px = sx * float(x) + ox
            if lo <= px <= hi:
                assert abs(_curve_y(pieces, px) - (sy * float(y) + oy)) < 0.02, (gid, x, y)
                checked += 1
        assert checked or gid == "loss"  # the zoomed panel, or the one panel, shows the named points
        for i in range(41):  # between the named points too
            px = lo + (hi - lo) * i / 40
            x = (px - ox) / sx
            assert abs(_curve_y(pieces, px) - (sy * float(horner(picture.coeffs, F(x))) + oy)) < 0.02


def test_the_point_marker_sits_on_a_f_of_a() -> None:
    picture = next(p for p in PICTURES if isinstance(p, SecantPicture))
    svg = plots.svg(picture).decode()
    sx, ox = _axis_map(svg, "x-ticks")
    sy, oy = _axis_map(svg, "y-ticks")
    d = re.search(r'id="point" d="([^"]*)"', svg)
    assert d
    nums = [float(v) for v in re.findall(r"-?[\d.]+", d.group(1))]
    cx, cy = (min(nums[::2]) + max(nums[::2])) / 2, (min(nums[1::2]) + max(nums[1::2])) / 2
    assert abs(cx - (sx * float(picture.a) + ox)) < 0.01
    assert abs(cy - (sy * float(horner(picture.coeffs, picture.a)) + oy)) < 0.01


def test_a_picture_s_bytes_do_not_depend_on_what_was_drawn_before() -> None:
    """Drawn first in a fresh process, or after other pictures in this one: the same bytes (a
    class-set worker draws many versions' pictures; --rebuild draws one)."""
    picture = PICTURES[0]
    script = ("import sys, hashlib; from fractions import Fraction as F; from quizgen import plots; "
              "from fractions import Fraction; from quizgen.model import SecantPicture, LossPicture; "
              f"sys.stdout.write(hashlib.sha256(plots.svg({picture!r})).hexdigest())")
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    for other in PICTURES[1:6]:
        plots.svg(other, False)
    plots.svg.cache_clear()
    assert hashlib.sha256(plots.svg(picture)).hexdigest() == fresh


def _class_set(tmp: Path, kind: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(Path(plots.__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-m", "quizgen", "make", "--versions", "1", "--count", "2", "-k", kind,
                           "--seed", "3", "--format", "html,json", "--out", "cs"], capture_output=True, text=True,
                          env=env, cwd=tmp, timeout=600)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads((tmp / "cs" / "manifest.json").read_text())
    return data


def _rebuild(tmp: Path, data: dict[str, Any], out: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(plots.__file__).resolve().parent.parent)}
    (tmp / f"{out}.json").write_text(json.dumps(data))
    return subprocess.run([sys.executable, "-m", "quizgen", "make", "--rebuild", data["versions"][0]["code"],
                           "--manifest", f"{out}.json", "--out", out], capture_output=True, text=True, env=env,
                          cwd=tmp, timeout=600)


def test_a_class_set_from_before_the_lean_pictures_says_its_key_will_differ(tmp_path: Path) -> None:
    """Manifest format 3 marks sets whose pictures the lean writer drew: rebuilt, byte for byte, no note.
    A set of format 2 (or 1) had savefig's SVG in its key.html: rebuilt, a one-line note says the key
    will not be byte for byte the earlier file; a set without such pictures gets no note."""
    data = _class_set(tmp_path, "tangent-line")
    assert data["format"] == 5
    done = _rebuild(tmp_path, data, "now")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    folder = tmp_path / "cs" / data["versions"][0]["folder"]
    assert (tmp_path / "now" / "key.html").read_bytes() == (folder / "key.html").read_bytes()
    for old in (2, 1):
        data["format"] = old
        done = _rebuild(tmp_path, data, f"old{old}")
        assert done.returncode == 0, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "key.html will not be byte for byte" in lines[0] and f"format {old}" in lines[0]
        assert "worksheet.html" not in lines[0]  # --plots key (the default): the worksheet has no picture
    plain = tmp_path / "plain"
    plain.mkdir()
    data = _class_set(plain, "evaluate")
    data["format"] = 2
    done = _rebuild(plain, data, "old")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()  # no picture, but formats 1-3 broke a formula in a sentence
    assert len(lines) == 1 and "pictures" not in lines[0] and "key.html now keeps each formula" in lines[0]


def test_a_class_set_from_before_unbroken_formulas_says_its_key_will_differ(tmp_path: Path) -> None:
    """Manifest format 4: a formula with spaces in a key's sentence (𝑥 = −1) is one no-break span. A set of
    format 3 rebuilt gets those spans: one line says key.html will not be byte for byte the earlier file."""
    data = _class_set(tmp_path, "evaluate")
    key = (tmp_path / "cs" / data["versions"][0]["folder"] / "key.html").read_text()
    assert re.search(r'<span class="nw">[^<]* = [^<]*</span>', key)
    data["format"] = 3
    done = _rebuild(tmp_path, data, "old3")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "format 3" in lines[0] and "key.html now keeps each formula" in lines[0], lines
    assert "will not be byte for byte" in lines[0] and "worksheet.html" not in lines[0]


def test_a_kept_figure_draws_the_same_bytes_as_a_new_one() -> None:
    """The process keeps one figure per layout and clears it for the next picture: every picture,
    drawn after all the others, is byte for byte what a new figure gives (secant, worksheet, loss
    and two-panel loss layouts all met)."""
    layouts = set()
    kept = {}
    for picture, full in itertools.product(PICTURES, (True, False)):
        plots.svg.cache_clear()
        kept[(picture, full)] = plots.svg(picture, full)
    for (picture, full), svg in kept.items():
        plots._BLANKS.clear()
        plots.svg.cache_clear()
        assert plots.svg(picture, full) == svg, (picture, full)
        layouts |= set(plots._BLANKS)
    assert len({(rect, full) for rect, full in layouts}) >= 4, layouts
    assert (plots._LOSS_WHOLE, True) in layouts  # a gradient-step picture with the steps enlarged


def test_what_the_lean_writer_does_not_draw_falls_back_to_savefig() -> None:
    """A rotated label (which quizgen never draws) is not something the lean writer knows: the figure
    goes to matplotlib's savefig whole, and the figure's axes are left as they were."""
    fig = plots.figure(PICTURES[0])
    fig.text(0.5, 0.5, "rotated", rotation=30)
    svg = plots._svg_bytes(fig).decode()
    assert "<!DOCTYPE svg" in svg and "rotated" in svg and 'id="curve"' in svg
    assert all("draw" not in vars(axis) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis))
    assert plots._svg_bytes(fig).decode() == svg  # deterministic too
