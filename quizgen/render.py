"""Jinja templates → HTML, WeasyPrint → PDF, and the output folder written as one unit (outdir.py)."""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from quizgen import __version__, lms, practice
from quizgen.mathtex import lhs_width, math_html, prose_html, step_widths
from quizgen.model import Math, Problem, Quiz
from quizgen.plots import Figures, figure_html, shows
from quizgen.workers import fork_pool, pause

if TYPE_CHECKING:
    import jinja2

PAPER = {"a4": "A4", "letter": "letter"}
# The exports for learning-management systems (quizgen/lms.py), written only when asked for.
LMS_FORMATS = tuple(lms.FILES)
FORMATS = ("html", "pdf", "json", "practice", *LMS_FORMATS)
DEFAULT_FORMATS = ("html", "pdf", "json", "practice")
# The files each format writes: the only names quizgen replaces in an existing --out.
FILES = {
    "html": ("worksheet.html", "key.html"),
    "pdf": ("worksheet.pdf", "key.pdf"),
    "json": ("quiz.json",),
    "practice": ("practice.html",),
    **{fmt: (name,) for fmt, name in lms.FILES.items()},
}
OUTPUT_NAMES = frozenset(name for names in FILES.values() for name in names)


def templates_dir() -> Path:
    """The shipped templates' folder (WeasyPrint's base URL for style.css)."""
    return Path(__file__).resolve().parent / "templates"


def _space(problem: Any, layout: str = "normal") -> Any:
    """A problem's working space (kinds.base, imported here: quizgen --help must not load sympy)."""
    from quizgen.kinds.base import working_space

    return working_space(problem.kind, problem.task, layout, len(problem.parts))


def environment(user_templates: Path | None = None) -> jinja2.Environment:
    """Jinja environment: user overrides first, then the shipped templates (datasette-style).

    The shipped templates' environment is made once per process (and inherited by forked workers),
    so a class set's versions compile each template once, not once per version; nothing changes it
    after it is made. An environment with user templates is new on every call.
    """
    if user_templates is None:
        return _shipped_environment()
    return _new_environment(user_templates)


@functools.lru_cache(maxsize=1)
def _shipped_environment() -> jinja2.Environment:
    return _new_environment(None)


