"""What the Sphinx directive and the MkDocs plugin share: inputs read once, one table each.

Both integrations do the same thing for every table on a page: read a claims file, one or
more .bib files and maybe a PubMed snapshot; keep the claims asked for; gather studies
offline (or online, when asked); build the table; and turn every problem into a located
warning with a short *subtype* a user can silence. That work lives here, free of any
docs-tool import, so :mod:`evidence.sphinxext` and :mod:`evidence.mkdocs_plugin` only
translate it into their own nodes, HTML and loggers.

The steps themselves are :class:`evidence.pipeline.Pipeline`'s, the same the command line
takes; the build passes an :class:`~evidence.pipeline.InputCache` so several tables on one
page, or on many pages, parse each file once. The warning subtypes come from the one
registry of problem codes, :mod:`evidence.codes`.

Which parts of the rendered document a table shows (``layout``) and which columns it
hides (``hide_columns``) are decided by :func:`select_parts`, on the same grids and lists
:mod:`evidence.render` draws every format from, so the docs show what the CLI writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from evidence import codes
from evidence.bibliography import Bibliography, merge_bibliographies
from evidence.claims import ClaimSet
from evidence.errors import EvidenceError, Problem, SourceLocation
from evidence.pipeline import (
    InputCache,
    Pipeline,
    PubMedSettings,
    cited_references,
)
from evidence.render import AUDIENCES, Cell, Grid, Listing, TableRows, table_parts, visible_part
from evidence.snapshot import Snapshot
from evidence.table import EvidenceTable

__all__ = [
    "AUDIENCES",
    "BIB_PROBLEMS",
    "DEFAULT_STYLE",
    "LAYOUTS",
    "SUBTYPES",
    "Built",
    "InputCache",
    "Notice",
    "OncePerBuild",
    "PubMedSettings",
    "TableRequest",
    "build",
    "cell_pieces",
    "checked_style",
    "column_name",
    "known_columns",
    "plot_html",
    "select_parts",
    "split_list",
    "study_labels",
    "subtype_of",
]

LAYOUTS = ("detailed", "summary")

SUBTYPES: Mapping[str, str] = MappingProxyType(codes.subtypes())
"""Every warning subtype, with what it covers: drawn from the registry in
:mod:`evidence.codes` (listed in docs/docs-builds.md; a test keeps the two equal)."""


def subtype_of(problem: Problem, *, from_input: bool = False) -> str:
    """The warning subtype for ``problem``: ``input`` for problems in the input files,
    else the registry's subtype for its code (``unknown-key`` is ``unresolved``)."""
    if from_input:
        return "input"
    code = codes.lookup(problem.code)
    return code.subtype if code is not None else problem.code


DEFAULT_STYLE = "unsrt"


def checked_style(style: str, where: str = "") -> tuple[str, Notice | None]:
    """``style`` if it is a pybtex or CSL style; else the default and a warning (subtype
    ``option``) naming the close matches, so the build carries on."""
    from evidence.render.styles import StyleError, style_kind

    try:
        style_kind(style)
    except StyleError as error:
        message = f"{error}; the reference list uses {DEFAULT_STYLE!r} instead{where}"
        return DEFAULT_STYLE, Notice("option", message, None, None)
    return style, None


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


# --- one table -------------------------------------------------------------------------


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
    """A problem to report, with its subtype; ``path`` None means the directive itself.

    ``once`` marks a problem inside an input file: a build reports it once, however many
    pages use the file (see :class:`OncePerBuild`); ``key`` is the bibliography entry it is
    about, if any, so a build can leave out problems of entries no page cites.
    """

    subtype: str
    message: str
    path: Path | None
    line: int | None
    once: bool = False
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Built:
    """A built table (None when the inputs could not be used), the warnings to report, and
    the bibliography keys its claims cite."""

    table: EvidenceTable | None
    warnings: tuple[Notice, ...]
    cited: frozenset[str] = frozenset()


BIB_PROBLEMS = ("cited", "all")
"""Which problems of bibliography entries a docs build reports: only those of entries some
page cites (the default), or all."""


class OncePerBuild:
    """The problems in input files that a whole build found, each reported once.

    Every table adds the :class:`Notice` objects marked ``once`` and the keys it cites;
    :meth:`report` gives each problem once, leaving out problems of entries that no table
    cites unless ``which`` is ``"all"``. A problem not tied to an entry is always reported.
    """

    def __init__(self) -> None:
        self.notices: dict[tuple[Any, ...], Notice] = {}
        self.cited: set[str] = set()

    def add(self, notices: Iterable[Notice], cited: Iterable[str]) -> None:
        for notice in notices:
            self.notices.setdefault(
                (notice.subtype, notice.message, notice.path, notice.line), notice
            )
        self.cited.update(cited)

    def report(self, which: str = "cited") -> list[Notice]:
        if which not in BIB_PROBLEMS:
            raise ValueError(
                f"bib problems must be one of {', '.join(BIB_PROBLEMS)}, not {which!r}"
            )
        kept = [
            n
            for n in self.notices.values()
            if which == "all" or n.key is None or n.key in self.cited
        ]
        return sorted(kept, key=lambda n: (str(n.path or ""), n.line or 0, n.message))


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


