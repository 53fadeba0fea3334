"""One check of `quizgen make`'s options (quizgen/makeoptions.py) for the command line and a class set's
manifest (--rebuild), one rule for unprintable text (quizgen/usertext.py) for titles and rosters, and the
cap on the size of a class set (issue 9's open items)."""

from __future__ import annotations

import json
import os
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from conftest import one_line_exit_2, tampered
from conftest import quizgen_run as run
from quizgen.errors import InputError
from quizgen.makeoptions import MAX_CLASS_PROBLEMS, MAX_VERSIONS, check_class_size, check_options
from quizgen.roster import read_roster
from quizgen.usertext import page_text

ROOT = Path(__file__).resolve().parent.parent



# ---------------------------------------------------------------- one rule for text on the pages

# Every character the roster refused before this change, and every one titles refused: one list now.
REFUSED = ["\x1b", "\x00", "\x7f", "\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c",
           "\u2028", "\u2029", "\ud800"]


@pytest.mark.parametrize("ch", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_titles_and_roster_names_refuse_the_same_characters(tmp_path: Path, ch: str) -> None:
    """Was: the roster refused U+200E/U+200F/U+061C (direction marks), titles printed them."""
    with pytest.raises(InputError, match=f"U\\+{ord(ch):04X}"):
        page_text(f"Quiz{ch}3", "title")
    if unicodedata.category(ch) == "Cs":
        return  # not in a file: its UTF-8 bytes are not UTF-8, and read as Windows-1252 they are three letters
    path = tmp_path / "class.csv"
    path.write_text(f"name\nAda{ch}Lovelace\n", encoding="utf-8")
    # U+2028 was a line end to the roster reader: "Ada" and "Lovelace" became two students.
    with pytest.raises(InputError, match=f"U\\+{ord(ch):04X}|NUL bytes"):
        read_roster(path)


@pytest.mark.parametrize("text", ["Zoë Ñúñez", "محمد علي", "שרה כהן", "李小龍", "Ada\u00a0Lovelace", "O'Brien-Smith"])
def test_ordinary_names_in_any_script_print(tmp_path: Path, text: str) -> None:
    assert page_text(text, "title") == text
    path = tmp_path / "class.csv"
    path.write_text(f"name\n{text}\n", encoding="utf-8")
    assert read_roster(path)[0][0].name == text


# ---------------------------------------------------------------- one options check


def test_check_options_fills_defaults_and_refuses_by_key() -> None:
    checked = check_options({})
    assert checked["degree"] == 2 and checked["paper"] == "a4" and checked["answer_bank"] is False
    assert checked["title"] == "Derivatives from first principles"
    for values, field in [({"count": 0}, "count"), ({"count": True}, "count"), ({"degree": 5}, "degree"),
                          ({"kinds": ["nope"]}, "kinds"), ({"kinds": []}, "kinds"), ({"formats": ["docx"]}, "formats"),
                          ({"paper": "a0"}, "paper"), ({"layout": "tight"}, "layout"), ({"plots": "all"}, "plots"),
                          ({"difficulty": "insane"}, "difficulty"), ({"title": "  "}, "title"),
                          ({"title": "a\u202eb"}, "title"), ({"answer_bank": 1}, "answer_bank"),
                          ({"point": 2}, "point"), ({"colour": "red"}, "colour")]:
        with pytest.raises(InputError) as caught:
            check_options(values)
        assert caught.value.field == field, (values, caught.value)


def test_class_size_cap() -> None:
    check_class_size(MAX_VERSIONS, MAX_CLASS_PROBLEMS // MAX_VERSIONS)
    check_class_size(30, None)  # the default 20 problems
    for versions, count in [(0, 5), (MAX_VERSIONS + 1, 1), (MAX_VERSIONS, 500), (30, 200), (201, None)]:
        with pytest.raises(InputError) as caught:
            check_class_size(versions, count)
        assert caught.value.field == "versions"


def test_an_unknown_manifest_option_is_an_error_naming_file_and_key(json_set: Path) -> None:
    """Was: a key quizgen does not know (a typo, or a newer quizgen's option) was ignored, exit 0."""
    code = json.loads((json_set / "cs" / "manifest.json").read_text())["versions"][0]["code"]
    done = run("make", "--rebuild", code, "--manifest",
               tampered(json_set, "m-colour.json", lambda m: m["options"].update(colour="red")),
               "--out", "rb-colour", cwd=json_set)
    one_line_exit_2(done, "--manifest cs/m-colour.json: options.colour: is not an option of quizgen make")
    assert not (json_set / "rb-colour").exists()


def test_the_command_line_and_the_manifest_refuse_a_title_alike(json_set: Path) -> None:
    """One check serves both: the same title is refused by --title and by a manifest, for the same reason."""
    title = "Quiz \u200f3"
    cli = run("make", "--versions", "2", "--count", "3", "--title", title, "--format", "json", "--out", "t1",
              cwd=json_set)
    one_line_exit_2(cli, "--title: character 6 is U+200F")
    code = json.loads((json_set / "cs" / "manifest.json").read_text())["versions"][0]["code"]
    rebuilt = run("make", "--rebuild", code, "--manifest",
                  tampered(json_set, "m-title.json", lambda m: m["options"].update(title=title)),
                  "--out", "t2", cwd=json_set)
    one_line_exit_2(rebuilt, "options.title: character 6 is U+200F")
    def reason(done: subprocess.CompletedProcess[str]) -> str:
        return done.stderr.split("U+200F", 1)[1].split(" (see:")[0].strip()
    assert reason(cli) == reason(rebuilt)
    assert not (json_set / "t1").exists() and not (json_set / "t2").exists()


def test_a_manifest_over_the_class_size_cap_is_refused(json_set: Path) -> None:
    data = json.loads((json_set / "cs" / "manifest.json").read_text())
    code = data["versions"][0]["code"]

    def grow(m: dict[str, Any]) -> None:
        m["options"]["count"] = 500
        m["versions"] = m["versions"] * (MAX_CLASS_PROBLEMS // 500 // 2 + 1)  # 10 entries × 500 problems

    done = run("make", "--rebuild", code, "--manifest", tampered(json_set, "m-big.json", grow), "--out", "big",
               cwd=json_set)
    one_line_exit_2(done, "m-big.json: versions: ", f"at most {MAX_CLASS_PROBLEMS:,}")
    assert not (json_set / "big").exists()


@pytest.mark.parametrize("args", [
    ["--versions", "200", "--count", "500"],
    ["--versions", "30", "--count", "200"],
    ["--versions", "9" * 5000],
    ["--versions", "-3"],
])
def test_class_sets_over_the_cap_are_refused_before_any_work(tmp_path: Path, args: list[str]) -> None:
    """Was: 200 versions × 500 problems was accepted and ran for hours."""
    done = run("make", *args, "--out", "big", cwd=tmp_path)
    one_line_exit_2(done, "--versions")
    assert os.listdir(tmp_path) == []


def test_a_roster_over_the_cap_is_refused_naming_the_roster(tmp_path: Path) -> None:
    (tmp_path / "class.csv").write_text("name\n" + "".join(f"Student {i}\n" for i in range(30)))
    done = run("make", "--roster", "class.csv", "--count", "200", "--out", "big", cwd=tmp_path)
    one_line_exit_2(done, "--roster class.csv: 30 versions of 200 problems are 6,000 problems")
    assert sorted(os.listdir(tmp_path)) == ["class.csv"]


def test_unicode_names_are_named() -> None:
    """The error names the character by its Unicode name (so a teacher can find it in the file)."""
    with pytest.raises(InputError, match=unicodedata.name("\u200f")):
        page_text("a\u200fb", "title")


def test_a_spec_that_pins_every_value_cannot_make_a_class_set(tmp_path: Path) -> None:
    """A spec makes a class set (tests/test_classset_spec.py), but not one whose every problem is
    pinned (the walkthrough's): all versions would be the same sheet."""
    done = run("make", "--spec", str(ROOT / "examples" / "walkthrough.toml"), "--versions", "2", "--out", "o",
               cwd=tmp_path)
    one_line_exit_2(done, "every problem is fixed by its section's pinned values", "all 2 versions would be the same")
    assert os.listdir(tmp_path) == []