def _new_environment(user_templates: Path | None) -> jinja2.Environment:
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(jinja2.PackageLoader("quizgen", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(m=math_html, lhs_width=lhs_width, step_widths=step_widths, text=Math, version=__version__, figure=figure_html, plots="key",
                       shows_picture=shows)
    # Working space by kind and degree (mm); html_to_pdf tightens it when a last page would hold one problem alone.
    env.globals.update(space=_space)
    env.filters["prose"] = prose_html
    env.globals["section_heading"] = section_heading
    return env


def render_html(
    quiz: Quiz,
    which: str,
    *,
    paper: str = "a4",
    env: jinja2.Environment | None = None,
    plots: str = "key",
    answer_bank: bool = False,
    layout: str = "normal",
) -> str:
    """worksheet.html or key.html as a string; `plots` is where pictures go (worksheet, key, none).

    `layout` "compact" sets the worksheet's short problems in two columns with less working space.
    """
    env = env or environment()
    labels = {"worksheet": "Worksheet", "key": "Answer key"}
    # The student's sheet shows only the version code: anyone holding the seed can rebuild the key.
    running = f"{labels[which]} · seed {quiz.seed} · version {quiz.version}" if which == "key" else (
        f"{labels[which]} · version {quiz.version}")
    bank = practice.answer_bank(quiz) if answer_bank and which == "worksheet" else []
    # Worksheets show only what a problem gives (full=False); keys show the whole picture.
    full = which == "key"
    with Figures(((p.plot, full) for p in quiz.problems if p.plot is not None and shows(p.plot, full, plots)),
                 prose_html) as figure:
        html = env.get_template(f"{which}.html").render(
            quiz=quiz, doc_label=labels[which], running_right=running, paper_size=PAPER[paper], plots=plots,
            bank=bank, figure=figure, layout=layout,
        )
        return figure.fill(html)


def render_practice(quiz: Quiz, env: jinja2.Environment | None = None,
                    pools: Sequence[Sequence[Problem | practice.Variant]] | None = None) -> str:
    """practice.html: answer boxes checked on the page by templates/checker.js, offline.

    `pools` holds each problem's other numbers for its "New numbers" button (generate.practice_pools),
    each dealt as the HTML of its question and worked solution with its key (practice.pool_json);
    None: no button.
    """
    env = env or environment()
    parts = env.get_template("practice_parts.html").module
    deals = [practice.deal(problem, pool, parts.question, parts.solution)  # type: ignore[attr-defined]
             for problem, pool in zip(quiz.problems, pools if pools is not None else [None] * len(quiz.problems))]
    return env.get_template("practice.html").render(
        quiz=quiz, hint=practice.answer_hint, checker_data=practice.checker_data(quiz),
        checker_config=practice.checker_config(), font_faces=font_faces_inline(), deals=deals,
        dealing=any(d.pool for d in deals), abbreviations=practice.abbreviations(),
    )


def render_variants(pool: Iterable[Problem], env: jinja2.Environment | None = None) -> tuple[practice.Variant, ...]:
    """A pool's problems rendered as render_practice deals them, once for every page that shares the pool."""
    env = env or environment()
    parts = env.get_template("practice_parts.html").module
    return tuple(practice.variant(p, parts.question, parts.solution) for p in pool)  # type: ignore[attr-defined]


def fonts_dir() -> Path:
    """STIX Two Text (Latin) and STIX Two Math, shipped under the SIL Open Font Licence."""
    return Path(__file__).resolve().parent / "fonts"


# The one family of every page, from the package's own files: a PDF looks the same on any
# machine. Browsers opening worksheet/key HTML use installed copies (see style.css's
# fallbacks); practice.html carries the same files inline (font_faces_inline).
FONT_FILES = (
    ("STIX Two Text", "normal", 400, "STIXTwoText-Regular.ttf"),
    ("STIX Two Text", "italic", 400, "STIXTwoText-Italic.ttf"),
    ("STIX Two Text", "normal", 700, "STIXTwoText-Bold.ttf"),
    ("STIX Two Text", "italic", 700, "STIXTwoText-BoldItalic.ttf"),
    ("STIX Two Math", "normal", 400, "STIXTwoMath-Regular.ttf"),
)
FONT_FACES = "".join(
    f'@font-face {{ font-family: "{family}"; font-style: {style}; font-weight: {weight}; src: url("{name}"); }}\n'
    for family, style, weight, name in FONT_FILES
)


@functools.lru_cache(maxsize=1)
def font_faces_inline() -> Markup:
    """The shipped fonts as @font-face rules with base64 data: URIs (about 520 kB), for the
    practice page: a browser opening it from disk then draws the same faces as the PDF."""
    rules = []
    for family, style, weight, name in FONT_FILES:
        data = base64.b64encode((fonts_dir() / name).read_bytes()).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{family}"; font-style: {style}; font-weight: {weight}; '
                     f'font-display: block; src: url("data:font/ttf;base64,{data}") format("truetype"); }}\n')
    return Markup("".join(rules))


def html_to_pdf(html: str) -> bytes:
    """One HTML document as a tagged PDF (PDF/UA structure, language and title from the HTML).

    The document is set from its print flavour (print_html: the same page with fewer boxes).
    WeasyPrint is imported only when a PDF is wanted.
    """
    import weasyprint

    fonts, faces, extra = _pdf_fonts()
    html = print_html(html)

    def render(text: str) -> Any:
        return weasyprint.HTML(string=text, base_url=str(templates_dir())).render(
            stylesheets=[faces, extra], font_config=fonts, pdf_tags=True)

    document = render(html)
    # No last page holding one problem that fits elsewhere: give every working space a little less
    # room (at most a quarter) until it moves back, else keep the first layout.
    if len(document.pages) > 1 and len(_problems_on(document.pages[-1])) == 1 and _WORK_HEIGHT.search(html):
        for scale in (0.92, 0.84, 0.76):
            tighter = render(_WORK_HEIGHT.sub(lambda m: f"{m.group(1)}{float(m.group(2)) * scale:.1f}mm", html))
            if len(tighter.pages) < len(document.pages):
                document = tighter
                break
        else:
            # It does not fit: the page before hands over its last problem, so no page holds one alone.
            before = _problems_on(document.pages[-2])
            if len(before) >= 3:
                moved = re.sub(f'(<li class="problem[^"]*" id="{before[-1]}")', r'\1 style="break-before: page"', html, count=1)
                balanced = render(moved)
                if len(balanced.pages) == len(document.pages) and len(_problems_on(balanced.pages[-1])) == 2:
                    document = balanced
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf


# The print flavour's rules (a user stylesheet: !important to win over the page's own rules).
# A flex row of one item lays it out as a block does (the item is blockified, alone on its line,
# no gap), and WeasyPrint lays a block out for less than a flex row.
PRINT_CSS = """
.mn { white-space: nowrap !important; }
.answer-lines.one, .answer-lines.one > .answer-line { display: block !important; }
"""


def _pdf_fonts() -> tuple[Any, Any, Any]:
    """A new FontConfiguration for one PDF, the shipped @font-face rules and PRINT_CSS.

    (Reusing one per process, warm, saved about 2 % of the CPU, within the noise:
    benchmarks/bench_pdf_cpu.py, measured and not kept.)
    """
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return (fonts, weasyprint.CSS(string=FONT_FACES, base_url=str(fonts_dir()) + "/", font_config=fonts),
            weasyprint.CSS(string=PRINT_CSS, font_config=fonts))


# ---------------------------------------------------------------- the print flavour
# WeasyPrint lays out every inline box on its own, again while it breaks lines (shared
# RENDERING.md): the PDF is set from a copy of the page without the boxes that change nothing on
# paper. The .html files keep their accessible markup; the PDF looks the same glyph for glyph
# (tests/test_print_flavour.py compares the pages' pixels and text).

# A formula's screen-reader label: WeasyPrint neither shows nor tags it.
_ARIA = re.compile(r'(<span class="m[^"]*"(?: style="[^"]*")?) role="math" aria-label="[^"]*"')
_SPAN = re.compile(r"<span\b[^>]*>|</span>")
# A derivation (key.html): a block of line divs, no div inside a line.
_LINES = re.compile(r'<div class="lines">(?:\s*<div style="[^"<>]*">(?:(?!<div|</div>).)*</div>)*\s*</div>', re.S)
_LINE = re.compile(r'(<div style="[^"<>]*">)((?:(?!<div|</div>).)*)(</div>)', re.S)
_ANSWER_LINES = re.compile(r'<div class="answer-lines"><span class="answer-line">')
# A no-break span holding one formula and nothing else. (Not one that also holds the punctuation
# after the formula: WeasyPrint then fits a full line differently, measured.)
_NW_M = re.compile(r'<span class="nw"><span class="m">')


def _close(html: str, start: int) -> tuple[int, int]:
    """(start, end) of the </span> closing the span whose opening tag ends at `start`."""
    depth = 1
    for tag in _SPAN.finditer(html, start):
        depth += -1 if tag.group().startswith("</") else 1
        if depth == 0:
            return tag.start(), tag.end()
    raise ValueError("unbalanced <span> in the page")


def _unwrap_line(match: re.Match[str]) -> str:
    """A derivation line without the span around each formula of its right-hand side: the line is
    already in the math face and its formulas wrap like it (.lines > div > .m)."""
    body, out, at = match.group(2), [], 0
    for tag in _SPAN.finditer(body):
        if tag.start() < at:
            continue
        if tag.group().startswith("</"):
            return match.group()  # not our markup: unchanged
        end = _close(body, tag.end())
        if tag.group() == '<span class="m">':
            out += [body[at:tag.start()], body[tag.end():end[0]]]
        else:
            out.append(body[at:end[1]])
        at = end[1]
    out.append(body[at:])
    return match.group(1) + "".join(out) + match.group(3)


def print_html(html: str) -> str:
    """The page as WeasyPrint sets it for the PDF: the same glyphs in the same places, fewer boxes.

    * a formula's role and aria-label go (they are for screen readers, in the .html files);
    * a derivation line's right-hand side is its text: the span around it changed nothing;
    * a no-break span around one formula becomes the formula's own span with class ``mn``
      (no-break, PRINT_CSS);
    * a worksheet's row of answer lines that holds one line is a block, not a flex row (class ``one``).

    Markup that is not quizgen's own is left as it is. The rewrite assumes the shipped
    stylesheet's rules for .nw, .lines and .answer-lines: a page from user templates that style
    them otherwise (render.environment(user_templates), not reachable from the command line)
    should be typeset without it.
    """
    try:
        return _print_html(html)
    except ValueError:  # unbalanced spans: not ours to rewrite
        return html


def _print_html(html: str) -> str:
    html = _ARIA.sub(r"\1", html)
    html = _LINES.sub(lambda block: _LINE.sub(_unwrap_line, block.group()), html)
    out, at = [], 0
    for wrap in _NW_M.finditer(html):
        if wrap.start() < at:
            continue
        end = _close(html, wrap.end())[1]  # after the formula's </span>
        if not html.startswith("</span>", end):  # the wrapper holds more than the formula
            continue
        out += [html[at:wrap.start()], '<span class="m mn">', html[wrap.end():end]]
        at = end + len("</span>")
    out.append(html[at:])
    html = "".join(out)
    out, at = [], 0
    for row in _ANSWER_LINES.finditer(html):
        if html.startswith("</div>", _close(html, row.end())[1]):  # one answer line in the row
            out += [html[at:row.start()], '<div class="answer-lines one">']
            at = row.start() + len('<div class="answer-lines">')
    out.append(html[at:])
    return "".join(out)


# A worksheet's working space: <div class="work …" style="height: 24mm">.
_WORK_HEIGHT = re.compile(r'(<div class="work [^"]*" style="height: )([0-9.]+)mm')


def _problems_on(page: Any) -> list[str]:
    """The ids of the problems (li#p1, li#p2, …) with a box on one laid-out page."""
    ids: list[str] = []
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) == "li":
            name = element.get("id") or ""
            if name.startswith("p") and name not in ids:
                ids.append(name)
    return ids


