"""What the Sphinx directive and the MkDocs plugin share: inputs read once, one table each.

Both integrations do the same thing for every table on a page: read a claims file, one or
more .bib files and maybe a PubMed snapshot; keep the claims asked for; gather studies
offline (or online, when asked); build the table; and turn every problem into a located
warning with a short *subtype* a user can silence. That work lives here, free of any
docs-tool import, so :mod:`evidence.sphinxext` and :mod:`evidence.mkdocs_plugin` only
translate it into their own nodes, HTML and loggers.

Why a content digest rather than a modification time decides when to re-read: a build
reads each input anyway to hash it (milliseconds, even for a 7000-entry .bib), while
parsing is what costs (seconds); a digest cannot be fooled by a coarse file-system clock
or by a checkout that restores old times. :class:`InputCache` keeps one parsed value per
file and digest, so several tables on one page, or on many pages, parse each file once.

Which parts of the rendered document a table shows (``layout``) and which columns it
hides (``hide_columns``) are decided by :func:`select_parts`, on the same grids and lists
:mod:`evidence.render.core` draws every format from, so the docs show what the CLI writes.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from evidence.bibliography.bibtex import Bibliography, load_references, parse_references
from evidence.claims import ClaimSet, load_claims, parse_claims
from evidence.errors import EvidenceError, Problem, Severity, SourceLocation
from evidence.model import PubMedRecord, Reference
from evidence.render.core import AUDIENCES, Cell, Grid, Listing, table_parts
from evidence.studies import Collection, collect_studies
from evidence.table import EvidenceTable, build_table

__all__ = [
    "AUDIENCES",
    "LAYOUTS",
    "SUBTYPES",
    "Built",
    "InputCache",
    "Notice",
    "PubMedSettings",
    "TableRequest",
    "build",
    "cell_pieces",
    "column_name",
    "known_columns",
    "select_parts",
    "split_list",
    "study_labels",
    "subtype_of",
]

LAYOUTS = ("detailed", "summary")

SUBTYPES: Mapping[str, str] = {
    "uncited": "a claim cites no study",
    "unresolved": "a claim cites a key that is not in the bibliography",
    "key-case": "a claim cites a key spelled in another case than the bibliography's",
    "retracted": "a cited study is retracted (it does not count towards the verdict)",
    "excluded": "a cited study does not count towards the verdict for another reason",
    "mismatch": "a .bib entry disagrees with its PubMed record",
    "not-found": "a PMID in the .bib is not in PubMed",
    "unreachable": "PubMed could not be reached (online builds only)",
    "input": "a claims, .bib or snapshot file has a problem, or cannot be used at all",
    "option": "a directive or block option names a claim, tag or column that does not exist",
}
"""Every warning subtype, with what it means (documented in docs/docs-builds.md)."""

# Remark codes that get another name as a subtype: the issue tracker and the Sphinx
# world call a citation to a missing key "unresolved", as the verdict does.
_RENAMED = {"unknown-key": "unresolved"}


def subtype_of(problem: Problem, *, from_input: bool = False) -> str:
    """The warning subtype for ``problem``: ``input`` for problems in the input files,
    else the remark's code (``unknown-key`` becomes ``unresolved``)."""
    if from_input:
        return "input"
    return _RENAMED.get(problem.code, problem.code)


def split_list(text: str | None) -> tuple[str, ...]:
    """Items of an option value separated by commas and/or whitespace, in order, once each.

    >>> split_list("a, b  c,,a")
    ('a', 'b', 'c')
    """
    if not text:
        return ()
    return tuple(dict.fromkeys(item for item in re.split(r"[,\s]+", text) if item))


def column_name(header: str) -> str:
    """The name a user writes for a column: its header in lower case, words joined by ``-``.

    >>> column_name("Proportion (95% CI)"), column_name("Supported by"), column_name("I²")
    ('proportion-95-ci', 'supported-by', 'i2')
    """
    header = header.replace("\N{SUPERSCRIPT TWO}", "2")
    return re.sub(r"[^a-z0-9]+", "-", header.lower()).strip("-")


