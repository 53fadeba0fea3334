"""Join PDFs into one, keeping them tagged: the class set's all-worksheets.pdf and all-keys.pdf.

Streamed: the sources are read one at a time (pikepdf/qpdf parses them) and each object a
source needs is written to the target at once, renumbered (the target's numbers are given
out in the order objects are first met), so memory does not grow with the number of
sources: besides the source being copied, the writer keeps only what the final catalog
needs (the pages' object numbers, the structure tree's top elements, the parent tree's
number → object pairs, the bookmarks' pages) and the offsets for the cross-reference
stream. References are rewritten by walking the parsed objects, never by editing bytes;
streams are copied with their raw, still-encoded data and filters. Objects other than
streams are packed into compressed object streams (as WeasyPrint and qpdf write them:
without, the join is about three times the size of its parts).

What a source contributes: its pages (with whatever they reach: contents, resources,
fonts, images, annotations; inherited attributes written on the page), its structure
tree's top elements (and the elements, marked-content references and objects they reach),
its parent tree and its structure namespaces (the same namespace in every source is
written once). Its catalog, outlines and name trees are not copied: a link to a named
destination in the source (WeasyPrint's internal links) gets the page and view that name
stood for, so it still leads to that source's page. Each source's tree
is hung under one Document element of the joined file, the pages' /StructParents and
annotations' /StructParent keys renumbered into one parent tree, so a screen reader and
`pdfinfo` (Tagged: yes) see the joined file as they saw each part. With `odd_starts`, a
blank page follows any part with an odd number of pages (but the last), so every part
starts on a right-hand, odd page and double-sided printing never puts two parts on one
sheet. Each part gets a bookmark (`labels`).

The bytes depend only on the sources' bytes and the arguments (no dates; the file
identifier is a hash of what precedes it), so the same inputs give the same file.
"""

from __future__ import annotations

import hashlib
import os
import sys
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from pikepdf import Array, Dictionary, Name, NameTree, Object, ObjectType, String

_XREF_CHUNK = 65536  # cross-reference entries encoded at a time
_PER_OBJECT_STREAM = 100  # objects packed into one compressed object stream (qpdf's figure)
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")  # page attributes a page tree may hold
_NULL = 0  # the target number meaning "write null": source objects deliberately not copied
# Target objects numbered before any source's: written last, when their contents are known.
_CATALOG, _PAGES, _TREE, _DOCUMENT = 1, 2, 3, 4
_DICTIONARY, _ARRAY, _STREAM = ObjectType.dictionary, ObjectType.array, ObjectType.stream
_NAMED = (ObjectType.string, ObjectType.name_)  # how a link names a destination


