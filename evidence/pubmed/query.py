"""Building E-utilities requests: pure functions from identifiers to ``(endpoint, params)``.

Nothing here touches the network or reads settings; :mod:`evidence.pubmed.client` adds the
identity parameters (``tool``, ``email``, ``api_key``), chooses GET or POST with
:func:`should_post`, and sends. Keeping the wire format here means it can be checked
without a server.

>>> efetch_params(["27685632", "30683838"])
('efetch.fcgi', {'db': 'pubmed', 'retmode': 'xml', 'id': '27685632,30683838'})
>>> doi_term("10.1111/j.1526-4637.2011.01087.x")
'"10.1111/j.1526-4637.2011.01087.x"[doi]'
>>> ecitmatch_line(CitationQuery("Proc Natl Acad Sci U S A", 1991, "88", "3248", "Mann BJ"), "Art1")
'proc+natl+acad+sci+u+s+a|1991|88|3248|mann+bj|Art1|'

ECitMatch is the odd one out: NCBI wants the ``|`` field separators raw, not as ``%7C``,
so its ``bdata`` value is built here already encoded and :func:`encode_query` leaves it
alone (see the client for how the pipes survive urllib3 on the way out).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from urllib.parse import quote_plus, urlencode

from evidence import identifiers
from evidence.model import Reference

__all__ = [
    "DEFAULT_BASE_URL",
    "ECITMATCH",
    "EFETCH",
    "ESEARCH",
    "MAX_GET_IDS",
    "MAX_GET_QUERY_CHARS",
    "CitationQuery",
    "batched",
    "chunk_lines",
    "doi_term",
    "ecitmatch_line",
    "ecitmatch_params",
    "efetch_params",
    "encode_query",
    "esearch_doi_params",
    "normalise_doi",
    "normalise_pmid",
    "should_post",
]

#: Where E-utilities live; the client lets an argument or ``NCBI_EUTILS_URL`` replace it.
DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"

EFETCH = "efetch.fcgi"
ESEARCH = "esearch.fcgi"
ECITMATCH = "ecitmatch.cgi"  # .cgi, not .fcgi (E-utilities help, ch. 2)

#: NCBI: "if more than about 200 UIDs are to be provided, the request should be made using
#: the HTTP POST method" (E-utilities in depth, ch. 4).
MAX_GET_IDS = 200

#: Past this many characters of query string a GET risks HTTP 414; POST instead. Biopython
#: switches at 1000; a 200-PMID id list alone is about 1,800, so the limit sits above that.
MAX_GET_QUERY_CHARS = 2500


def normalise_pmid(text: str) -> str | None:
    """A PMID in canonical form (digits, no leading zeros), or ``None`` if it is not one.

    The same rule the .bib loader applies (:func:`evidence.identifiers.normalise_pmid`).

    >>> normalise_pmid(" 0027685632 ")
    '27685632'
    >>> normalise_pmid("PMC123") is None
    True
    """
    return identifiers.normalise_pmid(text)


def normalise_doi(text: str) -> str | None:
    """A bare lower-case DOI (``10.x/y``) from a DOI, ``doi:`` form or doi.org URL.

    The .bib loader's rule (:func:`evidence.identifiers.normalise_doi`), and one more: a DOI
    holding ``"`` is refused, since it would break the quoted search phrase. DOIs compare
    case-insensitively, so lower case loses nothing.

    >>> normalise_doi("https://doi.org/10.1056/NEJMoa1210384")
    '10.1056/nejmoa1210384'
    """
    doi = identifiers.normalise_doi(text)
    return None if doi is None or '"' in doi else doi


def batched(items: Iterable[str], size: int) -> Iterator[tuple[str, ...]]:
    """Consecutive chunks of at most ``size`` items, in order (the last may be shorter).

    >>> [len(b) for b in batched(map(str, range(450)), 200)]
    [200, 200, 50]
    """
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


def efetch_params(pmids: Sequence[str]) -> tuple[str, dict[str, str]]:
    """EFetch for a batch of PMIDs as PubMed XML (``id`` is a comma list, no spaces)."""
    if not pmids:
        raise ValueError("EFetch needs at least one PMID")
    return EFETCH, {"db": "pubmed", "retmode": "xml", "id": ",".join(pmids)}


def doi_term(doi: str) -> str:
    """The ESearch term for a DOI: quoted, so PubMed does not re-tokenise it at ``/``."""
    return f'"{doi}"[doi]'


def esearch_doi_params(doi: str, *, retmax: int = 5) -> tuple[str, dict[str, str]]:
    """ESearch for the PMIDs carrying ``doi``; a few ids are enough to see ambiguity."""
    return ESEARCH, {"db": "pubmed", "term": doi_term(doi), "retmax": str(retmax)}


def esearch_dois_params(dois: Sequence[str], *, retmax: int) -> tuple[str, dict[str, str]]:
    """One ESearch for the PMIDs carrying any of ``dois`` (their terms joined by ``OR``).

    >>> esearch_dois_params(["10.1/a", "10.1/b"], retmax=6)[1]["term"]
    '"10.1/a"[doi] OR "10.1/b"[doi]'
    """
    if not dois:
        raise ValueError("ESearch needs at least one DOI")
    term = " OR ".join(doi_term(doi) for doi in dois)
    return ESEARCH, {"db": "pubmed", "term": term, "retmax": str(retmax)}


def should_post(
    params: Mapping[str, str],
    n_ids: int,
    *,
    max_get_ids: int = MAX_GET_IDS,
    max_query_chars: int = MAX_GET_QUERY_CHARS,
) -> bool:
    """Whether to send ``params`` as a POST: above ``max_get_ids`` ids or a long query.

    >>> should_post({"id": "1"}, 200), should_post({"id": "1"}, 201)
    (False, True)
    """
    return n_ids > max_get_ids or len(urlencode(params)) > max_query_chars


@dataclass(frozen=True, slots=True)
class CitationQuery:
    """What ECitMatch matches on: journal, year, volume, first page and first author.

    ``author`` is written ``lastname initials`` (``mann bj``); ``journal`` is a title or an
    abbreviation. Empty fields are allowed (NCBI matches on what is there).
    """

    journal: str = ""
    year: int | str | None = None
    volume: str = ""
    first_page: str = ""
    author: str = ""

    @classmethod
    def from_reference(cls, reference: Reference) -> CitationQuery:
        """The query for a bibliography entry (first page taken from ``pages``)."""
        first = reference.first_author
        first_page = re.split(r"\s*[-\u2010-\u2015]+\s*", reference.pages.strip(), maxsplit=1)[0]
        return cls(
            journal=reference.journal,
            year=reference.year,
            volume=reference.volume,
            first_page=first_page,
            author=first.vancouver() if first else "",
        )


def _bdata_field(value: object, *, lower: bool = True) -> str:
    # Pipes and line breaks would shift the fields or split the citation, so they become
    # spaces; everything else but letters and digits is percent-encoded, spaces as "+".
    text = "" if value is None else str(value)
    text = " ".join(re.sub(r"[|\r\n]", " ", text).split())
    return quote_plus(text.lower() if lower else text, safe="")


def ecitmatch_line(citation: CitationQuery, key: str) -> str:
    """One ``bdata`` line, ``journal|year|volume|first_page|author|key|``, already encoded.

    Values (not the key) are lower-cased, spaces become ``+`` and the six pipes stay raw.
    """
    fields = (
        citation.journal,
        citation.year,
        citation.volume,
        citation.first_page,
        citation.author,
    )
    return "|".join([*(_bdata_field(f) for f in fields), _bdata_field(key, lower=False)]) + "|"


def chunk_lines(lines: Sequence[str], max_chars: int = 2000) -> list[list[str]]:
    """Group encoded ``bdata`` lines so each request's ``bdata`` stays under ``max_chars``.

    A single longer line still gets a chunk of its own.
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        extra = len(line) + (3 if current else 0)  # "%0D" between lines
        if current and size + extra > max_chars:
            chunks.append(current)
            current, size, extra = [], 0, len(line)
        current.append(line)
        size += extra
    if current:
        chunks.append(current)
    return chunks


def ecitmatch_params(lines: Sequence[str]) -> tuple[str, dict[str, str]]:
    """ECitMatch for encoded ``bdata`` lines, joined by a carriage return (``%0D``).

    The ``bdata`` value is already percent-encoded (with raw pipes): send it through
    :func:`encode_query` with ``raw=("bdata",)``, never through ``urlencode`` or
    ``requests``' ``params=``, which would turn each ``|`` into ``%7C``.
    """
    if not lines:
        raise ValueError("ECitMatch needs at least one citation")
    return ECITMATCH, {"db": "pubmed", "retmode": "xml", "bdata": "%0D".join(lines)}


def encode_query(params: Mapping[str, str], *, raw: Iterable[str] = ()) -> str:
    """``params`` as a query string; values named in ``raw`` are taken as already encoded.

    >>> encode_query({"db": "pubmed", "bdata": "a+b|1|", "tool": "my tool"}, raw=["bdata"])
    'db=pubmed&bdata=a+b|1|&tool=my+tool'
    """
    verbatim = set(raw)
    return "&".join(
        f"{quote_plus(name)}={value}" if name in verbatim else urlencode({name: value})
        for name, value in params.items()
    )
