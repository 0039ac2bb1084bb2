"""Citation keys that are identifiers (Manubot, pandoc-citeproc), their aliases, CSL-JSON.

Manubot manuscripts cite by identifier: ``[@doi:10.1056/NEJMp1006304]``, ``@pmid:``,
``@pmcid:``, ``@arxiv:``, ``@isbn:``, ``@url:``, ``@wikidata:``; a ``tag:`` key is an alias
defined by a link-reference line (``[@tag:x]: doi:10.1/y``, in any Markdown file of the
manuscript's folder) or a row of ``citation-tags.tsv``. Such a key is looked up in the
bibliography by the identifier it names (:class:`IdentifierIndex`): the DOI, PMID or PMCID
of an entry, its URL, its arXiv id, or the ``standard_id`` Manubot writes in each item's
note. Manubot's resolved ``references.json`` is read by :func:`load_csl_library`, with the
``citations.tsv`` written beside it (each key as written to the item's id) when present.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from evidence.bibliography import Bibliography
from evidence.errors import BibliographyError, Problem, Severity, SourceLocation
from evidence.extract.csl import reference_from_csl
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Reference

__all__ = [
    "ID_PREFIXES",
    "IdentifierIndex",
    "link_aliases",
    "load_csl_library",
    "manuscript_aliases",
    "standard_id",
]

#: Key prefixes that name an identifier rather than a bibliography entry.
ID_PREFIXES = ("doi", "pmid", "pmcid", "pmc", "arxiv", "isbn", "url", "wikidata", "tag")
_LINK_LINE = re.compile(r"^\[@(?P<alias>[^\]\s]+)\]:\s*(?P<target>\S+)\s*$", re.M)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(?P<id>[^\s?#]+?)(?:\.pdf)?/?$", re.I)


def standard_id(key: str) -> str | None:
    """The identifier a prefixed key names, in one spelling (``None`` if it names none).

    >>> standard_id("DOI:10.1056/NEJMp1006304"), standard_id("pmcid:pmc456")
    ('doi:10.1056/nejmp1006304', 'pmcid:PMC456')
    """
    if re.match(r"10\.\d{4,9}/", key):  # a bare DOI used as a key: \cite{10.1/x}
        key = f"doi:{key}"
    prefix, sep, value = key.partition(":")
    prefix = prefix.lower()
    if not sep or not value or prefix not in ID_PREFIXES:
        return None
    if prefix == "doi":
        doi = normalise_doi(value)
        return f"doi:{doi}" if doi else None
    if prefix == "pmid":
        pmid = normalise_pmid(value)
        return f"pmid:{pmid}" if pmid else None
    if prefix in ("pmcid", "pmc"):
        pmcid = normalise_pmcid(value)
        return f"pmcid:{pmcid}" if pmcid else None
    if prefix == "isbn":
        return "isbn:" + re.sub(r"[^0-9Xx]", "", value).upper()
    if prefix == "arxiv":
        return "arxiv:" + value.lower()
    return f"{prefix}:{value}"


class IdentifierIndex:
    """A bibliography indexed by every identifier a key can name."""

    def __init__(self, references: Mapping[str, Reference]) -> None:
        self._by_id: dict[str, str] = {}
        self.references = references
        for key, ref in references.items():
            for ident in _identifiers(ref):
                self._by_id.setdefault(ident, key)

    def find(self, key: str) -> Reference | None:
        """The entry a prefixed key names (an arXiv version falls back to any version)."""
        ident = standard_id(key)
        if ident is None:
            return None
        found = self._by_id.get(ident)
        if found is None and ident.startswith("arxiv:"):
            found = self._by_id.get(re.sub(r"v\d+$", "", ident))
        if found is None and ident.startswith("url:"):
            found = self._by_id.get(ident.rstrip("/")) or self._by_id.get(ident + "/")
        return self.references.get(found) if found is not None else None


def _identifiers(ref: Reference) -> Iterable[str]:
    if ref.doi:
        yield f"doi:{ref.doi}"
    if ref.pmid:
        yield f"pmid:{ref.pmid}"
    if ref.pmcid:
        yield f"pmcid:{ref.pmcid}"
    fields = ref.fields
    standard = fields.get("standard_id", "")
    if standard and (ident := standard_id(standard)):
        yield ident
        if ident.startswith("arxiv:"):
            yield re.sub(r"v\d+$", "", ident)
    url = fields.get("url", "")
    if url:
        yield f"url:{url}"
        yield f"url:{url.rstrip('/')}"
        arxiv = _ARXIV_URL.search(url)
        if arxiv:
            yield f"arxiv:{arxiv.group('id').lower()}"
            yield "arxiv:" + re.sub(r"v\d+$", "", arxiv.group("id").lower())
    if fields.get("isbn"):
        yield "isbn:" + re.sub(r"[^0-9Xx]", "", fields["isbn"]).upper()


def link_aliases(text: str) -> dict[str, str]:
    """``[@tag:x]: doi:10.1/y`` lines: each alias (``tag:x``) to the key it stands for."""
    return {m.group("alias"): m.group("target") for m in _LINK_LINE.finditer(text)}


def manuscript_aliases(article: Path, text: str) -> dict[str, str]:
    """Every alias the manuscript defines: link-reference lines in the article and in
    the other Markdown files of its folder (Manubot keeps them in a back-matter file),
    and the rows of a ``citation-tags.tsv`` in the folder (``tag`` to ``citekey``)."""
    aliases: dict[str, str] = {}
    folder = article.parent
    siblings = sorted(folder.glob("*.md")) if article.suffix.lower() == ".md" else []
    for path in siblings:
        if path != article:
            try:
                aliases.update(link_aliases(path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                continue  # a neighbour that cannot be read defines nothing
    tags = folder / "citation-tags.tsv"
    if tags.is_file():
        try:
            with tags.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    tag, target = (row.get("tag") or "").strip(), (row.get("citekey") or "")
                    if tag and target.strip():
                        aliases[f"tag:{tag}"] = target.strip()
        except (OSError, UnicodeDecodeError, csv.Error):
            pass  # an unreadable tag table: its keys are reported as unmapped
    aliases.update(link_aliases(text))
    return aliases


def load_csl_library(path: str | Path) -> tuple[Bibliography, dict[str, str]]:
    """A CSL-JSON file (Manubot's ``references.json``, a Zotero or Mendeley export) as a
    bibliography keyed by each item's ``id``, and the key aliases of a Manubot
    ``citations.tsv`` beside it (``input_id`` to ``short_id``; empty when absent).

    Raises :class:`~evidence.errors.BibliographyError` when the file is not CSL-JSON; an
    item without an ``id`` or with one already used is reported and skipped.
    """
    path = Path(path)
    where = SourceLocation(str(path))
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BibliographyError(f"cannot read CSL-JSON: {error}", location=where) from None
    if isinstance(items, Mapping):
        items = items.get("items", [items])
    if not isinstance(items, list):
        raise BibliographyError("CSL-JSON must be a list of items", location=where)
    references: dict[str, Reference] = {}
    problems: list[Problem] = []
    for number, item in enumerate(items, 1):
        key = str(item.get("id", "")).strip() if isinstance(item, Mapping) else ""
        if not key or key in references:
            problems.append(
                Problem(
                    where,
                    f"item {number} has {'no id' if not key else f'the id {key!r} again'}; skipped",
                    "duplicate-key" if key else "empty-key",
                    Severity.ERROR,
                )
            )
            continue
        references[key] = reference_from_csl(item, key, where)
    aliases: dict[str, str] = {}
    table = path.parent / "citations.tsv"
    if table.is_file():
        try:
            with table.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    source, target = row.get("input_id") or "", row.get("short_id") or ""
                    if source and target in references:
                        aliases[source] = target
        except (OSError, UnicodeDecodeError, csv.Error):
            aliases = {}  # unreadable: keys are then matched by identifier alone
    return Bibliography(references.values(), problems=problems, path=str(path)), aliases