# --- reading inputs once per build ------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class InputCache:
    """Parsed claims, bibliographies and snapshots, re-read only when a file's bytes change.

    One cache serves one build (the Sphinx environment or the MkDocs plugin holds it).
    ``parses`` counts the real parses per path, so a test can see that a second table on
    the same inputs parsed nothing. It pickles as an empty cache: a Sphinx environment is
    pickled between builds, and parsed input must not travel with it.
    """

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], tuple[str, Any]] = {}
        self._studies: dict[tuple[Any, ...], Collection] = {}
        self.parses: dict[str, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def _cached(self, kind: str, path: Path) -> tuple[str, Any | None, bytes]:
        """The file's digest, the value parsed from it before (None if stale) and its bytes."""
        data = path.read_bytes()
        digest = _digest(data)
        hit = self._values.get((kind, str(path)))
        if hit is not None and hit[0] == digest:
            return digest, hit[1], data
        return digest, None, data

    def _store(self, kind: str, path: Path, digest: str, value: Any) -> None:
        self._values[(kind, str(path))] = (digest, value)
        self.parses[str(path)] = self.parses.get(str(path), 0) + 1

    def digest(self, path: Path) -> str:
        """The digest of the file as last parsed ('' if it was not)."""
        return next((d for (_, p), (d, _) in self._values.items() if p == str(path)), "")

    def claims(self, path: Path, display: str) -> ClaimSet:
        """The claims in ``path``, named ``display`` in messages.

        Raises :class:`~evidence.errors.ClaimFileError` as :func:`evidence.load_claims`
        does (a missing file included).
        """
        try:
            digest, value, data = self._cached("claims", path)
        except OSError:
            return load_claims(path)  # raises the loader's own located error
        if value is not None:
            return value  # type: ignore[no-any-return]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return load_claims(path)  # raises, naming the undecodable line
        fmt = {".yml": "yaml", ".tsv": "csv"}.get(path.suffix.lower(), path.suffix[1:].lower())
        claims = parse_claims(text, fmt or "yaml", source=display)
        self._store("claims", path, digest, claims)
        return claims

    def references(self, path: Path, display: str) -> Bibliography:
        """The references in ``path``; raises :class:`~evidence.errors.BibliographyError`
        for a missing or undecodable file."""
        try:
            digest, value, data = self._cached("bib", path)
        except OSError:
            return load_references(path)  # raises the loader's own located error
        if value is not None:
            return value  # type: ignore[no-any-return]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return load_references(path)  # raises, listing the undecodable bytes
        bib = parse_references(text, source=display)
        self._store("bib", path, digest, bib)
        return bib

    def snapshot(self, path: Path) -> dict[str, PubMedRecord]:
        """The records of the snapshot at ``path``; raises its located ``SnapshotError``."""
        from evidence.snapshot import load_snapshot

        try:
            digest, value, _ = self._cached("snapshot", path)
        except OSError:
            return load_snapshot(path).records  # raises "not found, create it with ..."
        if value is not None:
            return value  # type: ignore[no-any-return]
        records = load_snapshot(path).records
        self._store("snapshot", path, digest, records)
        return records

    def studies(self, key: tuple[Any, ...], make: Any) -> Collection:
        """The collection for ``key`` (digests, keys and settings), made once by ``make()``."""
        found = self._studies.get(key)
        if found is None:
            found = self._studies[key] = make()
        return found


# --- one table -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PubMedSettings:
    """How a docs build gets PubMed records: offline by default, from the snapshot and
    the cache. ``options`` are further :class:`~evidence.pubmed.PubMedClient` arguments
    (``email``, ``base_url``, ``timeout``, ``max_retries`` ...) for online builds."""

    offline: bool = True
    cache: bool = True
    cache_dir: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[Any, ...]:
        return (self.offline, self.cache, self.cache_dir, tuple(sorted(self.options.items())))


@dataclass(frozen=True, slots=True)
class TableRequest:
    """One table asked for by a directive or a fenced block.

    Paths are absolute; ``names`` gives each the short name used in messages and in the
    remarks shown on the page (relative to the docs source, say).
    """

    claims: Path
    bibs: tuple[Path, ...]
    snapshot: Path | None = None
    names: Mapping[Path, str] = field(default_factory=dict)
    claim_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    title: str | None = None

    def name(self, path: Path) -> str:
        return self.names.get(path, str(path))

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the table is made from: the build dependencies."""
        extra = (self.snapshot,) if self.snapshot is not None else ()
        return (self.claims, *self.bibs, *extra)


@dataclass(frozen=True, slots=True)
class Notice:
    """A problem to report, with its subtype; ``location`` None means the directive itself."""

    subtype: str
    message: str
    path: Path | None
    line: int | None


@dataclass(frozen=True, slots=True)
class Built:
    """A built table (None when the inputs could not be used) and the warnings to report."""

    table: EvidenceTable | None
    warnings: tuple[Notice, ...]


def _warning(problem: Problem, request: TableRequest, subtype: str) -> Notice:
    by_name = {name: path for path, name in request.names.items()}
    where = problem.location.path
    path = by_name.get(where) or (Path(where) if os.path.isabs(where) else None)
    return Notice(subtype, problem.message, path, problem.location.line)


def _error_warnings(error: EvidenceError, request: TableRequest) -> list[Notice]:
    if error.problems:
        return [_warning(p, request, "input") for p in error.problems]
    location = error.location or SourceLocation("")
    return [_warning(Problem(location, error.message), request, "input")]


def _merge(bibs: Sequence[Bibliography], request: TableRequest) -> Bibliography:
    """Several .bib files as one bibliography; a key defined twice keeps its first entry."""
    if len(bibs) == 1:
        return bibs[0]
    entries: dict[str, Reference] = {}
    problems: list[Problem] = []
    for bib in bibs:
        problems.extend(bib.problems)
        for ref in bib.values():
            first = entries.get(ref.key)
            if first is None:
                entries[ref.key] = ref
                continue
            problems.append(
                Problem(
                    ref.location or SourceLocation(bib.path),
                    f"duplicate key '{ref.key}' (first defined at {first.location}); the "
                    "first entry is used: remove or rename one",
                    code="duplicate-key",
                    severity=Severity.WARNING,
                )
            )
    return Bibliography(entries.values(), problems=problems, path=bibs[0].path)


def _select(claims: ClaimSet, request: TableRequest) -> tuple[ClaimSet, list[Notice]]:
    """The claims named by id or carrying one of the tags (all when neither is given)."""
    if not request.claim_ids and not request.tags:
        return claims, []
    warnings = []
    known_ids = {claim.id for claim in claims}
    known_tags = {tag for claim in claims for tag in claim.tags}
    for claim_id in request.claim_ids:
        if claim_id not in known_ids:
            warnings.append(
                Notice(
                    "option",
                    f"no claim with id '{claim_id}' in {request.name(request.claims)}; "
                    f"the ids are: {', '.join(sorted(known_ids)) or 'none'}",
                    None,
                    None,
                )
            )
    for tag in request.tags:
        if tag not in known_tags:
            warnings.append(
                Notice(
                    "option",
                    f"no claim has the tag '{tag}' in {request.name(request.claims)}; "
                    f"the tags are: {', '.join(sorted(known_tags)) or 'none'}",
                    None,
                    None,
                )
            )
    wanted_ids, wanted_tags = set(request.claim_ids), set(request.tags)
    kept = [c for c in claims if c.id in wanted_ids or wanted_tags.intersection(c.tags)]
    return (
        ClaimSet(kept, path=claims.path, problems=claims.problems, title=claims.title),
        warnings,
    )


def _client(settings: PubMedSettings, snapshot: Mapping[str, PubMedRecord] | None) -> Any:
    from evidence.pubmed.cache import PubMedCache
    from evidence.pubmed.client import PubMedClient

    cache = PubMedCache(settings.cache_dir) if settings.cache else None
    return PubMedClient(
        cache=cache, snapshot=snapshot, offline=settings.offline, **dict(settings.options)
    )


def build(
    request: TableRequest, cache: InputCache, settings: PubMedSettings | None = None
) -> Built:
    """Read the inputs (through ``cache``), gather studies and build the table.

    Never raises for bad input: an unusable claims or .bib file gives ``table=None`` and
    its located problems; an unusable snapshot is reported and the table is built from
    the .bib data alone. Every other problem in the inputs and every remark of the table
    comes back as a :class:`Notice` with its subtype.
    """
    settings = settings or PubMedSettings()
    warnings: list[Notice] = []
    bibs: list[Bibliography] = []
    for path in request.bibs:
        try:
            bibs.append(cache.references(path, request.name(path)))
        except EvidenceError as error:
            warnings += _error_warnings(error, request)
    try:
        claims = cache.claims(request.claims, request.name(request.claims))
    except EvidenceError as error:
        warnings += _error_warnings(error, request)
        return Built(None, tuple(warnings))
    if not request.bibs:
        warnings.append(
            Notice(
                "input",
                "no .bib file for the evidence table: give one with the bib option (or "
                "configure one for the whole build)",
                None,
                None,
            )
        )
    if len(bibs) < len(request.bibs) or not request.bibs:
        return Built(None, tuple(warnings))
    references = _merge(bibs, request)
    selected, option_warnings = _select(claims, request)
    warnings += option_warnings

    records: dict[str, PubMedRecord] | None = None
    if request.snapshot is not None:
        try:
            records = cache.snapshot(request.snapshot)
        except EvidenceError as error:
            warnings += _error_warnings(error, request)
    cited: dict[str, Reference] = {}
    for claim in selected:
        for citation in claim.citations:
            ref = references.find(citation.key)
            if ref is not None:
                cited.setdefault(ref.key, ref)

    def collect() -> Collection:
        with _client(settings, records) as client:
            return collect_studies(list(cited.values()), client)

    key = (
        tuple(cache.digest(p) for p in request.bibs),
        cache.digest(request.snapshot) if records is not None and request.snapshot else "",
        tuple(cited),
        settings.key(),
    )
    collection = cache.studies(key, collect)
    title = request.title if request.title is not None else claims.title or ""
    table = build_table(selected, references, studies=collection, title=title)
    warnings += [_warning(p, request, "input") for p in table.input_problems]
    warnings += [_warning(p, request, subtype_of(p)) for p in table.remarks]
    return Built(table, tuple(warnings))


# --- what a table shows -----------------------------------------------------------------

_SUMMARY_CAPTIONS = {"Claims", "What the research says", "References"}
# Lists that stay when a layout or audience leaves the evidence out.
_REMARKS = "Remarks"


def select_parts(
    table: EvidenceTable,
    *,
    audience: str = "reviewers",
    layout: str = "detailed",
    hide_columns: Iterable[str] = (),
    style: str = "unsrt",
    references: bool = True,
) -> tuple[list[Grid | Listing], list[str]]:
    """The grids and lists to show, and the names in ``hide_columns`` that match no column.

    ``detailed`` shows everything the text formats show; ``summary`` only the claims
    and the references. Remarks are shown to reviewers only: a patient page says what the
    research says, while every remark still reaches the build log as a warning.
    ``references=False`` leaves the reference list out (sphinxcontrib-bibtex shows it).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of: {', '.join(LAYOUTS)}")
    document = table_parts(table, audience, style)
    known = {column_name(h) for part in document if isinstance(part, Grid) for h in part.headers}
    hidden = set(hide_columns)
    parts: list[Grid | Listing] = []
    for part in document:
        if layout == "summary" and part.caption not in _SUMMARY_CAPTIONS:
            continue
        if part.caption == _REMARKS and audience != "reviewers":
            continue
        if part.caption == "References" and not references:
            continue
        if isinstance(part, Grid):
            keep = [i for i, h in enumerate(part.headers) if column_name(h) not in hidden]
            if not keep or not part.rows:
                continue
            part = replace(
                part,
                headers=tuple(part.headers[i] for i in keep),
                rows=tuple(tuple(row[i] for i in keep) for row in part.rows),
            )
        parts.append(part)
    return parts, [name for name in hide_columns if name not in known]


def known_columns(table: EvidenceTable, audience: str) -> list[str]:
    """Every column name a table for ``audience`` has, in order (for messages)."""
    names: dict[str, None] = {}
    for part in table_parts(table, audience, "unsrt"):
        if isinstance(part, Grid):
            names.update(dict.fromkeys(column_name(h) for h in part.headers))
    return list(names)


def study_labels(table: EvidenceTable) -> dict[str, tuple[str, int]]:
    """Each study label as the tables print it (``Liliang 2011 [1]``) -> (key, number)."""
    labels: dict[str, tuple[str, int]] = {}
    for key, study, number in zip(
        table.evidence["key"], table.evidence["study"], table.evidence["ref_number"], strict=True
    ):
        if pd.isna(number):
            continue
        labels.setdefault(f"{study} [{int(number)}]", (str(key), int(number)))
    return labels


LINKED_HEADERS = frozenset({"Study", "Supported by", "Contradicted by", "Studies"})
"""Headers of the columns whose cells list study labels (linked to the reference list)."""


def cell_pieces(cell: Cell, header: str, labels: Mapping[str, tuple[str, int]]) -> list[Any]:
    """A cell's text split into plain strings and ``(label, key, number)`` study links."""
    if header not in LINKED_HEADERS or not cell.text:
        return [cell.text]
    pieces: list[Any] = []
    for i, part in enumerate(cell.text.split("; ")):
        if i:
            pieces.append("; ")
        found = labels.get(part)
        pieces.append((part, *found) if found else part)
    return pieces