def build(
    request: TableRequest, cache: InputCache, settings: PubMedSettings | None = None
) -> Built:
    """Read the inputs (through ``cache``), gather studies and build the table, through the
    same :class:`~evidence.pipeline.Pipeline` as the command line.

    Never raises for bad input: an unusable claims or .bib file gives ``table=None`` and
    its located problems; an unusable snapshot is reported and the table is built from
    the .bib data alone. Every other problem in the inputs and every remark of the table
    comes back as a :class:`Notice` with its subtype. Docs builds are offline unless the
    settings say otherwise.
    """
    pipeline = Pipeline(settings or PubMedSettings(offline=True), reader=cache, names=request.names)
    warnings: list[Notice] = []
    bibs: list[Bibliography] = []
    for path in request.bibs:
        try:
            bibs.append(pipeline.bibliography([path]))
        except EvidenceError as error:
            warnings += _error_warnings(error, request)
    try:
        claims = pipeline.claims(request.claims)
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
    references = merge_bibliographies(bibs)
    selected, option_warnings = _select(claims, request)
    warnings += option_warnings

    records: Snapshot | None = None
    if request.snapshot is not None:
        try:
            records = pipeline.snapshot(request.snapshot)
        except EvidenceError as error:
            warnings += _error_warnings(error, request)
    memo = (
        tuple(cache.digest(p) for p in request.bibs),
        cache.digest(request.snapshot) if records is not None and request.snapshot else "",
    )
    title = request.title if request.title is not None else claims.title or ""
    table = pipeline.table(selected, references, snapshot=records, title=title, memo=memo)
    warnings += [
        replace(_warning(p, request, "input"), once=True, key=p.key) for p in table.input_problems
    ]
    warnings += [_warning(p, request, subtype_of(p)) for p in table.remarks]
    cited = frozenset(ref.key for ref in cited_references(selected, references))
    return Built(table, tuple(warnings), cited)


# --- what a table shows -----------------------------------------------------------------

# The parts a summary shows, by id (see evidence.render.layout.PART_IDS).
_SUMMARY_PARTS = frozenset({"claims", "references"})


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
    Parts are chosen by their ids, never by their captions. Invisible and control
    characters in every part are shown or removed (:func:`~evidence.render.visible_part`).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of: {', '.join(LAYOUTS)}")
    document = table_parts(table, audience, style)
    known = {column_name(h) for part in document if isinstance(part, Grid) for h in part.headers}
    hidden = set(hide_columns)
    parts: list[Grid | Listing] = []
    for part in document:
        if layout == "summary" and part.id not in _SUMMARY_PARTS:
            continue
        if part.id == "remarks" and audience != "reviewers":
            continue
        if part.id == "references" and not references:
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
        parts.append(visible_part(part))
    return parts, [name for name in hide_columns if name not in known]


def known_columns(table: EvidenceTable, audience: str) -> list[str]:
    """Every column name a table for ``audience`` has, in order (for messages)."""
    names: dict[str, None] = {}
    for part in table_parts(table, audience, "unsrt"):
        if isinstance(part, Grid):
            names.update(dict.fromkeys(column_name(h) for h in part.headers))
    return list(names)


def study_labels(table: EvidenceTable) -> dict[str, tuple[str, int]]:
    """Each study label as the tables print it (``Liliang 2011 [1]``) -> (key, number),
    from the study links the layout gives its cells (numbered studies only)."""
    return {
        link.label: (link.key, link.number)
        for link in TableRows(table).studies.values()
        if link.number is not None
    }


def cell_pieces(
    cell: Cell, header: str = "", labels: Mapping[str, tuple[str, int]] | None = None
) -> list[Any]:
    """A cell's text split into plain strings and ``(label, key, number)`` study links.

    The links come from the studies the cell carries (:class:`~evidence.render.StudyLink`),
    never from its text; ``header`` and ``labels`` are not needed and kept for callers.
    """
    if not cell.studies or not cell.text:
        return [cell.text]
    pieces: list[Any] = []
    for i, study in enumerate(cell.studies):
        if i:
            pieces.append("; ")
        if study.number is None:
            pieces.append(study.label)
        else:
            pieces.append((study.label, study.key, study.number))
    return pieces


# --- forest plots on a page (issue 18) ------------------------------------------------


def plot_html(table: EvidenceTable, claim_id: str, prefix: str) -> tuple[str, Notice | None]:
    """One claim's forest plot as inline SVG for an HTML page, or a notice saying why not.

    The effect plot for a claim with comparative effects, the proportion plot otherwise
    (see :meth:`~evidence.table.evidence_table.EvidenceTable.plot`). Element ids get
    ``prefix`` so two plots
    on one page never share a clip path; the SVG keeps its text as text.
    """
    from evidence.plot import PlotDependencyError, figure_bytes

    try:
        figure = table.plot(claim_id)
    except (ValueError, PlotDependencyError) as error:
        return "", Notice("option", f"no forest plot for claim {claim_id!r}: {error}", None, None)
    svg = figure_bytes(figure, "svg").decode("utf-8")
    svg = svg[svg.find("<svg") :]  # an XML declaration and doctype are not allowed inline
    svg = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{prefix}-", svg)
    # Scale to the page's column (never above the drawn size) instead of being cut off by
    # it: the viewBox keeps the proportions once the fixed height is gone.
    svg = re.sub(
        r'<svg([^>]*?) width="([0-9.]+)pt" height="[0-9.]+pt"',
        r'<svg\1 style="width: 100%; max-width: \2pt; height: auto"',
        svg,
        count=1,
    )
    label = f"Forest plot of claim {claim_id}"
    return (
        f'<figure class="evidence-forest-plot" role="img" aria-label="{label}">{svg}</figure>',
        None,
    )