def _import_weasyprint() -> None:
    import weasyprint  # noqa: F401


@contextmanager
def pdf_workers(wanted: bool) -> Iterator[Any]:
    """Two forked WeasyPrint workers, started before the HTML is typeset, or None.

    WeasyPrint is single-threaded; the key costs about four times the worksheet. Forked
    first, the workers are ready when the pages are; the worksheet's PDF is made while the
    key's HTML is still being written. They import WeasyPrint unless this process has
    (build_files imports it first, so they inherit it).
    """
    pool = fork_pool(2, initializer=_import_weasyprint) if wanted and (os.cpu_count() or 1) >= 2 else None
    if pool is None:
        yield None
        return
    pause("pdf-workers")
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def quiz_data(quiz: Quiz, env: jinja2.Environment | None = None) -> dict[str, Any]:
    """quiz.json's content: Quiz.to_json with each problem's question as text and HTML
    (``prompt``, ``prompt_html``, ``prompt_tex``), as quiz.schema.json describes it."""
    env = env or environment()
    data = quiz.to_json()
    entries = []
    for problem, entry in zip(quiz.problems, data["problems"]):
        # The question comes right after the problem's identity (number, kind, seed).
        head = {k: entry.pop(k) for k in ("number", "kind", "seed") if k in entry}
        entries.append({**head, **prompt_forms(problem, env), **entry})
    data["problems"] = entries
    if os.environ.get("QUIZGEN_CHECK_SCHEMA"):  # set by the tests: every quiz.json made is validated
        validate_quiz(data)
    return data