class _Out:
    """The target file: bytes written through, positions counted, a running hash for the file's /ID,
    and the cross-reference entries (type, field 2, field 3) of every object number, in arrays."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.pos = 0
        self.hash = hashlib.md5(usedforsecurity=False)
        self.kind = array("B", [0])  # object 0: the free list's head
        self.field2 = array("Q", [0])
        self.field3 = array("I", [65535])
        self.packed: list[tuple[int, bytes]] = []  # objects waiting for the current object stream
        self.names: dict[str, bytes] = {}  # a dictionary key's PDF syntax (the few keys PDFs use)

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.hash.update(data)
        self.pos += len(data)

    def allocate(self) -> int:
        """A new object number (its entry filled in when the object is written)."""
        self.kind.append(0)
        self.field2.append(0)
        self.field3.append(0)
        return len(self.kind) - 1

    def put(self, number: int, body: bytes) -> None:
        """Object `number` (not a stream), packed into an object stream."""
        self.packed.append((number, body))
        if len(self.packed) >= _PER_OBJECT_STREAM:
            self.flush_packed()

    def put_stream(self, number: int, head: bytes, raw: bytes) -> None:
        """Stream object `number` (dictionary `head` without /Length; `raw` as encoded), written directly."""
        self.kind[number], self.field2[number] = 1, self.pos
        self.write(b"%d 0 obj\n%s/Length %d>>\nstream\n" % (number, head[:-2], len(raw)))
        self.write(raw)
        self.write(b"\nendstream\nendobj\n")

    def flush_packed(self) -> None:
        if not self.packed:
            return
        stream = self.allocate()
        offsets = []
        bodies = []
        at = 0
        for i, (number, body) in enumerate(self.packed):
            self.kind[number], self.field2[number], self.field3[number] = 2, stream, i
            offsets.append(b"%d %d" % (number, at))
            bodies.append(body)
            at += len(body) + 1
        header = b" ".join(offsets) + b"\n"
        data = zlib.compress(header + b"\n".join(bodies), 6)
        self.packed = []
        self.put_stream(stream, b"<</Type/ObjStm/N %d/First %d/Filter/FlateDecode>>" % (len(offsets), len(header)),
                        data)

    def finish(self, root: int, info: int) -> None:
        """The last object stream, the cross-reference stream (with the trailer's keys), startxref."""
        self.flush_packed()
        xref = self.allocate()
        self.kind[xref], self.field2[xref] = 1, self.pos
        width = max(1, (self.pos.bit_length() + 7) // 8)
        columns = 1 + width + 2
        packer = zlib.compressobj(6)
        chunks = []
        previous = bytes(columns)
        for start in range(0, len(self.kind), _XREF_CHUNK):
            rows = _xref_rows(self.kind, self.field2, self.field3, width, start, start + _XREF_CHUNK)
            chunks.append(packer.compress(_png_up(rows, previous, columns)))
            previous = rows[-columns:]
        chunks.append(packer.flush())
        ident = self.hash.hexdigest().encode()
        head = (b"<</Type/XRef/Size %d/W[1 %d 2]/Root %d 0 R/Info %d 0 R/ID[<%s><%s>]/Filter/FlateDecode"
                b"/DecodeParms<</Predictor 12/Columns %d>>>>" % (len(self.kind), width, root, info, ident, ident, columns))
        start = self.pos
        self.put_stream(xref, head, b"".join(chunks))
        self.write(b"startxref\n%d\n%%%%EOF\n" % start)


def _xref_rows(kind: array[int], field2: array[int], field3: array[int], width: int, start: int,
               stop: int) -> bytes:
    """Cross-reference entries start … stop-1 as rows of 1 + `width` + 2 bytes, big-endian (built by
    slicing the arrays' bytes, not row by row)."""
    kinds = kind[start:stop]
    n = len(kinds)
    columns = 1 + width + 2
    rows = bytearray(n * columns)
    rows[0::columns] = kinds.tobytes()
    for values, size, at, used in ((field2[start:stop], field2.itemsize, 1, width), (field3[start:stop], field3.itemsize, 1 + width, 2)):
        if sys.byteorder == "little":
            values.byteswap()
        data = values.tobytes()
        for j in range(used):  # the low `used` bytes of each big-endian value
            rows[at + j::columns] = data[size - used + j::size]
    return bytes(rows)


def _png_up(rows: bytes, previous: bytes, columns: int) -> bytes:
    """`rows` (of `columns` bytes, `previous` the row before them) with the PNG "Up" filter (predictor 12:
    each row a tag byte 2, then each byte minus the byte above it, modulo 256). The subtraction is done
    on all bytes at once, as integers, with the high bit of each byte set first so no borrow crosses
    from one byte to the next."""
    above = previous + rows[:-columns]
    size = len(rows)
    high = int.from_bytes(b"\x80" * size, "big")
    a = int.from_bytes(rows, "big")
    b = int.from_bytes(above, "big")
    low = ((1 << (8 * size)) - 1) ^ high
    diff = (((a | high) - (b & low)) ^ ((a ^ b ^ high) & high)).to_bytes(size, "big")
    out = bytearray(size // columns * (columns + 1))
    out[0::columns + 1] = b"\x02" * (size // columns)
    for j in range(columns):
        out[1 + j::columns + 1] = diff[j::columns]
    return bytes(out)


class _Source:
    """One source PDF being copied: its objects' target numbers (this source only), a queue of objects
    numbered but not yet written, and which of them are its pages."""

    def __init__(self, out: _Out, key_offset: int, names: dict[str, bytes]) -> None:
        self.out = out
        self.key_offset = key_offset  # added to the source's /StructParents and /StructParent keys
        self.numbers: dict[tuple[int, int], int] = {}
        self.queue: deque[Any] = deque()
        self.names = names  # a dictionary key's PDF syntax, shared by all sources
        self.pages: set[int] = set()  # target numbers of this source's pages
        self.root: Any = None  # the source's catalog, for its named destinations
        self._dests: dict[str, Any] | None = None

    def ref(self, obj: Any) -> bytes:
        """`N 0 R` for indirect object `obj` of the source, numbering (and queueing) it when first met."""
        return b"null" if (number := self.number(obj)) == _NULL else b"%d 0 R" % number

    def number(self, obj: Any) -> int:
        """Target number of indirect object `obj`, given (and the object queued to be written) when first met."""
        objgen = obj.objgen
        number = self.numbers.get(objgen)
        if number is None:
            number = self.numbers[objgen] = self.out.allocate()
            self.queue.append(obj)
        return number

    def name(self, key: str) -> bytes:
        text = self.names.get(key)
        if text is None:
            text = self.names[key] = Name(key).unparse()
        return text

    def serialize(self, obj: Any, buf: list[bytes], top: bool = False) -> None:
        """PDF syntax for `obj` into `buf`: scalars as qpdf unparses them, indirect objects as references
        to their target numbers (unless `top`: the object itself), /StructParent(s) keys re-keyed."""
        if type(obj) is Object:
            if not top and obj.is_indirect:
                buf.append(self.ref(obj))
                return
            code = obj._type_code
            if code is _DICTIONARY:
                buf.append(b"<<")
                self.entries(obj, buf)
                buf.append(b">>")
            elif code is _ARRAY:
                buf.append(b"[")
                serialize = self.serialize
                for value in obj:
                    serialize(value, buf)
                    buf.append(b" ")
                buf.append(b"]")
            else:  # names, strings, null: qpdf's own syntax
                buf.append(obj.unparse())
        elif type(obj) is int:
            buf.append(b"%d" % obj)
        elif obj is True:
            buf.append(b"true")
        elif obj is False:
            buf.append(b"false")
        elif type(obj) is Decimal:
            buf.append(format(obj, "f").encode())
        elif obj is None:
            buf.append(b"null")
        else:  # a subclass of pikepdf's Object, if any
            self._other(obj, buf, top)

    def _other(self, obj: Any, buf: list[bytes], top: bool) -> None:
        if not isinstance(obj, Object):
            raise TypeError(f"not a PDF object: {type(obj).__name__}")
        if not top and obj.is_indirect:
            buf.append(self.ref(obj))
        elif obj._type_code is _DICTIONARY:
            buf.append(b"<<")
            self.entries(obj, buf)
            buf.append(b">>")
        elif obj._type_code is _ARRAY:
            buf.append(b"[")
            for value in obj:
                self.serialize(value, buf)
                buf.append(b" ")
            buf.append(b"]")
        else:
            buf.append(obj.unparse())

    def entries(self, obj: Any, buf: list[bytes], skip: tuple[str, ...] = ()) -> None:
        """A dictionary's entries (but `skip`), each `/Key value`."""
        names = self.names
        serialize = self.serialize
        for key, value in obj.items():
            if key in skip:
                continue
            name = names.get(key)
            if name is None:
                name = names[key] = Name(key).unparse()
            buf.append(name)
            buf.append(b" ")
            if type(value) is int and key in ("/StructParents", "/StructParent"):
                value += self.key_offset
            elif key in ("/Dest", "/D") and type(value) is Object and value._type_code in _NAMED:
                value = self.destination(value)
            serialize(value, buf)

    def destination(self, name: Any) -> Any:
        """A link's named destination made explicit (a page and a view), as the target has no name tree:
        the source's /Names /Dests (a string) or /Dests (a name); the name itself if it names nothing."""
        if self._dests is None:
            self._dests = {}
            names = self.root.get("/Names")
            if isinstance(names, Dictionary) and isinstance(names.get("/Dests"), Dictionary):
                self._dests = {f"({key}": value for key, value in NameTree(names.Dests).items()}
            old = self.root.get("/Dests")
            if isinstance(old, Dictionary):
                self._dests.update({f"/{key[1:]}": value for key, value in old.items()})
        key = f"/{str(name)[1:]}" if name._type_code is ObjectType.name_ else f"({name}"
        found = self._dests.get(key)
        if isinstance(found, Dictionary):  # a dictionary holding the destination as /D
            found = found.get("/D")
        return found if isinstance(found, Array) else name

    def body(self, obj: Any, top: bool = True) -> bytes:
        buf: list[bytes] = []
        self.serialize(obj, buf, top)
        return b"".join(buf)

    def write(self, number: int, obj: Any) -> None:
        """Write `obj` as object `number`: a stream with its raw bytes, a page as _page writes it, or any other."""
        if obj._type_code is _STREAM:
            head: list[bytes] = [b"<<"]
            self.entries(obj.stream_dict, head, skip=("/Length",))
            head.append(b">>")
            self.out.put_stream(number, b"".join(head), obj.read_raw_bytes())
        elif number in self.pages:
            self.out.put(number, self._page(obj))
        else:
            self.out.put(number, self.body(obj))

    def _page(self, page: Any) -> bytes:
        """A page: its own entries, /Parent the target's page tree, inherited attributes written on it."""
        buf: list[bytes] = [b"<<"]
        self.entries(page, buf, skip=("/Parent",))
        for key in _INHERITED:
            node = page.get("/Parent")
            for _ in range(64):  # the nearest ancestor's value, if the page has none
                if key in page or not isinstance(node, Dictionary):
                    break
                if key in node:
                    buf.append(self.name(key) + b" ")
                    self.serialize(node[key], buf)
                    break
                node = node.get("/Parent")
        buf.append(b"/Parent %d 0 R>>" % _PAGES)
        return b"".join(buf)

    def drain(self) -> None:
        """Write every queued object (and those they reach, as they are met)."""
        while self.queue:
            obj = self.queue.popleft()
            number = self.numbers[obj.objgen]
            if number != _NULL:
                self.write(number, obj)


def _number_tree(node: Any, pairs: list[tuple[int, Any]], depth: int = 0) -> None:
    """The (key, value) pairs of a number tree (a parent tree), in order."""
    if depth > 32 or not isinstance(node, Dictionary):
        return
    nums: Any = node.get("/Nums")
    if isinstance(nums, Array):
        for i in range(0, len(nums) - 1, 2):
            key: Any = nums[i]  # an int (pikepdf hands out PDF integers as ints)
            if type(key) is int:
                pairs.append((key, nums[i + 1]))
    kids = node.get("/Kids")
    if isinstance(kids, Array):
        for kid in kids:
            _number_tree(kid, pairs, depth + 1)


def join_pdfs(paths: Sequence[Path], target: Path, *, title: str, odd_starts: bool = True,
              labels: Sequence[str] | None = None) -> int:
    """Write `target` from the PDFs at `paths`, in order; its page count. `target` must not exist.

    The file is created exclusively, written as the sources are read and flushed to disk; if
    joining fails it is removed."""
    with open(target, "xb") as fh:
        try:
            count = _join(fh, paths, title=title, odd_starts=odd_starts, labels=labels)
            fh.flush()
            os.fsync(fh.fileno())
        except BaseException:
            fh.close()
            target.unlink(missing_ok=True)
            raise
    return count


class _Catalog:
    """What the target's catalog and structure tree root need, gathered source by source."""

    def __init__(self) -> None:
        self.pages: list[int] = []  # the target's pages, in order
        self.starts: list[int] = []  # each source's first page (an index into pages)
        self.kids: list[int] = []  # the Document element's children: each source's top structure elements
        self.parents: list[tuple[int, int]] = []  # the parent tree: re-keyed number → object number
        self.namespaces: dict[bytes, int] = {}  # a namespace's dictionary → its one object in the target
        self.role_map: dict[str, bytes] = {}
        self.next_key = 0  # the next source's first parent-tree key
        self.lang: bytes | None = None
        self.version = "1.7"


def _copy(out: _Out, cat: _Catalog, src: Any, *, blank_after: bool) -> None:
    """Write one source's pages and structure tree (and everything they reach) to `out`."""
    if src.pdf_version > cat.version:
        cat.version = src.pdf_version
    source = _Source(out, cat.next_key, out.names)
    root = source.root = src.Root
    # Never copied: the source's catalog, outlines and name trees (what reaches them gets null); its
    # page tree nodes and structure tree root stand for the target's.
    for obj in (root, root.get("/Outlines"), root.get("/Names")):
        if obj is not None and obj.is_indirect:
            source.numbers[obj.objgen] = _NULL
    if cat.lang is None and "/Lang" in root:
        cat.lang = source.body(root.Lang, top=False)
    pages = list(src.pages)
    for page in pages:
        node = page.obj.get("/Parent")
        for _ in range(64):
            if not isinstance(node, Dictionary) or not node.is_indirect or node.objgen in source.numbers:
                break
            source.numbers[node.objgen] = _PAGES
            node = node.get("/Parent")
    tree: Any = root.get("/StructTreeRoot")
    top = 0  # keys used: one past the largest
    if isinstance(tree, Dictionary):
        if tree.is_indirect:
            source.numbers[tree.objgen] = _DOCUMENT  # the top elements' parent
        next_key: Any = tree.get("/ParentTreeNextKey")
        if type(next_key) is int:
            top = max(top, next_key)
        # The same namespace in every source becomes one object (the elements' /NS point to it).
        namespaces = tree.get("/Namespaces")
        for ns in namespaces if isinstance(namespaces, Array) else []:
            if isinstance(ns, Dictionary) and ns.is_indirect:
                text = source.body(ns)
                if text in cat.namespaces:
                    source.numbers[ns.objgen] = cat.namespaces[text]
                else:
                    cat.namespaces[text] = source.number(ns)
        role_map = tree.get("/RoleMap")
        for role, value in role_map.items() if isinstance(role_map, Dictionary) else []:
            cat.role_map.setdefault(role, source.body(value, top=False))
    # The pages first, numbered in order, then the structure tree's top elements and the parent tree.
    cat.starts.append(len(cat.pages))
    for page in pages:
        number = source.number(page.obj)
        source.pages.add(number)
        cat.pages.append(number)
        if type(page.obj.get("/StructParents")) is int:
            top = max(top, page.obj.StructParents + 1)
    source.drain()
    if isinstance(tree, Dictionary):
        kids = tree.get("/K")
        for kid in kids if isinstance(kids, Array) else [kids]:
            if isinstance(kid, Dictionary):
                if kid.is_indirect:
                    cat.kids.append(source.number(kid))
                else:  # a direct element: made an object of its own
                    number = out.allocate()
                    source.write(number, kid)
                    cat.kids.append(number)
        pairs: list[tuple[int, Any]] = []
        _number_tree(tree.get("/ParentTree"), pairs)
        for key, value in pairs:
            top = max(top, key + 1)
            if isinstance(value, (Array, Dictionary)) and value.is_indirect:
                cat.parents.append((key + cat.next_key, source.number(value)))
            elif isinstance(value, (Array, Dictionary)):  # a page's elements, a direct array: an object of its own
                number = out.allocate()
                source.write(number, value)
                cat.parents.append((key + cat.next_key, number))
    if blank_after and len(pages) % 2 == 1:
        number = out.allocate()
        box = source.body(pages[-1].mediabox)
        out.put(number, b"<</Type/Page/Parent %d 0 R/MediaBox %s/Resources<<>>>>" % (_PAGES, box))
        cat.pages.append(number)
    source.drain()
    cat.next_key += top


def _join(fh: BinaryIO, paths: Sequence[Path], *, title: str, odd_starts: bool,
          labels: Sequence[str] | None) -> int:
    import pikepdf

    out = _Out(fh)
    out.write(b"%PDF-1.7\n%\xbf\xf7\xa2\xfe\n")
    for expected in (_CATALOG, _PAGES, _TREE, _DOCUMENT):
        assert out.allocate() == expected
    cat = _Catalog()
    for n, path in enumerate(paths):
        with pikepdf.open(path) as src:
            _copy(out, cat, src, blank_after=odd_starts and n < len(paths) - 1)

    def refs(numbers: Sequence[int]) -> bytes:
        return b" ".join(b"%d 0 R" % x for x in numbers)

    outline = b""
    if labels is not None and cat.starts:
        items = list(zip(labels, cat.starts))
        top = out.allocate()
        first = [out.allocate() for _ in items]
        for i, ((label, start), number) in enumerate(zip(items, first)):
            links = (b"/Prev %d 0 R" % first[i - 1] if i else b"") + (
                b"/Next %d 0 R" % first[i + 1] if i + 1 < len(first) else b"")
            out.put(number, b"<</Title %s/Parent %d 0 R%s/Count 0/Dest[%d 0 R/Fit]>>"
                    % (String(label).unparse(), top, links, cat.pages[start]))
        out.put(top, b"<</Type/Outlines/First %d 0 R/Last %d 0 R/Count %d>>" % (first[0], first[-1], len(first)))
        outline = b"/Outlines %d 0 R" % top
    parent_tree = out.allocate()
    out.put(parent_tree, b"<</Nums[%s]>>" % b" ".join(b"%d %d 0 R" % pair for pair in cat.parents))
    extras = b""
    if cat.namespaces:
        extras += b"/Namespaces[%s]" % refs(list(cat.namespaces.values()))
    if cat.role_map:
        extras += b"/RoleMap<<%s>>" % b"".join(Name(k).unparse() + b" " + v for k, v in sorted(cat.role_map.items()))
    out.put(_TREE, b"<</Type/StructTreeRoot/K[%d 0 R]/ParentTree %d 0 R/ParentTreeNextKey %d%s>>"
            % (_DOCUMENT, parent_tree, cat.next_key, extras))
    out.put(_DOCUMENT, b"<</Type/StructElem/S/Document/P %d 0 R/K[%s]>>" % (_TREE, refs(cat.kids)))
    out.put(_PAGES, b"<</Type/Pages/Kids[%s]/Count %d>>" % (refs(cat.pages), len(cat.pages)))
    info = out.allocate()
    out.put(info, b"<</Title %s/Producer %s>>" % (String(title).unparse(), String("quizgen").unparse()))
    version = b"/Version/%s" % cat.version.encode() if cat.version > "1.7" else b""
    lang = b"/Lang %s" % cat.lang if cat.lang is not None else b""
    out.put(_CATALOG, b"<</Type/Catalog%s/Pages %d 0 R/StructTreeRoot %d 0 R/MarkInfo<</Marked true>>"
            b"/ViewerPreferences<</DisplayDocTitle true>>%s%s>>" % (version, _PAGES, _TREE, lang, outline))
    out.finish(_CATALOG, info)
    return len(cat.pages)
