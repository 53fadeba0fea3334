"""The command line: options → one library call → files → a one-line message.

Only light modules are imported here: sympy, Jinja, WeasyPrint, lark and matplotlib
are imported inside the commands that use them, so `quizgen --help` starts fast
(benchmarks/startup.py; tests/test_startup.py checks what --help imports).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import click

from quizgen import __version__
from quizgen.errors import InputError, QuizgenError, clip
from quizgen.levels import DEFAULT_LEVEL, LEVELS
from quizgen.makeoptions import LAYOUTS, MAX_CLASS_PROBLEMS, MAX_VERSIONS, STYLES, check_options
from quizgen.model import DEFAULT_COUNT, DEFAULT_VARIANTS, MAX_COUNT, MAX_PAGE_VARIANTS, MAX_VARIANTS
from quizgen.plots import PLACES
from quizgen.render import DEFAULT_FORMATS, FORMATS, PAPER


class ClippedChoice(click.Choice):  # type: ignore[type-arg]
    """click.Choice that echoes a long wrong value clipped (click repeats it whole: 100 kB on one line)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and len(value) > 40:
            choices = ", ".join(repr(c) for c in self.choices)
            self.fail(f"{clip(value, 40)!r} is not one of {choices}.", param, ctx)
        return super().convert(value, param, ctx)