def quiz_schema() -> dict[str, Any]:
    """quizgen/quiz.schema.json, the JSON Schema (draft 2020-12) of quiz.json."""
    schema: dict[str, Any] = json.loads((Path(__file__).resolve().parent / "quiz.schema.json").read_text(encoding="utf-8"))
    return schema


def validate_quiz(data: Any) -> None:
    """jsonschema.ValidationError unless `data` follows quiz.schema.json (jsonschema: the test extra)."""
    import jsonschema

    jsonschema.Draft202012Validator(quiz_schema(), format_checker=jsonschema.FormatChecker()).validate(data)


def quiz_json(quiz: Quiz, env: jinja2.Environment | None = None) -> str:
    """quiz.json text: stable key order, so the same seed gives the same bytes."""
    return json.dumps(quiz_data(quiz, env), indent=2, ensure_ascii=False) + "\n"


# Each problem's other numbers for practice.html (generate.practice_pools with the --variants count).
# A pool may hold problems already rendered (practice.Variant, render_variants): a class set's, shared by its versions.
Pools = Callable[[Quiz], Sequence[Sequence[Problem | practice.Variant]]]


def build_files(
    quiz: Quiz, formats: Iterable[str], *, paper: str = "a4", plots: str = "key", answer_bank: bool = False,
    layout: str = "normal", pools: Pools | None = None, drawer: Any = None,
) -> dict[str, bytes]:
    """Every output file's bytes, in memory, before anything touches the disk.

    The critical path is the key: its pictures (matplotlib, in a worker), its HTML, then its PDF
    (about four times the worksheet's). So the key's pictures are started first (in `drawer`, a
    worker plots.drawer() forked before the quiz was generated, else in a new one); while they
    are drawn this process imports WeasyPrint once and forks the two PDF workers, which inherit it
    (an import in each worker costs ~0.4 s of CPU on the cores the pictures need); then the key's
    HTML and PDF go first if its pictures are ready, else the worksheet's while they are drawn. practice.html (with its pools, drawn
    here) and the LMS files are made while the PDF workers typeset.
    """
    formats = set(formats)
    files: dict[str, bytes] = {}
    env = environment()
    pages: dict[str, str] = {}
    typeset = bool(formats & {"html", "pdf"})
    pictures = [(p.plot, True) for p in quiz.problems if p.plot is not None and shows(p.plot, True, plots)] if typeset else []
    with Figures(pictures, prose_html, pool=drawer) as ahead:
        if "pdf" in formats:
            _import_weasyprint()
        with pdf_workers("pdf" in formats) as pool:
            pending = {}
            if typeset:
                # The key's PDF is the longer one: it starts first when its pictures are already drawn,
                # else the worksheet is written while they are.
                for which in ("key", "worksheet") if ahead.ready() else ("worksheet", "key"):
                    if which == "key":
                        ahead.fill("")  # the key's pictures, ready for render_html
                    pages[which] = render_html(quiz, which, paper=paper, env=env, plots=plots,
                                               answer_bank=answer_bank, layout=layout)
                    if pool is not None and "pdf" in formats:
                        pending[which] = pool.apply_async(html_to_pdf, (pages[which],))
            if "html" in formats:
                for which, html in pages.items():
                    files[f"{which}.html"] = html.encode()
            if "json" in formats:
                files["quiz.json"] = quiz_json(quiz, env).encode()
            if "practice" in formats:
                files["practice.html"] = render_practice(quiz, env, pools(quiz) if pools is not None else None).encode()
            wanted = [fmt for fmt in LMS_FORMATS if fmt in formats]
            if wanted:  # built from quiz.json's data, as `quizgen export` builds them from the file
                data = json.loads(quiz_json(quiz))
                for fmt in wanted:
                    files[lms.FILES[fmt]] = lms.export_bytes(fmt, [data])
            if "pdf" in formats:
                for which, html in pages.items():
                    files[f"{which}.pdf"] = pending[which].get() if which in pending else html_to_pdf(html)
    order = [name for names in FILES.values() for name in names]
    return {name: files[name] for name in sorted(files, key=order.index)}


