"""Class sets of a worksheet spec: quizgen make --spec S --versions N | --roster R (issue 9).

Each spec entry is a class-set slot: the same kinds in the same order, the same headings and pins in
every version, the unpinned values drawn per version by the slots' fairness rules. The manifest records
the parsed spec, so --rebuild needs no spec file. Few versions and small specs: the whole file is fast.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conftest import one_line_exit_2
from conftest import quizgen_run as run
from quizgen import classset
from quizgen.generate import Options
from quizgen.spec import parse_spec, spec_from_json

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

SPEC = """title = "Friday: slopes"
instructions = "Show your working."

[[sections]]
heading = "Small steps"
kinds = ["difference-quotient", "derivative-at"]
step = 0.001

[[sections]]
heading = "One gradient step"
kinds = ["gradient-step"]
rate = 0.1
difficulty = "easy"
"""

# The walkthrough's f, a and h pinned in one section (the same problem in every version), one section free.
HALF_PINNED = """[[sections]]
heading = "The walkthrough"
kinds = ["evaluate"]
function = "3x^2-4x+5"
point = 2
step = 0.001

[[sections]]
heading = "Your own"
kinds = ["difference", "tangent-line"]
"""



def spec_class(text: str, versions: int, seed: int = 3, style: str = "open",
               notes: list[str] | None = None) -> list[classset.Version]:
    spec = parse_spec(text, Path("w.toml"))
    total = sum(s.options.count or 0 for s in spec.sections)
    copt = classset.ClassOptions(Options(count=total, title=spec.title or Options.title, style=style),
                                 sections=spec.sections, instructions=spec.instructions)
    return classset.make_versions(copt, seed, [None] * versions, notes=notes)


# ---------------------------------------------------------------- the slots (no rendering)


def test_slots_follow_the_spec() -> None:
    versions = spec_class(SPEC, 6)
    assert len({v.code for v in versions}) == 6
    # No two versions the same problems.
    assert len({tuple(str(p.task) for p in v.quiz.problems) for v in versions}) == 6
    for v in versions:
        problems = v.quiz.problems
        assert [p.kind for p in problems] == ["difference-quotient", "derivative-at", "gradient-step"]
        assert [p.section for p in problems] == ["Small steps", "Small steps", "One gradient step"]
        assert problems[0].task.step == Fraction(1, 1000)  # the section's pinned h, in every version
        assert problems[2].task.rate == Fraction(1, 10)  # the pinned η
        assert problems[2].draw is not None and problems[2].draw.difficulty == "easy"
        assert problems[0].draw is not None and problems[0].draw.difficulty == "medium"
        assert v.quiz.instructions == "Show your working."
        assert [s["heading"] for s in v.quiz.options["sections"]] == ["Small steps", "One gradient step"]
    for n in range(3):
        problems = [v.quiz.problems[n] for v in versions]
        # Fair: the same form of answer in every version, and similar size (digits counted here).
        assert len({classset.answer_form(p) for p in problems}) == 1
        sizes = [sum(ch.isdigit() for ch in p.answer.plain) for p in problems]
        assert max(sizes) - min(sizes) <= 2 * classset.SIZE_SLACK, sizes
        assert len({p.task.coeffs for p in problems}) > 3  # the unpinned f is drawn per version


def test_entries_that_pin_everything_are_the_same_in_every_version_with_a_note() -> None:
    notes: list[str] = []
    versions = spec_class(HALF_PINNED, 4, notes=notes)
    first = {(p.task.coeffs, p.task.point, p.answer.plain) for p in (v.quiz.problems[0] for v in versions)}
    # 3x² − 4x + 5 at a = 2: f(2) = 12 − 8 + 5 = 9, in every version.
    assert first == {((Fraction(5), Fraction(-4), Fraction(3)), Fraction(2), "9")}
    assert len({str(v.quiz.problems[1].task) for v in versions}) == 4
    assert notes == ["problem 1 (section 1) is the same in every version: the spec pins every value it uses; "
                     "the other problems differ"]


def test_same_inputs_same_versions_and_the_codes_depend_on_the_spec() -> None:
    a = spec_class(SPEC, 2)
    b = spec_class(SPEC, 2)
    assert [v.code for v in a] == [v.code for v in b]
    assert [v.quiz.to_json() for v in a] == [v.quiz.to_json() for v in b]
    other = spec_class(SPEC.replace("Small steps", "Tiny steps"), 2)
    assert {v.code for v in other}.isdisjoint(v.code for v in a)


def test_training_steps_at_hard_take_a_rate_of_their_own() -> None:
    """Was (also without a spec): the slot drew η from the level's rates (0.01 … 1/4), none of them too large,
    so for about half the seeds `--kind training-steps --difficulty hard` said 'the pinned values allow no
    training-steps problem' with nothing pinned."""
    for seed in (1, 3):
        copt = classset.ClassOptions(Options(count=1, kinds=("training-steps",), difficulty="hard"))
        versions = classset.make_versions(copt, seed, [None] * 2)
        rates = {v.quiz.problems[0].task.rate for v in versions}
        assert len(rates) == 1 and rates.pop() in {Fraction(1, 5), Fraction(1, 4), Fraction(3, 10), Fraction(1, 2)}


