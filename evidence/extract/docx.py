"""Word documents (.docx): prose, and the citations reference managers store as fields.

The package is opened safely (:mod:`evidence.extract.package`); the main document, the
footnotes and the endnotes are read in that order, each paragraph (in the body, table
cells, content controls, tracked insertions; deleted text is not text) becoming one line
of the flattened text, with a blank line between paragraphs so they stay paragraphs.
Headings (paragraph styles named ``Heading``/``Title``) are written ``# ...`` so they are
never claims and a ``References`` heading is found.

A citation field (Zotero, Mendeley, EndNote, Citavi: see
:mod:`evidence.extract.docx_fields`) is written as a pandoc marker ``[@key; @key2, p. 4]``
in place of the text Word showed for it, and each cited work becomes a
:class:`~evidence.model.Reference` built from the metadata the field carries, under a
readable key (``smith2013``). The managers' bibliography fields are dropped. A field
whose payload cannot be read keeps its shown text (so a typed marker in it can still be
found) and is reported at its paragraph. Typed citations (``[1,2]``) and a typed
reference list are then read like plain text. Locations say the paragraph number
(counted through body, footnotes and endnotes in that order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesNSImpl

from evidence.errors import ArticleError, Problem, Severity, SourceLocation
from evidence.extract.csl import KeyMaker
from evidence.extract.docx_fields import CitedWork, FieldPayloadError, read_field
from evidence.extract.markdown import mask_markdown_code, mask_markdown_markup
from evidence.extract.package import MAX_TOTAL_BYTES, open_package, parse_xml, read_part
from evidence.extract.reader import ArticleFormat, Decoded
from evidence.model import Reference

__all__ = ["FORMAT", "read_docx"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")


@dataclass
class _OpenField:
    instruction: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    separated: bool = False
    kind: str = ""  # decided when the instruction is complete
    shown: list[str] = field(default_factory=list)
    emitted: bool = False


class _Flattener(ContentHandler):
    """Walks one WordprocessingML part, writing paragraphs and citation markers."""

    def __init__(self, document: _Document, part: str) -> None:
        super().__init__()
        self.doc = document
        self.part = part
        self.fields: list[_OpenField] = []
        self.paragraph: list[str] = []
        self.text_of: str | None = None  # the element whose characters are being read
        self.chars: list[str] = []
        self.style = ""
        self.depth_p = 0
        self.pending: list[CitedWork] = []

    # SAX callbacks -----------------------------------------------------------------------

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        uri, local = name
        if uri != _W:
            return
        if local == "p":
            self.depth_p += 1
            if self.depth_p == 1:
                self.paragraph = []
                self.style = ""
        elif local == "pStyle":
            self.style = attrs.get((_W, "val"), "")
        elif local in ("t", "instrText", "fldData"):
            self.text_of = local
            self.chars = []
        elif local in ("tab", "br", "cr"):
            self._write(" ")
        elif local == "noBreakHyphen":
            self._write("-")
        elif local == "fldChar":
            self._fld_char(attrs.get((_W, "fldCharType"), ""))
        elif local == "fldSimple":
            opened = _OpenField(instruction=[attrs.get((_W, "instr"), "")], separated=True)
            self.fields.append(opened)
            self._decide(opened)
            self._emit(opened)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        uri, local = name
        if uri != _W:
            return
        if local in ("t", "instrText", "fldData") and self.text_of == local:
            text = "".join(self.chars)
            self.text_of = None
            if local == "t":
                self._write(text)
            elif self.fields and not self.fields[-1].separated:
                target = (
                    self.fields[-1].instruction if local == "instrText" else self.fields[-1].data
                )
                target.append(text)
        elif local == "p":
            self.depth_p -= 1
            if self.depth_p == 0:
                self._end_paragraph()
        elif local == "fldSimple" and self.fields:
            self.fields.pop()

    def characters(self, content: str) -> None:
        if self.text_of is not None:
            self.chars.append(content)

    # fields ------------------------------------------------------------------------------

    def _fld_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append(_OpenField())
        elif kind == "separate" and self.fields:
            top = self.fields[-1]
            if not top.separated:
                top.separated = True
                self._decide(top)
                self._emit(top)
        elif kind == "end" and self.fields:
            top = self.fields.pop()
            if not top.separated:
                self._decide(top)
                self._emit(top)
            if top.kind == "data" and self.fields and not self.fields[-1].separated:
                parent = self.fields[-1]
                if not parent.data:  # EN.CITE.DATA hands its record up (unless it has one)
                    parent.data.extend(top.data)
            elif top.kind == "unreadable" and not self._swallowed():
                self._write("".join(top.shown))

    def _decide(self, opened: _OpenField) -> None:
        instruction = "".join(opened.instruction)
        try:
            found = read_field(instruction, "".join(opened.data))
        except FieldPayloadError as error:
            opened.kind = "unreadable"
            self.doc.warn(self.doc.paragraph_number(), f"{error}; its shown text is read as text")
            self.doc.unreadable += 1
            return
        opened.kind = found.kind
        if found.kind == "citation":
            self.doc.fields += 1
            opened.data = []
            self.pending = found.works

    def _emit(self, opened: _OpenField) -> None:
        if opened.kind != "citation" or opened.emitted or self._inside_instruction(opened):
            return
        opened.emitted = True
        marker = self.doc.marker(self.pending)
        self._write(f" {marker}", force=True)

    def _inside_instruction(self, opened: _OpenField) -> bool:
        index = self.fields.index(opened) if opened in self.fields else len(self.fields)
        return any(not f.separated for f in self.fields[:index])

    def _swallowed(self) -> bool:
        """Whether shown text is not prose here: inside an instruction, or the shown text
        of a citation, bibliography or unreadable field."""
        return any(
            not f.separated or f.kind in ("citation", "bibliography", "unreadable", "data")
            for f in self.fields
        )

    def _write(self, text: str, *, force: bool = False) -> None:
        if force or not self._swallowed():
            self.paragraph.append(text)
        elif self.fields and self.fields[-1].kind == "unreadable" and self.fields[-1].separated:
            self.fields[-1].shown.append(text)

    def _end_paragraph(self) -> None:
        text = " ".join("".join(self.paragraph).split())
        if text and ("heading" in self.style.lower() or self.style.lower() == "title"):
            text = "# " + text
        self.doc.add_paragraph(text)


class _Document:
    """The flattened document being built, and the works it cites."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []
        self.numbers: list[int] = []
        self.count = 0
        self.keys = KeyMaker()
        self.references: dict[str, Reference] = {}
        self.problems: list[Problem] = []
        self.fields = 0
        self.items = 0
        self.unreadable = 0

    def paragraph_number(self) -> int:
        return self.count + 1

    def add_paragraph(self, text: str) -> None:
        self.count += 1
        if self.lines:
            self.lines.append("")
            self.numbers.append(self.count)
        self.lines.append(text)
        self.numbers.append(self.count)

    def warn(self, paragraph: int, message: str) -> None:
        where = SourceLocation(self.source, paragraph)
        self.problems.append(Problem(where, message, "unreadable-citation", Severity.WARNING))

    def marker(self, works: list[CitedWork]) -> str:
        parts = []
        where = SourceLocation(self.source, self.paragraph_number())
        for work in works:
            self.items += 1
            key = self.keys.key(work.identity, work.surname, work.year)
            if key not in self.references:
                self.references[key] = work.build(key, where)
            locator = work.locator.replace(";", ",").replace("[", "(").replace("]", ")")
            parts.append(f"@{key}" + (f", {locator}" if locator else ""))
        return "[" + "; ".join(parts) + "]"


def read_docx(data: bytes, source: str) -> Decoded:
    """The flattened text of a .docx, its citation fields as ``[@key]`` markers, and the
    references built from the fields (see the module docstring)."""
    package = open_package(data, source)
    budget = [MAX_TOTAL_BYTES]
    document = _Document(source)
    found = False
    for part in _PARTS:
        content = read_part(package, part, source, budget)
        if content is None:
            continue
        found = True
        handler = _Flattener(document, part)
        parse_xml(content, handler, f"{source}!{part}", namespaces=True)
    if not found:
        raise ArticleError(
            "the package has no word/document.xml: it is not a Word document",
            location=SourceLocation(source),
        )
    return Decoded(
        text="\n".join(document.lines) + "\n",
        references=tuple(document.references.values()),
        problems=tuple(document.problems),
        lines=tuple(document.numbers),
        unit="paragraph",
        citations=document.items,
    )


FORMAT = ArticleFormat(
    name="docx",
    suffixes=(".docx",),
    aliases=("word",),
    mask_code=mask_markdown_code,
    mask_markup=mask_markdown_markup,
    read=read_docx,
)