def check_out(out_dir: Path) -> Path:
    """Before any work: an InputError unless `out_dir` can take a run's files (see outdir.py)."""
    from quizgen import outdir

    return outdir.check_out(out_dir, OUTPUT_NAMES)


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Replace the folder `out_dir` by one holding exactly `files`, as one unit (see outdir.py).

    A reader of out_dir finds the previous run's complete set or this one's, never a mix;
    a folder holding files quizgen does not write is refused (InputError), unchanged.
    """
    from quizgen import outdir

    return outdir.write_folder(out_dir, files, OUTPUT_NAMES)


def section_heading(n: int, heading: str) -> Markup:
    """``Part B: A small step``: sections are lettered, so a heading never reads as problem 2.

    A number the spec put in front of its heading ("2. A small step") is dropped for the letter;
    the heading's variables are set in the math face like every other sentence (the letter not).
    """
    letter = chr(ord("A") + n - 1) if 1 <= n <= 26 else str(n)
    words = re.sub(r"^\s*[0-9]+[.):]\s*", "", heading)
    return escape(f"Part {letter}: ") + prose_html(words)


def _prompt_env(env: jinja2.Environment, math: Any) -> jinja2.Environment:
    """env with every formula written by `math` (Math → str) instead of as HTML."""
    overlay = env.overlay()
    overlay.globals = dict(env.globals, m=lambda m, *args, **kw: Markup(escape(math(m))))
    return overlay


_TAGS = re.compile(r"<[^>]*>")


def _as_text(html: str) -> str:
    """Rendered prompt HTML as one line of plain text: no tags, no entities, single spaces."""
    import html as html_lib

    return " ".join(html_lib.unescape(_TAGS.sub("", html)).split())


def prompt_forms(problem: Any, env: jinja2.Environment | None = None) -> dict[str, str]:
    """A problem's question three ways, all from its kind's template (templates/kinds/<kind>.html),
    so a kind added later has them with no more work:

    * ``prompt``: plain Unicode text, math as its text (``Let f(x) = 3x² − 4x + 5. Find f(2).``);
    * ``prompt_html``: the worksheet's HTML of the question (math as quizgen's HTML, which
      templates/math.css lays out);
    * ``prompt_tex``: plain text with each formula as LaTeX in ``\\( … \\)`` (an LMS's MathJax).
    """
    env = env or environment()
    as_html, as_text, as_tex = _prompt_templates(env)
    html = " ".join(as_html.render(p=problem).split())
    text = _as_text(as_text.render(p=problem))
    tex = _as_text(as_tex.render(p=problem))
    return {"prompt": text, "prompt_html": html, "prompt_tex": tex}


def _prompt_templates(env: jinja2.Environment) -> tuple[jinja2.Template, jinja2.Template, jinja2.Template]:
    """The prompt macro as a template writing formulas as HTML, as text and as LaTeX: compiled once per
    environment (kept on it), with the two overlays' own template caches (compiling them for every
    problem was most of quiz.json's time)."""
    made: tuple[jinja2.Template, jinja2.Template, jinja2.Template] | None = getattr(env, "_quizgen_prompts", None)
    if made is None:
        source = "{% from 'macros.html' import prompt %}{{ prompt(p) }}"
        made = (env.from_string(source), _prompt_env(env, lambda m: m.text).from_string(source),
                _prompt_env(env, lambda m: f"\\({m.latex}\\)").from_string(source))
        setattr(env, "_quizgen_prompts", made)
    return made


def prompt_text(problem: Any) -> str:
    """A problem's prompt as plain text (the kind's template with math written as text)."""
    return prompt_forms(problem)["prompt"]