def test_manifest_spec_round_trips() -> None:
    spec = parse_spec(SPEC, Path("w.toml"))
    data = json.loads(json.dumps(classset.spec_json(spec.instructions, spec.sections)))
    instructions, sections = spec_from_json(data, "m.json")
    assert instructions == spec.instructions
    assert [(s.heading, s.options.kinds, s.options.count, s.options.degree, s.options.difficulty, s.options.step,
             s.options.rate) for s in sections] == [
        (s.heading, s.options.kinds, s.options.count, s.options.degree, s.options.difficulty, s.options.step,
         s.options.rate) for s in spec.sections]


# ---------------------------------------------------------------- a whole class set on disk


@pytest.fixture(scope="module")
def spec_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("specclass")
    (tmp / "friday.toml").write_text(SPEC)
    (tmp / "class.csv").write_text("name,id\nAda Lovelace,s1\nBen Okafor,s2\n")
    done = run("make", "--spec", "friday.toml", "--roster", "class.csv", "--seed", "5", "--style", "mc",
               "--variants", "2", "--format", "html,pdf,json,practice,gift", "--out", "friday", cwd=tmp)
    assert done.returncode == 0, done.stderr
    assert "2 versions · 3 problems each" in done.stdout
    return tmp


def manifest(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run_dir / "friday" / "manifest.json").read_text())
    return data


def test_manifest_records_the_spec_as_data(spec_run: Path) -> None:
    data = manifest(spec_run)
    assert list(data) == ["quizgen", "format", "seed", "title", "options", "spec", "versions"]
    assert data["title"] == "Friday: slopes" and data["seed"] == 5
    assert data["options"]["count"] == 3 and data["options"]["style"] == "mc"
    assert not set(classset.SECTION_OPTIONS) & set(data["options"])
    assert data["spec"] == {"instructions": "Show your working.", "sections": [
        {"heading": "Small steps", "kinds": ["difference-quotient", "derivative-at"], "count": 2, "degree": 2,
         "difficulty": "medium", "step": "0.001"},
        {"heading": "One gradient step", "kinds": ["gradient-step"], "count": 1, "degree": 2, "difficulty": "easy",
         "rate": "0.1"}]}
    for v in data["versions"]:
        quiz = json.loads((spec_run / "friday" / v["folder"] / "quiz.json").read_text())
        assert quiz["version"] == v["code"] and quiz["student"] == v["student"]
        assert quiz["options"]["style"] == "mc" and all(len(p["choices"]) >= 4 for p in quiz["problems"])
        assert [p["section"] for p in quiz["problems"]] == ["Small steps", "Small steps", "One gradient step"]


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFKC", done.stdout)


@pytest.mark.parametrize("combined", ["all-worksheets.pdf", "all-keys.pdf"])
def test_headings_on_every_version_in_the_combined_pdfs(spec_run: Path, combined: str) -> None:
    data = manifest(spec_run)
    # pdftotext separates pages with a form feed; each student's part starts with their version's page 1.
    pages = pdf_text(spec_run / "friday" / combined).split("\f")
    starts = [i for i, page in enumerate(pages) if "Page 1 of" in page]
    assert len(starts) == 2 and all(i % 2 == 0 for i in starts)
    ends = starts[1:] + [len(pages)]
    for v, start, end in zip(data["versions"], starts, ends):
        text = "\n".join(pages[start:end])
        assert v["code"] in pages[start] and v["student"]["name"] in pages[start]
        assert text.index("Part A: Small steps") < text.index("Part B: One gradient step")
        assert text.count("Part A: Small steps") == text.count("Part B: One gradient step") >= 1


