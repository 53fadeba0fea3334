"""Join PDFs into one, keeping them tagged: the class set's all-worksheets.pdf and all-keys.pdf.

Pages are copied as objects (pikepdf/qpdf), not re-rendered, and each source's structure
tree (WeasyPrint's tags) is hung under one Document element of the joined file, with the
pages' /StructParents keys renumbered into one parent tree, so a screen reader and
`pdfinfo` (Tagged: yes) see the joined file as they saw each part. With `odd_starts`, a
blank page follows any part with an odd number of pages (but the last), so every part
starts on a right-hand, odd page and double-sided printing never puts two parts on one
sheet. Each part gets a bookmark (`labels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def join_pdfs(paths: Sequence[Path], target: Path, *, title: str, odd_starts: bool = True,
              labels: Sequence[str] | None = None) -> int:
    """Write `target` from the PDFs at `paths`, in order; its page count. `target` must not exist."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    out = pikepdf.new()
    tree = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array()))
    tree.K = Array([document])
    nums = Array()
    next_key = 0
    starts: list[int] = []
    sources = []
    lang = None
    try:
        for n, path in enumerate(paths):
            src = pikepdf.open(path)
            sources.append(src)
            first = len(out.pages)
            starts.append(first)
            out.pages.extend(src.pages)
            src_tree = src.Root.get("/StructTreeRoot")

            def copy(obj: Any, src: Any = src) -> Any:
                """`obj` of `src` in `out`; pages already copied are reused (qpdf keeps one map per source)."""
                if isinstance(obj, (Array, Dictionary)) and not obj.is_indirect:
                    obj = src.make_indirect(obj)
                return out.copy_foreign(obj) if isinstance(obj, (Array, Dictionary)) else obj

            if lang is None and "/Lang" in src.Root:
                lang = src.Root.Lang
            top = 0
            for page in out.pages[first:]:
                if "/StructParents" in page.obj:
                    key = int(page.obj.StructParents)
                    top = max(top, key + 1)
                    page.obj.StructParents = key + next_key
            if src_tree is not None:
                kids = src_tree.get("/K")
                kids = kids if isinstance(kids, Array) else Array([kids]) if kids is not None else Array()
                for kid in kids:  # cut the link up to the source's root before copying (not saved)
                    if isinstance(kid, Dictionary) and "/P" in kid:
                        del kid["/P"]
                copied = [copy(kid) for kid in kids]
                for kid in copied:
                    if isinstance(kid, Dictionary):
                        kid.P = document
                    document.K.append(kid)
                if "/Namespaces" in src_tree and "/Namespaces" not in tree:
                    tree.Namespaces = copy(src_tree.Namespaces)
                parents = src_tree.get("/ParentTree")
                if parents is not None:
                    pairs = parents.get("/Nums", Array())
                    for i in range(0, len(pairs), 2):
                        key = int(pairs[i])
                        top = max(top, key + 1)
                        nums.append(key + next_key)
                        nums.append(copy(pairs[i + 1]))
            next_key += top
            if odd_starts and n < len(paths) - 1 and (len(out.pages) - first) % 2 == 1:
                box = out.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
        tree.ParentTree = out.make_indirect(Dictionary(Nums=nums))
        tree.ParentTreeNextKey = next_key
        out.Root.StructTreeRoot = tree
        out.Root.MarkInfo = Dictionary(Marked=True)
        out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        if lang is not None:
            out.Root.Lang = lang
        out.docinfo[Name.Title] = title
        out.docinfo[Name.Producer] = "quizgen"
        if labels is not None:
            with out.open_outline() as outline:
                for label, start in zip(labels, starts):
                    outline.root.append(pikepdf.OutlineItem(label, start))
        count = len(out.pages)
        with open(target, "xb") as fh:
            # Object streams as the single PDFs have them: without, the join is three times their size.
            out.save(fh, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                     compress_streams=True)
            fh.flush()
            import os

            os.fsync(fh.fileno())
        return count
    finally:
        out.close()
        for src in sources:
            src.close()
