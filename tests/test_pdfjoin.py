"""quizgen.pdfjoin: the class set's combined PDFs, joined from real WeasyPrint PDFs and read back.

The parts are tagged PDFs typeset by WeasyPrint (quizgen.render.html_to_pdf) with known page
counts and sizes, links (annotations with /StructParent keys) and a structure tree; the
joined file is read back with pikepdf (qpdf), pypdf, pdftotext and pdfinfo. What a reader
should see is derived from the parts themselves, never from the joined file.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from quizgen.pdfjoin import join_pdfs
from quizgen.render import html_to_pdf

ROOT = Path(__file__).resolve().parent.parent

# (title, CSS page size, pages, its size in points): odd and even page counts, three paper sizes.
PARTS = [("Part A", "A5", 3, (419.528, 595.276)), ("Part B", "A4", 2, (595.276, 841.89)),
         ("Part C", "letter", 1, (612.0, 792.0)), ("Zoë Núñez", "A5", 1, (419.528, 595.276))]


def part_html(title: str, size: str, pages: int) -> str:
    # Every page a link out; page 1 a link to page 2 (the same anchor name in every part).
    inside = '<a href="#page-2">to page 2</a>' if pages > 1 else ""
    body = "".join(
        f'<section style="break-after: page"><h2 id="page-{n}">{title} page {n}</h2><p>Text of <b>{title}</b>, '
        f'page {n}, with <a href="https://example.org/{n}">a link</a> and <i>emphasis</i>. {inside if n == 1 else ""}'
        "</p></section>"
        for n in range(1, pages + 1))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>@page {{ size: {size} }} section:last-child {{ break-after: auto }}</style></head>"
            f"<body><h1>{title}</h1>{body}</body></html>")


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("parts")
    paths = []
    for i, (title, size, pages, _) in enumerate(PARTS):
        path = folder / f"part{i}.pdf"
        path.write_bytes(html_to_pdf(part_html(title, size, pages)))
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) == pages  # the parts are what the tests assume
        paths.append(path)
    return paths


def page_texts(path: Path) -> list[str]:
    """Each page's text as pdftotext reads it (pages end with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def joined(parts: list[Path], tmp_path: Path, name: str = "all.pdf", **kw: Any) -> tuple[Path, int]:
    target = tmp_path / name
    labels = [title for title, *_ in PARTS][: len(parts)]
    count = join_pdfs(parts, target, title="Class — all parts", labels=labels, **kw)
    return target, count


def test_pages_odd_starts_blank_pages_and_text(parts: list[Path], tmp_path: Path) -> None:
    target, count = joined(parts, tmp_path)
    sizes = [pages for _, _, pages, _ in PARTS]
    # Every part but the last padded to an even count: 3+1, 2, 1+1, 1.
    assert count == 4 + 2 + 2 + 1
    texts = page_texts(target)
    assert len(texts) == count
    with pikepdf.open(target) as pdf:
        assert len(pdf.pages) == count
        boxes = [tuple(round(float(x), 2) for x in page.mediabox) for page in pdf.pages]
    at = 0
    for part, (title, _, pages, (width, height)) in zip(parts, PARTS):
        assert at % 2 == 0  # 0-based even: printed page 1, 3, 5, …
        assert texts[at:at + pages] == page_texts(part)  # the part's text, page for page
        assert all(box == (0, 0, round(width, 2), round(height, 2)) for box in boxes[at:at + pages])
        at += pages
        if pages % 2 and at < count:  # the blank page: the part's own paper size, no text
            assert texts[at].strip() == ""
            assert boxes[at] == boxes[at - 1]
            at += 1
    assert at == count == sum(sizes) + 2


def test_without_odd_starts_pages_follow_each_other(parts: list[Path], tmp_path: Path) -> None:
    target, count = joined(parts, tmp_path, odd_starts=False)
    assert count == sum(pages for _, _, pages, _ in PARTS)
    assert page_texts(target) == [t for part in parts for t in page_texts(part)]


