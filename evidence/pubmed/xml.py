"""Safe XML for NCBI responses: a defused, streaming parser, and text flattening.

- **Safety.** All XML goes through :mod:`defusedxml` with ``forbid_dtd=False``,
  ``forbid_entities=True`` and ``forbid_external=True``. Real responses begin with a
  ``<!DOCTYPE PubmedArticleSet PUBLIC "..." "https://dtd.nlm.nih.gov/...">`` line; that is a
  *reference* to a DTD which expat never fetches, so it must be accepted (``forbid_dtd=True``
  would reject every real response). No real response declares an entity, so any entity
  declaration -- the billion laughs and quadratic blow-up bombs, and ``SYSTEM`` external
  entities such as ``file:///etc/passwd`` -- is refused before anything is expanded.
  The one exception is ``read_flat``, the quick way through a large EFetch body: it
  uses the C parser, which cannot refuse an entity, and so it reads no body in which a
  declaration could be (one containing ``<!ENTITY``, or not plainly UTF-8); those go
  through defusedxml as above.
- **Streaming.** Bodies are fed to the parser in 1 MiB chunks and every ``PubmedArticle``
  (and ``<ERROR>``) is handed over, then cleared, as soon as its end tag is read, so
  memory stays flat however many records a body holds. The line each one starts on is
  kept so problems can say where they are.
- **Text** keeps inline markup (``<i> <b> <sup> <sub> <u>``) as plain text in document
  order, tails included; MathML is written out linearly with prescripts first (``3He``).
  Runs of XML whitespace (space, tab, newline) become one space; other spaces such as
  U+00A0 and U+2009 are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from evidence.errors import PubMedResponseError, SourceLocation

#: A response body as it came (bytes) or as text.
Body = bytes | str

#: Bodies are fed to the parser in pieces of this many bytes (or characters).
CHUNK = 1 << 20
#: ... and to the C parser of :func:`read_flat` in smaller ones: it holds the interpreter
#: lock for a whole piece, and the client's thread sending the next request (on time, to
#: stay under NCBI's rate) must not wait long for it (64 KiB: about a millisecond).
FLAT_CHUNK = 1 << 16
#: Runs of XML whitespace, each written as one space.
XML_SPACE = re.compile(r"[ \t\r\n]+")
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_POSITION_SUFFIX = re.compile(r":\s*line \d+, column \d+$")


class _ArticleBuilder(TreeBuilder):
    """Builds the tree and hands over each article (and ``<ERROR>``) as soon as its end
    tag is read, with the line its start tag was on (expat knows the line only while the
    start tag is being handled). Articles never nest, so their tag alone marks them.

    These methods run for every element of a 10,000-record fetch, so they stay minimal.
    """

    def __init__(self) -> None:
        super().__init__()
        self.finished: list[tuple[Element, int]] = []
        self.line_of: Callable[[], int] = lambda: 0
        self._start_line = 0

    def start(self, tag: Any, attrs: dict[str, str], /) -> Element:
        if tag in _HANDED_OVER:
            self._start_line = self.line_of()
        return tree_start(self, tag, attrs)

    def end(self, tag: Any, /) -> Element:
        element = _tree_end(self, tag)
        if tag in _HANDED_OVER:
            self.finished.append((element, self._start_line))
        return element


# The base methods, looked up once: the builder's overrides call them for every element.
tree_start = TreeBuilder.start
_tree_end = TreeBuilder.end
# Elements handed over as soon as they end: each article, and NCBI's <ERROR>.
_HANDED_OVER = frozenset({"PubmedArticle", "PubmedBookArticle", "ERROR"})


def safe_parser(target: TreeBuilder) -> DefusedXMLParser:
    """An XML parser feeding ``target`` that accepts a DTD reference but no entity at all.

    See the module docstring for why ``forbid_dtd`` is off and the other two are on.
    """
    return DefusedXMLParser(
        target=target, forbid_dtd=False, forbid_entities=True, forbid_external=True
    )


def parse_xml(
    body: Body,
    source: str,
    what: str,
    expected: str,
    on_child: Callable[[Element, int], None] | None = None,
) -> Element:
    """Parse ``body`` safely and return its root element.

    With ``on_child``, each article or ``<ERROR>`` element is passed to it (with its start
    line) as soon as it is complete and is then cleared to free its memory.
    """
    builder = _ArticleBuilder()
    parser = safe_parser(builder)
    expat = parser.parser
    builder.line_of = lambda: int(expat.CurrentLineNumber)

    def drain() -> None:
        if on_child is not None:
            for element, line in builder.finished:
                on_child(element, line)
                element.clear()
        builder.finished.clear()

    try:
        for start in range(0, len(body), CHUNK):
            parser.feed(body[start : start + CHUNK])
            drain()
        root = parser.close()
        drain()
    except ParseError as exc:
        line, column = exc.position
        reason = _POSITION_SUFFIX.sub("", str(exc))
        hint = (
            "the response is empty"
            if not body.strip()
            else "the response was probably cut off or is not XML; fetching it again may help"
        )
        raise PubMedResponseError(
            f"cannot read the {what} as XML: {reason}; expected {expected} ({hint})",
            location=SourceLocation(source, line, column + 1),
        ) from exc
    except EntitiesForbidden as exc:
        kind = "an external entity" if exc.sysid else "an entity"
        raise PubMedResponseError(
            f"refused to read the {what}: it declares {kind} {exc.name!r}, which NCBI "
            "responses never do (expanding it could read local files or exhaust memory); "
            "check that the URL really points at NCBI",
            location=SourceLocation(source),
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise PubMedResponseError(
            f"refused to read the {what}: it refers to the external resource "
            f"{exc.sysid!r}, which NCBI responses never do",
            location=SourceLocation(source),
        ) from exc
    except DefusedXmlException as exc:  # any other construct defusedxml refuses
        raise PubMedResponseError(
            f"refused to read the {what}: {exc}", location=SourceLocation(source)
        ) from exc
    return root


class NotFlat(Exception):
    """:func:`read_flat` cannot vouch for this body; read it with :func:`parse_xml`."""


# An XML declaration naming an encoding, at the very start of a body.
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
# Encodings in which every ASCII character is its own byte, so that looking for the bytes
# ``<!ENTITY`` finds every entity declaration.
_ASCII_BASED = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})


def read_flat(body: Body, on_child: Callable[[Element], None]) -> str:
    """Parse ``body`` with the C parser and tree builder, handing each child of the root
    to ``on_child`` as soon as it is complete and then dropping it; return the root's tag.

    The quick way through a large, ordinary response; :func:`parse_xml` is the careful
    one, and a caller falls back to it whenever this raises :class:`NotFlat`: when the body
    may declare an entity (the C parser cannot refuse one, so a body containing
    ``<!ENTITY`` anywhere, or in an encoding where those bytes could hide, is not read
    here at all), and when it does not parse (:func:`parse_xml` then says where). Only the
    root's children are handed over: a caller that needs elements deeper down must check
    that there are none (``evidence.pubmed.efetch`` counts their start tags).
    """
    if isinstance(body, bytes):
        head = body[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
        declared = _DECLARED_ENCODING.match(head)
        if (
            not head.startswith(b"<")
            or b"\x00" in head  # UTF-16 or UTF-32 without a byte-order mark
            or (declared is not None and declared.group(1).lower() not in _ASCII_BASED)
        ):
            raise NotFlat("not plainly UTF-8")
        if b"<!ENTITY" in body:
            raise NotFlat("may declare an entity")
    elif "<!ENTITY" in body:
        raise NotFlat("may declare an entity")
    events: list[tuple[str, Element]] = []
    parser = XMLParser(target=TreeBuilder())
    try:
        # The root is wanted as soon as it starts (its finished children are taken from it
        # as the body streams in): "start" events are on until the first one, then off, so
        # the C parser reports nothing per element. ``_setevents`` is what XMLPullParser
        # uses; without it (another Python) the careful path is taken.
        parser._setevents(events, ("start",))  # type: ignore[attr-defined]
    except (AttributeError, TypeError) as exc:
        raise NotFlat("no C parser") from exc
    root: Element | None = None
    try:
        for start in range(0, len(body), FLAT_CHUNK):
            parser.feed(body[start : start + FLAT_CHUNK])
            if root is None:
                if not events:
                    continue
                root = events[0][1]
                parser._setevents(events, ())  # type: ignore[attr-defined]
                events.clear()
            done = len(root) - 1  # the last child may still be open
            if done > 0:
                for child in root[:done]:
                    on_child(child)
                del root[:done]
        final = parser.close()
    except ParseError as exc:
        raise NotFlat("does not parse") from exc
    for child in list(final):
        on_child(child)
    del final[:]
    return str(final.tag)


def flatten_text(element: Element | None) -> str:
    """The text of ``element`` with inline markup flattened, in document order.

    Child elements (``<i>``, ``<sub>``, MathML ...) give their text and their tails are
    kept; runs of XML whitespace become one space and the ends are trimmed. ``None`` gives
    ``""`` so optional elements need no check.

    >>> from xml.etree.ElementTree import fromstring
    >>> flatten_text(fromstring("<t><i>Phoenix dactylifera</i> made Cu<sub>2</sub>O.</t>"))
    'Phoenix dactylifera made Cu2O.'
    """
    if element is None:
        return ""
    if len(element) == 0:
        text = element.text
        if not text:
            return ""
    else:
        parts: list[str] = []
        _collect_text(element, parts)
        text = "".join(parts)
    # Most texts hold no run to rewrite, and these four scans cost less than the
    # substitution (a third of the time spent here on 10,000 records).
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        text = XML_SPACE.sub(" ", text)
    return text.strip()


def _collect_text(element: Element, parts: list[str]) -> None:
    # A loop with its own stack, not recursion: a title with inline markup nested
    # thousands deep (hostile or broken input) must not raise RecursionError.
    if element.text:
        parts.append(element.text)
    stack: list[tuple[Iterator[Element], str | None]] = [(iter(element), None)]
    while stack:
        children, tail = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if tail:
                parts.append(tail)
            continue
        tag = child.tag
        if isinstance(tag, str) and tag.startswith(_MATHML):
            parts.append(_math_text(child))
            if child.tail:
                parts.append(child.tail)
        else:
            if child.text:
                parts.append(child.text)
            stack.append((iter(child), child.tail))


def _math_text(element: Element) -> str:
    """MathML as linear text. Whitespace between MathML elements means nothing (it is
    pretty-printing), so only token content counts; ``mmultiscripts`` puts its
    prescripts first, as isotopes are written (``<mprescripts/>`` ... -> ``3He``).

    Children before parents, with a stack of our own (no recursion, so nesting depth is
    not limited by Python's).
    """
    values: list[str] = []  # the text of each finished element, children in order
    stack: list[tuple[Element, bool]] = [(element, False)]
    while stack:
        node, children_done = stack.pop()
        children = list(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        texts = values[len(values) - len(children) :] if children else []
        if children:
            del values[len(values) - len(children) :]
        values.append(_math_node(node, children, texts))
    return values[0]


def _math_node(element: Element, children: list[Element], texts: list[str]) -> str:
    """The text of one MathML element, given the texts of its children."""
    local = str(element.tag).rpartition("}")[2]
    if local == "mmultiscripts" and children:
        before: list[str] = []
        after: list[str] = []
        target = after
        for child, text in zip(children[1:], texts[1:], strict=True):
            if str(child.tag).endswith("}mprescripts"):
                target = before
            else:
                target.append(text)
        return "".join(before) + texts[0] + "".join(after)
    if children:
        return "".join(texts)
    if local in ("none", "mprescripts"):
        return ""
    if local == "mspace":
        return " "
    raw = element.text or ""
    text = raw.strip(" \t\r\n")
    # An mtext of plain spaces is how MathML writes a space between words.
    return text if text or not raw else " "


def child_text(element: Element, path: str) -> str:
    """Flattened text of the first match of ``path`` under ``element`` (``""`` if none)."""
    return flatten_text(element.find(path))


def error_elements(root: Element) -> list[str]:
    """Messages of ``<ERROR>`` elements directly under the root or one level down."""
    found = [flatten_text(e) for e in root.iterfind("ERROR")]
    found += [flatten_text(e) for e in root.iterfind("*/ERROR")]
    return [m or "(empty ERROR element)" for m in found]