def test_rebuild_from_the_manifest_alone_is_byte_identical(spec_run: Path, tmp_path: Path) -> None:
    # Only manifest.json travels: no spec file, another folder.
    shutil.copy(spec_run / "friday" / "manifest.json", tmp_path / "manifest.json")
    assert not (tmp_path / "friday.toml").exists()
    for v in manifest(spec_run)["versions"]:
        done = run("make", "--rebuild", v["code"], "--manifest", "manifest.json", "--out", v["code"], cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        for name in ("worksheet.html", "key.html", "quiz.json", "practice.html"):
            assert (tmp_path / v["code"] / name).read_bytes() == \
                (spec_run / "friday" / v["folder"] / name).read_bytes(), name


def test_check_grades_each_student_against_their_own_version(spec_run: Path) -> None:
    data = manifest(spec_run)
    rows = ["student,1,2,3"]
    for n, v in enumerate(data["versions"]):
        quiz = json.loads((spec_run / "friday" / v["folder"] / "quiz.json").read_text())
        right = [next(c["letter"] for c in p["choices"] if c["correct"]) for p in quiz["problems"]]
        rows.append(",".join([v["student"]["name"], *(right if n == 0 else ["Z", "Z", "Z"])]))
    (spec_run / "answers.csv").write_text("\n".join(rows) + "\n")
    done = run("check", "--manifest", "friday/manifest.json", "--answers", "answers.csv", cwd=spec_run)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith(("Ada", "Ben"))}
    assert "3/3" in lines["Ada"] and "0/3" in lines["Ben"]


def test_lms_pools_hold_every_version(spec_run: Path) -> None:
    gift = (spec_run / "friday" / "quiz.gift").read_text()
    for v in manifest(spec_run)["versions"]:
        assert gift.count(v["code"]) >= 3  # each version's three problems, one per pool


# ---------------------------------------------------------------- bad inputs: one line, exit 2, nothing written


def tampered(tmp: Path, source: Path, change: Any) -> Path:
    data = json.loads(source.read_text())
    change(data)
    path = tmp / "m.json"
    path.write_text(json.dumps(data))
    return path


def _set(path: str, value: Any) -> Any:
    def change(m: dict[str, Any]) -> None:
        target: Any = m
        keys = path.split("/")
        for key in keys[:-1]:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[keys[-1]] = value
    return change


@pytest.mark.parametrize("change, needle", [
    (_set("spec/colour", "red"), "spec.colour: unknown key 'colour'"),
    (_set("spec/sections/0/kind", "evaluate"), "spec.sections[0].kind: unknown key 'kind'"),
    (_set("spec/sections/1/count", "1"), "spec.sections[1].count: 'count' must be a whole number"),
    (_set("spec/sections/0/step", 0.001), "spec.sections[0].step: 'step' must be a number such as"),
    (_set("spec/sections/0/step", "1e999"), "spec.sections[0].step: step 1e999: too large"),
    (_set("spec/sections/0/kinds", ["__import__('os')"]), "spec.sections[0].kinds: 'kinds': unknown kind"),
    (_set("spec/sections/0/function", "__import__('os').system('x')"), "spec.sections[0].function: function"),
    (_set("spec/sections", {}), "spec.sections: needs at least one"),
    (_set("spec", "friday.toml"), "spec: must be an object"),
    (_set("spec/instructions", "a\x1b[2Jb"), "spec.instructions:"),
    (_set("options/kinds", ["evaluate"]), "options.kinds: a class set of a spec records it per section"),
    (_set("options/count", 4), "options.count: 4, but spec.sections ask for 3 problems"),
    (_set("colour", 1), "m.json: colour: is not a key of a class set's manifest"),
])
def test_rebuild_refuses_a_tampered_spec_naming_manifest_and_key(spec_run: Path, tmp_path: Path, change: Any,
                                                                  needle: str) -> None:
    path = tampered(tmp_path, spec_run / "friday" / "manifest.json", change)
    code = manifest(spec_run)["versions"][0]["code"]
    done = run("make", "--rebuild", code, "--manifest", str(path), "--out", "rb", cwd=tmp_path)
    one_line_exit_2(done, f"--manifest {path}: ", needle)
    assert "\x1b" not in done.stderr
    assert not (tmp_path / "rb").exists()


def test_a_manifest_nested_too_deeply_is_one_line(spec_run: Path, tmp_path: Path) -> None:
    """Was a RecursionError traceback from json.loads (any manifest, with or without a spec)."""
    text = (spec_run / "friday" / "manifest.json").read_text()
    (tmp_path / "m.json").write_text(text.replace('"instructions"', '"x": ' + "[" * 100_000 + "]" * 100_000
                                                  + ', "instructions"', 1))
    code = manifest(spec_run)["versions"][0]["code"]
    done = run("make", "--rebuild", code, "--manifest", "m.json", "--out", "rb", cwd=tmp_path)
    one_line_exit_2(done, "--manifest m.json: arrays or objects nested too deeply")
    assert not (tmp_path / "rb").exists()