def test_a_reader_sees_the_parts_structure_under_one_document(parts: list[Path], tmp_path: Path) -> None:
    target, _ = joined(parts, tmp_path)

    def struct(path: Path) -> list[str]:
        out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True)
        # An object reference (a link's annotation) is shown by its object number: renumbered in the join.
        return [re.sub(r"Object \d+ \d+$", "Object", line) for line in out.stdout.splitlines()]

    expected = ["Document"] + ["  " + line for part in parts for line in struct(part)]
    assert struct(target) == expected
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info and "Title:           Class — all parts" in info


def _elements(node: Any, seen: set[tuple[int, int]]) -> list[Any]:
    """Every structure element under `node` (each once)."""
    found = []
    stack = [node]
    while stack:
        obj = stack.pop()
        if isinstance(obj, Array):
            stack.extend(obj)
        elif isinstance(obj, Dictionary) and obj.get("/Type") in (None, Name.StructElem) and "/S" in obj:
            if obj.objgen in seen and obj.objgen != (0, 0):
                continue
            seen.add(obj.objgen)
            found.append(obj)
            stack.append(obj.get("/K"))
    return found


def test_parent_tree_and_references_are_consistent(parts: list[Path], tmp_path: Path) -> None:
    target, _ = joined(parts, tmp_path)
    with pikepdf.open(target) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf's checks (the library `qpdf --check` runs)
        root = pdf.Root.StructTreeRoot
        [document] = root.K
        assert document.S == Name.Document and document.P.objgen == root.objgen
        nums = root.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        assert keys == sorted(set(keys)) and int(root.ParentTreeNextKey) > max(keys)
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        # Every page's and annotation's key is in the parent tree, and what it names is on that page.
        annotations = 0
        for page in pdf.pages:
            if "/StructParents" not in page.obj:
                # Only the added blank pages have no key: nothing drawn, nothing to tag.
                contents = page.obj.get("/Contents")
                assert contents is None or contents.read_bytes().strip() == b""
                continue
            elements = tree[int(page.obj.StructParents)]
            assert len(elements) > 0
            assert all(e.Pg.objgen == page.obj.objgen for e in elements if isinstance(e, Dictionary) and "/Pg" in e)
            for annot in page.obj.get("/Annots", []):
                annotations += 1
                owner = tree[int(annot.StructParent)]
                assert isinstance(owner, Dictionary), "an annotation's key names a page's elements"
                refs = [k for k in owner.K if isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR]
                assert [r.Obj.objgen for r in refs] == [annot.objgen]
        # A link out on every page, and one to page 2 in each part that has one.
        assert annotations == sum(pages + (pages > 1) for _, _, pages, _ in PARTS)
        # Every element, marked-content reference and object reference points at a page of this file,
        # and each element's parent chain ends at the Document element.
        elements = _elements(document.K, set())
        assert len(elements) > 50
        for element in elements:
            for holder in [element, *(k for k in element.K if isinstance(k, Dictionary))] \
                    if isinstance(element.get("/K"), Array) else [element]:
                if "/Pg" in holder:
                    assert holder.Pg.objgen in pages
            node, steps = element, 0
            while node.objgen != document.objgen:
                node, steps = node.P, steps + 1
                assert steps < 100
        # One structure namespace, however many parts use it.
        assert len(root.Namespaces) == 1
    if shutil.which("qpdf"):  # the command too, where it is installed (not needed: scripts/setup.sh has no qpdf)
        check = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True)
        assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout


def test_catalog_bookmarks_and_compact_storage(parts: list[Path], tmp_path: Path) -> None:
    target, count = joined(parts, tmp_path)
    with pikepdf.open(target) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.Root.Lang) == "en"
        assert str(pdf.docinfo.Title) == "Class — all parts" and str(pdf.docinfo.Producer) == "quizgen"
        assert pdf.trailer.Type == Name.XRef  # a cross-reference stream, objects in object streams
        pages = [page.obj.objgen for page in pdf.pages]
        with pdf.open_outline() as outline:
            marks = [(item.title, pages.index(item.destination[0].objgen)) for item in outline.root]
    assert marks == [("Part A", 0), ("Part B", 4), ("Part C", 6), ("Zoë Núñez", 8)]
    from pypdf import PdfReader

    reader = PdfReader(target)  # a second reader agrees
    assert len(reader.pages) == count and [o.title for o in reader.outline] == [m for m, _ in marks]
    assert target.stat().st_size < 1.1 * sum(p.stat().st_size for p in parts)