class KindChoice(ClippedChoice):
    """click.Choice over the kind ids, read on first use: the kinds import sympy."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from quizgen.kinds import KINDS

        return tuple(KINDS)

    @choices.setter
    def choices(self, value: Any) -> None:  # click.Choice.__init__ assigns; the registry decides
        pass


class OneLineErrors(click.Group):
    """A group whose usage errors are one line on stderr (exit 2), not a usage banner."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            cmd = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
            click.echo(f"Error: {exc.format_message()}{cmd}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:  # Ctrl-C (click turns KeyboardInterrupt into Abort)
            click.echo("interrupted: nothing written (the output folder is as it was)", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quizgen")
def main() -> None:
    """Verified practice on derivatives from first principles.

    \b
    Examples:
      quizgen make --count 20
      quizgen make --function "3x^2-4x+5" --point 2 --step 0.001
      quizgen kinds
    """


class BoundedInt(click.IntRange):
    """click.IntRange that refuses a long text before int() reads it: int() refuses 4300 digits or more,
    and click would echo the whole value back (5,000 digits on one line)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and len(value.strip()) > 20:
            low, high = self.min, self.max
            span = f" from {low} to {high}" if low is not None and high is not None else ""
            self.fail(f"{clip(value.strip(), 24)!r} is too long: give a whole number{span}", param, ctx)
        return super().convert(value, param, ctx)


def practice_pools(n: int) -> Any:
    """build_files' pools: each problem's n other numbers (generate.practice_pools), None for 0."""
    if n == 0:
        return None
    from quizgen.generate import practice_pools as pools

    return lambda quiz: pools(quiz, n)


class WholeNumber(BoundedInt):
    """A whole number whose range the library checks (makeoptions.check_class_size), long text refused."""

    name = "integer"


# The flag that sets each library field (InputError.field); the others are --FIELD.
_FLAGS = {"kinds": "--kind", "formats": "--format", "answer_bank": "--answer-bank"}


def _usage_error(exc: InputError) -> click.UsageError:
    """The library's error with the field named as the command line spells it (--point, --kind, --spec)."""
    flag = _FLAGS.get(exc.field, f"--{exc.field}") if exc.field else None
    return click.UsageError(exc.describe(flag))


def _formats(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    chosen: list[str] = []
    for item in value:
        for part in item.split(","):
            part = part.strip().lower()
            if part not in FORMATS:
                raise click.BadParameter(f"{clip(part, 40)!r} is not one of {', '.join(FORMATS)}", ctx, param)
            chosen.append(part)
    return tuple(dict.fromkeys(chosen)) or DEFAULT_FORMATS


def _kinds(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """--kind repeated or comma-separated (like --format), each id checked against the registry."""
    choice = KindChoice()
    return tuple(choice.convert(part.strip(), param, ctx) for item in value for part in item.split(","))


@main.command()
@click.option("--count", "-n", type=BoundedInt(1, MAX_COUNT), default=None,
              help=f"Number of problems (1–{MAX_COUNT}) [default: {DEFAULT_COUNT}, fewer if pinned values allow fewer].")
@click.option("--kind", "-k", "kinds", multiple=True, callback=_kinds, metavar="ID",
              help="Problem kind (ids: quizgen kinds); comma-separated or repeated for several "
                   "[default: the 14 walkthrough kinds, in walkthrough order].")
@click.option("--seed", type=BoundedInt(0, 2**63 - 1), default=None,
              help="Seed for a reproducible set [default: random; always printed].")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Folder for the output files.")
@click.option("--format", "-f", "formats", multiple=True, callback=_formats,
              help="Outputs: html, pdf, json, practice, and the LMS exports moodle (moodle.xml), qti "
                   "(canvas-qti.zip), gift (quiz.gift); comma-separated or repeated "
                   "[default: html, pdf, json, practice].")
@click.option("--function", "function", metavar="POLY", help='Pin f, e.g. "3x^2-4x+5" (degree 2–4, polynomial in x; gradient-step reads it as its loss L(w)).')
@click.option("--point", metavar="A", help="Pin the point a, e.g. 2 or -1/2 (the start w₀ for gradient-step).")
@click.option("--step", metavar="H", help="Pin the step h, e.g. 0.001 or 1/2 (decimals give decimal answers).")
@click.option("--rate", metavar="ETA", help="Pin the learning rate η of gradient-step, e.g. 0.1 or 1/4 (0 < η ≤ 1).")
@click.option("--degree", type=BoundedInt(2, 4), default=2, show_default=True, help="Degree of random polynomials.")
@click.option("--paper", type=ClippedChoice(list(PAPER)), default="a4", show_default=True, help="Paper size.")
@click.option("--layout", type=ClippedChoice(list(LAYOUTS)), default="normal", show_default=True,
              help="Worksheet layout: compact sets short problems in two columns with less working space.")
@click.option("--title", default="Derivatives from first principles", show_default=True,
              help="Title on every page: one line of printable text, up to 200 characters.")
@click.option("--difficulty", type=ClippedChoice(list(LEVELS)), default=DEFAULT_LEVEL, show_default=True,
              help="Ranges of coefficients, points and steps (see docs/difficulty.md).")
@click.option("--plots", type=ClippedChoice(list(PLACES)), default="key", show_default=True,
              help="Pictures (graph with secants and tangent, loss curve): in the key, also on the worksheet, or none.")
@click.option("--style", type=ClippedChoice(list(STYLES)), default="open", show_default=True,
              help="open: answers written out; mc: multiple choice, options A–E from typical mistakes (key says why each is wrong).")
@click.option("--answer-bank", is_flag=True,
              help="End the worksheet with a shuffled bank of all answers, for checking on paper.")
@click.option("--variants", type=BoundedInt(0, MAX_VARIANTS), default=DEFAULT_VARIANTS, show_default=True, metavar="N",
              help=f"practice.html: other numbers per problem for its \"New numbers\" button (0 to {MAX_VARIANTS}; 0: no "
                   f"button; at most {MAX_PAGE_VARIANTS:,} on a page, so large sets get fewer each).")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A worksheet spec (TOML): title, instructions and headed sections of problems; with "
                   "--versions/--roster, a version of it per student.")
@click.option("--versions", type=WholeNumber(min=None, max=None), default=None, metavar="N",
              help=f"A class set: N versions of the quiz, fair and all different, each in its own folder "
                   f"(1–{MAX_VERSIONS}; at most {MAX_CLASS_PROBLEMS:,} problems in all).")
@click.option("--roster", "roster_path", type=click.Path(path_type=Path), default=None, metavar="CSV",
              help="A class set with one version per student of this CSV (header: name, or first,last; optional id).")
@click.option("--rebuild", metavar="CODE", default=None,
              help="Make version CODE of a class set again, from its --manifest (into --out).")
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="A class set's manifest.json (with --rebuild).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar (it shows only on a terminal anyway).")
@click.pass_context
def make(ctx: click.Context, count: int | None, kinds: tuple[str, ...], seed: int | None, out: Path,
         formats: tuple[str, ...], function: str | None, point: str | None, step: str | None, rate: str | None,
         degree: int, paper: str, layout: str, title: str, difficulty: str, plots: str, style: str, answer_bank: bool,
         variants: int, spec_path: Path | None, versions: int | None, roster_path: Path | None, rebuild: str | None,
         manifest_path: Path | None, quiet: bool) -> None:
    """Make a worksheet and answer key (HTML, PDF) and quiz.json.

    Every answer is computed exactly with sympy and checked a second,
    independent way; if the two ever disagree nothing is written.

    \b
    Examples:
      quizgen make --count 20
      quizgen make --kind limit-definition --kind derivative-at --degree 3
      quizgen make --function "3x^2-4x+5" --point 2 --step 0.001 --out walkthrough
      quizgen make --seed 42 --format pdf --paper letter --title "Quiz 3"
      quizgen make --count 20 --layout compact
      quizgen make --answer-bank --format practice,pdf
      quizgen make --style mc --count 10
      quizgen make --difficulty hard --degree 3 --plots worksheet
      quizgen make --spec examples/walkthrough.toml --out walkthrough
      quizgen make --roster class.csv --seed 7 --out friday
      quizgen make --versions 4 --count 10 --out quiz3
      quizgen make --spec examples/backprop.toml --versions 30 --out neurons
      quizgen make --rebuild K7M2Q --manifest friday/manifest.json --out k7m2q
    """
    # One check of every option, shared with a class set's manifest (quizgen/makeoptions.py).
    try:
        title = check_options({"count": count, "kinds": list(kinds) or None, "degree": degree, "function": function,
                               "point": point, "step": step, "rate": rate, "title": title,
                               "difficulty": difficulty, "formats": list(formats), "paper": paper,
                               "layout": layout, "plots": plots, "answer_bank": answer_bank,
                               "variants": variants, "style": style})["title"]
    except InputError as exc:
        raise _usage_error(exc) from None
    if versions is not None or roster_path is not None or rebuild is not None or manifest_path is not None:
        _make_class(ctx, versions=versions, roster_path=roster_path, rebuild=rebuild, manifest_path=manifest_path,
                    quiet=quiet, count=count, kinds=kinds, seed=seed, out=out, formats=formats, function=function,
                    point=point, step=step, rate=rate, degree=degree, paper=paper, layout=layout, title=title,
                    difficulty=difficulty, plots=plots, answer_bank=answer_bank, variants=variants,
                    spec_path=spec_path, style=style)
        return
    from quizgen.plots import PICTURE_KINDS, drawer

    # The key's pictures are on the way to its PDF: a worker forked first imports matplotlib while
    # this process imports sympy, Jinja and WeasyPrint and generates (no kind given: the default set has pictures).
    pictures = (plots != "none" and bool({"html", "pdf"} & set(formats)) and spec_path is None
                and (not kinds or bool(PICTURE_KINDS & set(kinds))))
    with drawer(pictures) as pool:
        _make_one(ctx, pool, count=count, kinds=kinds, seed=seed, out=out, formats=formats, function=function,
                  point=point, step=step, rate=rate, degree=degree, paper=paper, layout=layout, title=title,
                  difficulty=difficulty, plots=plots, answer_bank=answer_bank, variants=variants, spec_path=spec_path,
                  style=style)


def _make_one(ctx: click.Context, drawing: Any, *, count: int | None, kinds: tuple[str, ...], seed: int | None,
              out: Path, formats: tuple[str, ...], function: str | None, point: str | None, step: str | None,
              rate: str | None, degree: int, paper: str, layout: str, title: str, difficulty: str, plots: str,
              answer_bank: bool, variants: int, spec_path: Path | None, style: str = "open") -> None:
    """One set (not a class set): generate, build every file, write the folder as one unit."""
    from quizgen.generate import Options, make_quiz
    from quizgen.kinds import DEFAULT_KINDS
    from quizgen.render import build_files, check_out, write_files

    given = ctx.get_parameter_source
    try:
        if spec_path is not None:
            from quizgen.spec import load_spec, make_spec_quiz

            clash = [name for name in ("count", "kinds", "function", "point", "step", "rate")
                     if given(name) is not click.core.ParameterSource.DEFAULT]
            if clash:
                flag = _FLAGS.get(clash[0], f"--{clash[0]}")
                raise click.UsageError(f"{flag} cannot be combined with --spec: the spec's sections set it")
            spec = load_spec(spec_path, difficulty=difficulty, degree=degree)
            seed = seed if seed is not None else spec.seed
            seed = random.SystemRandom().randrange(1, 1_000_000) if seed is None else seed
            explicit_title = given("title") is not click.core.ParameterSource.DEFAULT
            quiz = make_spec_quiz(spec, spec_path, seed, title if explicit_title else None, style)
        else:
            seed = random.SystemRandom().randrange(1, 1_000_000) if seed is None else seed
            options = Options(count=count, kinds=kinds or DEFAULT_KINDS, degree=degree, function=function,
                              point=point, step=step, rate=rate, title=title, difficulty=difficulty, style=style)
            quiz = make_quiz(options, seed)
        check_out(out)  # before the slow part; write_files checks again under its lock
        files = build_files(quiz, formats, paper=paper, plots=plots, answer_bank=answer_bank, layout=layout,
                            pools=practice_pools(variants), drawer=drawing)
        write_files(out, files)
    except InputError as exc:
        raise _usage_error(exc) from None
    except QuizgenError as exc:
        raise click.ClickException(f"seed {seed}: {exc}") from None
    click.echo(f"seed {seed} · version {quiz.version} · {len(quiz.problems)} problem{'s' if len(quiz.problems) != 1 else ''} → {out}/ ({', '.join(sorted(files))})")


def _make_class(ctx: click.Context, *, versions: int | None, roster_path: Path | None, rebuild: str | None,
                manifest_path: Path | None, quiet: bool, count: int | None, kinds: tuple[str, ...], seed: int | None,
                out: Path, formats: tuple[str, ...], function: str | None, point: str | None, step: str | None,
                rate: str | None, degree: int, paper: str, layout: str, title: str, difficulty: str, plots: str, answer_bank: bool,
                variants: int, spec_path: Path | None, style: str = "open") -> None:
    """quizgen make --versions N | --roster CSV | --rebuild CODE --manifest FILE (quizgen/classset.py)."""
    from quizgen.makeoptions import check_class_size

    given = ctx.get_parameter_source
    default = click.core.ParameterSource.DEFAULT
    if rebuild is not None or manifest_path is not None:
        if spec_path is not None:
            raise click.UsageError("--spec cannot be combined with --rebuild: the manifest records the spec")
        if versions is not None or roster_path is not None:
            raise click.UsageError("--rebuild makes one version of an existing class set: leave out "
                                   + ("--versions" if versions is not None else "--roster"))
        if rebuild is None or manifest_path is None:
            raise click.UsageError("--rebuild CODE and --manifest FILE go together")
        clash = [name for name in ("count", "kinds", "seed", "formats", "function", "point", "step", "rate", "degree",
                                   "paper", "layout", "title", "difficulty", "plots", "answer_bank", "variants")
                 if given(name) is not default]
        if clash:
            flag = {"kinds": "--kind", "formats": "--format", "answer_bank": "--answer-bank"}.get(clash[0],
                                                                                            f"--{clash[0]}")
            raise click.UsageError(f"{flag} cannot be combined with --rebuild: the manifest records the options")
        _rebuild(rebuild, manifest_path, out)
        return
    if versions is not None and roster_path is not None:
        raise click.UsageError("give --versions N or --roster FILE, not both (a roster makes one version per student)")
    spec: Any = None
    if spec_path is not None:
        # As for one worksheet: the spec's sections set the kinds, counts and pins; --title overrides its
        # title, --difficulty and --degree are defaults for sections that set none, --seed its seed.
        clash = [name for name in ("count", "kinds", "function", "point", "step", "rate")
                 if given(name) is not default]
        if clash:
            flag = _FLAGS.get(clash[0], f"--{clash[0]}")
            raise click.UsageError(f"{flag} cannot be combined with --spec: the spec's sections set it")
        from quizgen.spec import load_spec

        try:
            spec = load_spec(spec_path, difficulty=difficulty, degree=degree)
        except InputError as exc:
            raise _usage_error(exc) from None
        count = sum(section.options.count or 0 for section in spec.sections)
        seed = seed if seed is not None else spec.seed
        if given("title") is default and spec.title:
            title = spec.title
    if versions is not None:
        try:
            check_class_size(versions, count)  # before a roster is read: --versions 0, or 200 × 500
        except InputError as exc:
            if spec is not None and exc.field == "versions" and 1 <= versions:
                exc = InputError(exc.message.replace(" or fewer problems", " or a spec of fewer problems"),
                                 field="versions", value=exc.value)
            raise _usage_error(exc) from None
    from quizgen import classset
    from quizgen.generate import Options
    from quizgen.kinds import DEFAULT_KINDS
    from quizgen.roster import Student, read_roster

    notes: list[str] = []
    try:
        students: list[Student | None]
        if roster_path is not None:
            roster, notes = read_roster(roster_path)
            students = list(roster)
            try:
                check_class_size(len(students), count)
            except InputError as exc:
                raise InputError(exc.message, field="roster",
                                 file=roster_path) from None
        else:
            assert versions is not None
            students = [None] * versions
        seed = random.SystemRandom().randrange(1, 1_000_000) if seed is None else seed
        if spec is not None:
            # The sections set the rest; the options keep only what the manifest records of them.
            options = Options(count=count, title=title, style=style)
            copt = classset.ClassOptions(options, formats, paper, layout, plots, answer_bank, variants,
                                         sections=spec.sections, instructions=spec.instructions)
        else:
            options = Options(count=count, kinds=kinds or DEFAULT_KINDS, degree=degree, function=function,
                              point=point, step=step, rate=rate, title=title, difficulty=difficulty, style=style)
            copt = classset.ClassOptions(options, formats, paper, layout, plots, answer_bank, variants)
        classset.check_out(out)
        show = not quiet and sys.stderr.isatty()
        bar = classset.progress_bar(len(students), show, "drawing")
        try:
            made = classset.make_versions(copt, seed, students, progress=lambda: bar.update(1), notes=notes)
        except InputError as exc:
            if spec is None or spec_path is None:
                raise
            from quizgen.spec import placed

            if exc.field == "spec" and exc.file is None:
                raise InputError(exc.message, field="spec", file=spec_path) from None
            raise placed(exc, spec, spec_path) from None
        bar.close()
        for note in notes:
            click.echo(f"note: {note}", err=True)
        result = classset.write_class(out, copt, seed, made, progress=show,
                                      progress_note=lambda note: click.echo(f"note: {note}", err=True))
    except InputError as exc:
        raise _usage_error(exc) from None
    except QuizgenError as exc:
        raise click.ClickException(f"seed {seed}: {exc}") from None
    except KeyboardInterrupt:
        click.echo(f"interrupted: {out}/ is as it was; the versions already made are kept beside it, and the "
                   f"same command with --seed {seed} carries on from them", err=True)
        sys.exit(130)
    pages = ", ".join(f"{name} ({n} page{'s' if n != 1 else ''})" for name, n in result.pages.items())
    count_v, each = len(made), len(made[0].quiz.problems)
    plural = "s" if count_v != 1 else ""
    click.echo(f"seed {seed} · {count_v} version{plural} · {each} problem{'s' if each != 1 else ''} each → {out}/ "
               f"(manifest.json, {count_v} folder{plural}{', ' + pages if pages else ''})")


def _rebuild(code: str, manifest_path: Path, out: Path) -> None:
    from quizgen import classset
    from quizgen.render import build_files, check_out, write_files

    try:
        data = classset.load_manifest(manifest_path)
        spec = None
        if "spec" in data:
            from quizgen.spec import spec_from_json

            spec = spec_from_json(data["spec"], str(manifest_path))
        copt, version = classset.rebuild(data, code, str(manifest_path), spec)
        check_out(out)
        files = build_files(version.quiz, copt.formats, paper=copt.paper, plots=copt.plots,
                            answer_bank=copt.answer_bank, layout=copt.layout,
                            pools=classset.rebuild_pools(data, copt, version))
        write_files(out, files)
    except InputError as exc:
        raise _usage_error(exc) from None
    except QuizgenError as exc:
        raise click.ClickException(str(exc)) from None
    who = f" ({version.student.name})" if version.student else ""
    click.echo(f"version {version.code}{who} of class seed {data['seed']} → {out}/ ({', '.join(sorted(files))})")
    note = classset.rebuild_note(data, copt, version, files)
    if note is not None:
        click.echo(note, err=True)


@main.command()
@click.argument("quiz_path", metavar="QUIZ.JSON", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "fmt", default=None, type=ClippedChoice(["moodle", "qti", "gift"]),
              help="moodle: Moodle XML; qti: a QTI 1.2 zip for Canvas; gift: Moodle's GIFT text.")
@click.option("--out", "-o", "out_path", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="The file to write [default: moodle.xml, canvas-qti.zip or quiz.gift beside QUIZ.JSON].")
def export(quiz_path: Path, fmt: str | None, out_path: Path | None) -> None:
    """Convert a quiz made earlier (its quiz.json) for an LMS: Moodle, Canvas or GIFT.

    A class set's manifest.json converts every version at once: each
    problem slot becomes a pool (a category, or a Canvas question group
    that picks one).

    \b
    Examples:
      quizgen export output/quiz.json --to moodle
      quizgen export output/quiz.json --to qti --out quiz3-canvas.zip
      quizgen export friday/manifest.json --to gift
    """
    from quizgen import grading, lms
    from quizgen.keys import QuizFileError

    if fmt is None:  # click's own message for a missing choice spans several lines
        raise click.UsageError("give --to moodle, --to qti or --to gift")
    target = out_path if out_path is not None else quiz_path.parent / lms.FILES[fmt]
    try:
        data = grading.read_quiz_json(quiz_path)
        inputs = [quiz_path]
        if isinstance(data, dict) and "versions" in data and "problems" not in data:  # a class set's manifest
            versions, _ = grading.load_manifest(quiz_path)
            inputs += [v.path for v in versions]
            quizzes = [grading.read_quiz_json(v.path) for v in versions]
            seed = data.get("seed")
            label = f"class {seed}" if isinstance(seed, int) and not isinstance(seed, bool) else "class"
            blob = lms.export_bytes(fmt, quizzes, [str(v.path) for v in versions], label=label)
        else:
            blob = lms.export_bytes(fmt, [data], [str(quiz_path)])
        grading.check_report_target(target, inputs, "--out")
        grading.write_bytes_atomic(target, blob, "--out")
    except grading.ManifestError as exc:
        raise click.BadParameter(grading.plain(str(exc)), param_hint="'QUIZ.JSON'") from None
    except QuizFileError as exc:
        raise click.BadParameter(grading.plain(str(exc)), param_hint="'QUIZ.JSON'") from None
    except grading.ReportFileError as exc:
        raise click.BadParameter(grading.plain(str(exc)), param_hint="'--out'") from None
    click.echo(grading.plain(f"{fmt} → {target}"))


@main.command()
def kinds() -> None:
    """List the problem kinds, each with an example built on f(x) = 3x² − 4x + 5.

    \b
    Example:
      quizgen kinds
    """
    from quizgen.generate import kinds_examples
    from quizgen.kinds import KINDS
    from quizgen.render import prompt_text

    for problem in kinds_examples():
        kind = KINDS[problem.kind]
        click.echo(f"{kind.id:<22} {kind.title}")
        click.echo(f"{'':<22} e.g. {prompt_text(problem)}")
        click.echo(f"{'':<22} answer: {problem.answer.text}")


@main.command()
@click.option("--quiz", "quiz_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("output/quiz.json"),
              show_default=True, help="The quiz.json written by quizgen make (at most 5 MB).")
@click.option("--answers", "answers_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with a header line student,problem,answer (at most 200 MB).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the per-row report CSV [default: next to --answers, as NAME-report.csv].")
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A class set's manifest.json (quizgen make --versions/--roster): each student is graded "
                   "against their own version, found by student id, else name, else version code.")
@click.option("--stats", "stats_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write per-question statistics (CSV): percent correct, answered, the most common wrong "
                   "answers and the misconception each matches.")
@click.option("--gradebook", "gradebook_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a gradebook CSV to import into Canvas or Moodle (see --gradebook-format).")
@click.option("--gradebook-format", type=click.Choice(["canvas", "moodle"]), default="canvas", show_default=True,
              help="canvas: Student, ID, SIS User ID, Section, <quiz title> and a Points Possible row; "
                   "moodle: ID number, Full name, <quiz title>.")
@click.option("--problem", metavar="N", help="Check one answer to this problem number (with --answer).")
@click.option("--answer", help="The answer to check, e.g. \"6x-4\" (with --problem).")
@click.pass_context
def check(ctx: click.Context, quiz_path: Path, answers_path: Path | None, report_path: Path | None,
          manifest_path: Path | None, stats_path: Path | None, gradebook_path: Path | None, gradebook_format: str,
          problem: str | None, answer: str | None) -> None:
    """Check typed answers against a quiz.json: one answer, or a class's CSV.

    The CSV is long (student,problem,answer) or wide (student,1,2,... or
    student,q1,q2,...), with a header line; comma, semicolon or tab.

    Answers are read by a safe parser (never evaluated as code) and compared
    exactly; wrong answers get a reason (forgot to divide by h, still contains
    h, sign error, ...).

    \b
    Examples:
      quizgen check --quiz output/quiz.json --problem 6 --answer "6x-4"
      quizgen check --quiz output/quiz.json --answers answers.csv
      quizgen check --answers answers.csv --report graded.csv
      quizgen check --manifest class/manifest.json --answers class.csv --stats stats.csv --gradebook grades.csv
    """
    from quizgen import grading
    from quizgen.keys import Key, QuizFileError, clip, ensure_readable

    single = problem is not None or answer is not None
    if single and answers_path is not None:
        raise click.UsageError("use either --answers FILE or --problem N --answer TEXT, not both")
    if single and (problem is None or answer is None):
        raise click.UsageError("--problem and --answer go together")
    if not single and answers_path is None:
        raise click.UsageError("give --answers FILE, or --problem N --answer TEXT")
    if manifest_path is not None:
        if ctx.get_parameter_source("quiz_path") == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError("use either --quiz or --manifest, not both")
        if single:
            raise click.UsageError("--manifest grades a class's --answers CSV; check one answer with --quiz")
    if single and (stats_path or gradebook_path):
        raise click.UsageError("--stats and --gradebook go with --answers FILE")
    try:
        if single:
            assert problem is not None and answer is not None
            number = problem.strip()
            if not grading.is_whole(number):
                raise click.BadParameter(f"{clip(number)!r} is not a whole number", param_hint="'--problem'")
            keys = grading.load_quiz(quiz_path, check_answers=False)
            key = keys.get(int(number))
            if key is None:
                raise click.BadParameter(grading.plain(f"there is no problem {int(number)} in {quiz_path}"), param_hint="'--problem'")
            ensure_readable(key, str(quiz_path))
            verdict = key.grade(answer)
            click.echo(f"{verdict.status}: {grading.plain(verdict.message)}")
            return
        assert answers_path is not None
        versions: tuple[grading.Version, ...] = ()
        quiz_keys: dict[int, Key] | None = None
        if manifest_path is not None:
            versions, title = grading.load_manifest(manifest_path)
            inputs = [manifest_path, *(v.path for v in versions)]
        else:
            quiz_keys = grading.load_quiz(quiz_path)
            title = grading.quiz_title(quiz_path)
            inputs = [quiz_path]
        target = report_path or answers_path.with_name(f"{answers_path.stem}-report.csv")
        summary = grading.grade_file(quiz_keys, answers_path, target, inputs=inputs, versions=versions, stats=stats_path,
                                     gradebook=gradebook_path, gradebook_format=gradebook_format, title=title)
    except grading.ManifestError as exc:
        if manifest_path is None:  # a wide CSV's columns that are not problems of the quiz
            raise click.BadParameter(grading.plain(f"{answers_path}: {exc}"), param_hint="'--answers'") from None
        raise click.BadParameter(grading.plain(str(exc)), param_hint="'--manifest'") from None
    except grading.NothingGradedError as exc:
        raise click.BadParameter(grading.plain(str(exc)), param_hint="'--manifest'" if manifest_path else "'--answers'") from None
    except QuizFileError as exc:
        raise click.BadParameter(grading.plain(str(exc)), param_hint="'--quiz'") from None
    except grading.AnswersFileError as exc:
        raise click.BadParameter(grading.plain(str(exc)), param_hint="'--answers'") from None
    except grading.ReportFileError as exc:
        raise click.BadParameter(grading.plain(str(exc)), param_hint=f"'{exc.option}'") from None
    chunk: list[str] = []
    for line in grading.score_lines(summary):  # streamed: a class may have 500,000 students
        chunk.append(line)
        if len(chunk) == 10_000:
            click.echo("".join(chunk), nl=False)
            chunk.clear()
    click.echo("".join(chunk), nl=False)
    errors = grading.format_errors(summary)
    if errors:
        prefix = grading.plain(f"{answers_path}: ")
        click.echo(prefix + errors.rstrip("\n").replace("\n", "\n" + prefix), err=True)
    click.echo(grading.plain(f"report: {target}"))
    if stats_path:
        click.echo(grading.plain(f"stats: {stats_path}"))
    if gradebook_path:
        click.echo(grading.plain(f"gradebook ({gradebook_format}): {gradebook_path}"))