def test_old_manifests_without_a_spec_still_rebuild(tmp_path: Path) -> None:
    done = run("make", "--versions", "2", "--count", "2", "--seed", "4", "--format", "json", "--out", "cs",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "cs" / "manifest.json").read_text())
    assert "spec" not in data
    v = data["versions"][1]
    done = run("make", "--rebuild", v["code"], "--manifest", "cs/manifest.json", "--out", "rb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "rb" / "quiz.json").read_bytes() == (tmp_path / "cs" / v["folder"] / "quiz.json").read_bytes()


@pytest.mark.parametrize("spec_text, args, needles", [
    # Every entry pins every value its kinds use: versions could not differ.
    ((ROOT / "examples" / "walkthrough.toml").read_text(), ["--versions", "2"],
     ["--spec w.toml: every problem is fixed", "sections 1–6"]),
    # 500 problems × 9 versions is over the cap, refused before any work.
    ('[[sections]]\nheading = "Many"\nkinds = ["evaluate"]\ncount = 500\n', ["--versions", "9"],
     ["--versions 9: 9 versions of 500 problems are 4,500 problems; a class set makes at most 4,000"]),
    # An entry that cannot be made different in every version: it names the entry's line.
    ('[[sections]]\nheading = "Few"\nkinds = ["evaluate"]\nfunction = "x^2+x+1"\ndifficulty = "easy"\n',
     ["--versions", "12"], ["--spec w.toml:1: section 1 ('Few'): versions: the pinned values allow only"]),
    # Two entries pinned to one problem.
    ('[[sections]]\nheading = "Free"\nkinds = ["difference"]\n\n'
     '[[sections]]\nheading = "Twice"\nkinds = ["evaluate"]\nfunction = "x^2+x+1"\npoint = 2\ncount = 2\n',
     ["--versions", "2"], ["--spec w.toml:10: section 2 ('Twice')", "too few different problems"]),
    ('[[sections]]\nheading = "Once"\nkinds = ["evaluate"]\nfunction = "x^2+x+1"\npoint = 2\n',
     ["--versions", "2"], ["--spec w.toml: every problem is fixed by its section's pinned values (section 1: "]),
    (SPEC, ["--versions", "2", "--count", "3"], ["--count cannot be combined with --spec"]),
    (SPEC, ["--versions", "2", "--kind", "evaluate"], ["--kind cannot be combined with --spec"]),
    (SPEC, ["--versions", "2", "--step", "0.1"], ["--step cannot be combined with --spec"]),
    (SPEC, ["--versions", "0"], ["--versions 0: choose 1 to 200"]),
    ("x" * 300_000, ["--versions", "2"], ["--spec w.toml: larger than 256 kB"]),
    ("[[sections]]\n" * 1001, ["--versions", "2"], ["--spec w.toml:1001: more than 1,000 tables"]),
])
def test_bad_spec_class_sets_one_line_exit_2_nothing_written(tmp_path: Path, spec_text: str, args: list[str],
                                                             needles: list[str]) -> None:
    (tmp_path / "w.toml").write_text(spec_text)
    done = run("make", "--spec", "w.toml", *args, "--format", "json", "--out", "o", cwd=tmp_path)
    one_line_exit_2(done, *needles)
    assert not (tmp_path / "o").exists()


def test_spec_from_a_device_or_with_rebuild(tmp_path: Path) -> None:
    one_line_exit_2(run("make", "--spec", "/dev/zero", "--versions", "2", "--out", "o", cwd=tmp_path),
                    "--spec /dev/zero: not a regular file")
    (tmp_path / "w.toml").write_text(SPEC)
    one_line_exit_2(run("make", "--spec", "w.toml", "--rebuild", "ABCDE", "--manifest", "m.json", "--out", "o",
                        cwd=tmp_path), "--spec cannot be combined with --rebuild")
    assert not (tmp_path / "o").exists()


def test_ctrl_c_then_the_same_command_resumes_a_spec_class_set(tmp_path: Path) -> None:
    (tmp_path / "w.toml").write_text(SPEC)
    args = [sys.executable, "-m", "quizgen", "make", "--spec", "w.toml", "--versions", "3", "--seed", "2",
            "--variants", "0", "--plots", "none", "--out", "out"]
    proc = subprocess.Popen(args, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    found: list[Path] = []
    while time.monotonic() < deadline and not found:  # until the first version's folder is whole
        found = [p for p in tmp_path.glob(".out.quizgen-new-*/*") if p.is_dir() and not p.name.endswith(".tmp")]
        time.sleep(0.05)
    assert found, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()
    again = subprocess.run(args, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "resuming: " in again.stderr
    assert sorted(os.listdir(tmp_path)) == [".out.quizgen-lock", "out", "w.toml"]
    text = pdf_text(tmp_path / "out" / "all-worksheets.pdf")
    assert text.count("Page 1 of") == 3 and text.count("Part B: One gradient step") == 3