def test_links_inside_a_part_go_to_that_parts_page(parts: list[Path], tmp_path: Path) -> None:
    """The parts name their link targets (WeasyPrint: /Dest (page-2), looked up in the catalog's name tree,
    the same name in every part); the joined file has no name tree, so each link holds its page."""
    with pikepdf.open(parts[0]) as pdf:
        assert "/Dests" in pdf.Root.Names  # the parts do use named destinations
    target, _ = joined(parts, tmp_path)
    with pikepdf.open(target) as pdf:
        pages = [page.obj.objgen for page in pdf.pages]
        inside = [(n, annot.Dest) for n, page in enumerate(pdf.pages) for annot in page.obj.get("/Annots", [])
                  if "/Dest" in annot]
        assert "/Names" not in pdf.Root
    starts = [0, 4]  # Part A (3 pages + blank), Part B; C and Zoë have one page, no link inside
    assert [n for n, _ in inside] == starts
    for (n, dest), start in zip(inside, starts):
        assert isinstance(dest, Array) and pages.index(dest[0].objgen) == start + 1


def test_same_inputs_same_bytes(parts: list[Path], tmp_path: Path) -> None:
    first, _ = joined(parts, tmp_path, "one.pdf")
    (tmp_path / "other").mkdir()
    second, _ = joined(parts, tmp_path / "other", "two.pdf")
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    third, _ = joined(parts[::-1], tmp_path, "three.pdf")
    assert third.read_bytes() != first.read_bytes()


def test_existing_target_untouched_and_failure_leaves_no_file(parts: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "all.pdf"
    target.write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        join_pdfs(parts, target, title="t")
    assert target.read_bytes() == b"keep"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(parts[0].read_bytes()[:300])  # cut short: no cross-reference table, no objects
    with pytest.raises(pikepdf.PdfError):
        join_pdfs([parts[1], broken], tmp_path / "new.pdf", title="t")
    assert not (tmp_path / "new.pdf").exists()


CHILD = """
import resource, sys
from pathlib import Path
from quizgen.pdfjoin import join_pdfs
join_pdfs([Path(p) for p in sys.argv[2:]], Path(sys.argv[1]), title="t", labels=[str(i) for i in range(len(sys.argv) - 2)])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_memory_does_not_grow_with_the_number_of_parts(tmp_path: Path) -> None:
    """Peak RSS of a fresh process joining 40 copies of a part with ~3,000 structure elements against 4:
    holding the joined document in memory (qpdf's copy, as the join did before it streamed) costs
    about 10 MB per copy here (350 MB more for 40 than for 4); streaming, a few MB in all."""
    rows = "".join(f"<p>Line {i}: <b>bold {i}</b> and <i>italic {i}</i> and <span>x<sup>{i}</sup></span></p>"
                   for i in range(250))
    source = tmp_path / "heavy.pdf"
    source.write_bytes(html_to_pdf(f'<!doctype html><html lang="en"><head><title>Heavy</title></head>'
                                   f"<body><h1>Heavy</h1>{rows}</body></html>"))
    with pikepdf.open(source) as pdf:
        assert len(pdf.objects) > 2500
        pages = len(pdf.pages)
    copies = []
    for i in range(40):
        copy = tmp_path / f"copy{i}.pdf"
        os.link(source, copy)
        copies.append(str(copy))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def peak_kb(n: int) -> int:
        out = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / f"joined{n}.pdf"), *copies[:n]], env=env,
                             capture_output=True, text=True, check=True, timeout=300)
        return int(out.stdout)

    small, large = peak_kb(4), peak_kb(40)
    with pikepdf.open(tmp_path / "joined40.pdf") as pdf:
        assert len(pdf.pages) == 40 * pages + (39 if pages % 2 else 0)
    assert large - small < 25 * 1024, (small, large)
