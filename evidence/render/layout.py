"""The layout model: what every format shows, as captioned grids and lists of cells.

:func:`table_parts` turns an
:class:`~evidence.table.evidence_table.EvidenceTable` into an ordered list of
:class:`Grid` and :class:`Listing` parts, which every text renderer, the Sphinx directive
and the MkDocs plugin draw, so a column or a remark added here appears in all of them.
Each part carries a stable ``id`` (one of :data:`PART_IDS`), which front ends choose
parts by (captions are for people and may change), and a cell that names studies carries
them as :class:`StudyLink` data (key and reference number), so nothing has to re-read
"Liliang 2011 [1]" out of display text.

:class:`TableRows` holds one render call's rows of the table's frames as plain dicts,
made once and read by every part; it lives only as long as that call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd

from evidence.model import Certainty, PubMedStatus, RetractionStatus, StudyDesign
from evidence.render.references import reference_lines

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = [
    "AUDIENCES",
    "PART_IDS",
    "REFERENCE_ANCHOR",
    "SUGGESTION_MARK",
    "Cell",
    "Grid",
    "Listing",
    "StudyLink",
    "TableRows",
    "doi_url",
    "plain_text",
    "pubmed_url",
    "records",
    "short_claim",
    "table_parts",
]

AUDIENCES = ("reviewers", "patients")

PART_IDS = (
    "claims", "evidence", "pooled", "effects", "certainty", "abstracts", "remarks", "references",
)  # fmt: skip
"""The ids of the parts :func:`table_parts` can return, in the order they come."""

REFERENCE_ANCHOR = "ref"
"""The anchor of the reference list: its items are ``ref-1``, ``ref-2`` ... in HTML."""


@dataclass(frozen=True, slots=True)
class StudyLink:
    """A study named in a cell: its label as printed, its .bib key and its number in the
    reference list (None for a key that is not in the bibliography)."""

    label: str
    key: str
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's text, with an optional link target (PMID, DOI or reference anchor).

    ``links`` are (label, url) pairs shown after the text in lists; ``studies`` are the
    studies the text names, in order (its text is their labels joined by ``"; "``).
    """

    text: str
    href: str = ""
    links: tuple[tuple[str, str], ...] = ()
    studies: tuple[StudyLink, ...] = ()


@dataclass(frozen=True, slots=True)
class Grid:
    """A captioned table: headers and rows of :class:`Cell`; ``id`` is one of
    :data:`PART_IDS`."""

    id: str
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """A titled list under the tables (remarks, certainty reasons, references); ``id`` is
    one of :data:`PART_IDS`."""

    id: str
    caption: str
    items: tuple[Cell, ...]
    ordered: bool = False
    anchor: str = ""  # items get ids ``{anchor}-1``, ``{anchor}-2`` ... when set


def plain_text(value: Any) -> str:
    """A cell value as text: missing values (None, NA, NaN) are empty; lists joined by
    ``"; "``."""
    kind = type(value)
    if kind is str:  # most cells: fast paths (the table benchmark's profile), same results
        return str(value)  # the same object (a str is its own str)
    if value is None:
        return ""
    if kind is float:
        return "" if value != value else str(value)  # only NaN differs from itself
    if kind is int:
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NA:
        return ""
    if isinstance(value, tuple | list):
        return "; ".join(plain_text(v) for v in value)
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts, as ``frame.to_dict(orient="records")`` gives them (missing
    values of nullable columns as ``None``), made column by column: 3-4 times faster (the
    table benchmark's profile: row making was half of a render)."""
    names = list(frame.columns)
    columns = []
    for name in names:
        values = frame[name].tolist()
        if isinstance(frame[name].dtype, pd.api.extensions.ExtensionDtype):
            values = [None if v is pd.NA else v for v in values]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def pubmed_url(pmid: str) -> str:
    """The PubMed page of a PMID ('' when it is not a plain number)."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else ""


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI, percent-encoded so no DOI can break out of a link."""
    return f"https://doi.org/{quote(doi, safe='/')}" if doi.startswith("10.") else ""


class TableRows:
    """One render call's view of a table: each frame's rows as plain dicts, made once
    whichever parts read them, and the study each key names.

    Made afresh by every call of :func:`table_parts` and of the CSV and JSON renderers
    (a table's frames are not frozen, so nothing made from them outlives the call).
    """

    def __init__(self, table: EvidenceTable) -> None:
        self.table = table
        self._dois: dict[str, str] = {}
        self._labels: dict[tuple[type[Any], str], str] = {}

    @cached_property
    def claims(self) -> list[dict[str, Any]]:
        """The rows of ``table.claims``."""
        return records(self.table.claims)

    @cached_property
    def evidence(self) -> list[dict[str, Any]]:
        """The rows of ``table.evidence``."""
        return records(self.table.evidence)

    @cached_property
    def pooled(self) -> list[dict[str, Any]]:
        """The rows of ``table.pooled``."""
        return records(self.table.pooled)

    @cached_property
    def comparative(self) -> list[dict[str, Any]]:
        """The rows of ``table.comparative`` (comparative effects, per study and pooled)."""
        return records(self.table.comparative)

    @cached_property
    def studies(self) -> dict[str, StudyLink]:
        """Each cited key's study as the tables name it (``Liliang 2011 [1]``)."""
        links: dict[str, StudyLink] = {}
        for rec in self.evidence:
            key = rec["key"]
            if key not in links:
                links[key] = _study_link(rec)
        return links

    def study(self, key: str) -> StudyLink:
        """The study ``key`` names (the bare key when no citation row has it)."""
        return self.studies.get(key) or StudyLink(key, key)

    @cached_property
    def study_cells(self) -> dict[str, Cell]:
        """Each cited key's cell in a Study column: its label, linked to its reference
        (made once per study, not once per citation)."""
        return {key: _study_cell(link) for key, link in self.studies.items()}

    def doi_url(self, doi: str) -> str:
        """:func:`doi_url`, each DOI quoted once per call: a study's DOI shows once per
        citation of it, and quoting is slow enough to show in the benchmark."""
        url = self._dois.get(doi)
        if url is None:
            url = self._dois[doi] = doi_url(doi)
        return url

    def label(self, vocabulary: type[Any], value: Any) -> str:
        """``_label(vocabulary, value)``, each value looked up once per call (a design or
        a certainty shows on thousands of rows)."""
        key = (vocabulary, plain_text(value))
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = _label(vocabulary, key[1])
        return label


def _study_link(rec: Mapping[str, Any]) -> StudyLink:
    number = plain_text(rec["ref_number"])
    if not number:
        return StudyLink(f"{rec['key']} (unknown key)", rec["key"])
    return StudyLink(f"{rec['study']} [{number}]", rec["key"], int(rec["ref_number"]))


def _studies_cell(links: tuple[StudyLink, ...]) -> Cell:
    return Cell("; ".join(link.label for link in links), studies=links)


def _percent(value: Any) -> str:
    text = plain_text(value)
    return "" if not text else f"{float(value) * 100:.0f}%"


def _interval_text(estimate: Any, low: Any, high: Any) -> str:
    """``40% (28-54%)`` (with an en dash): a proportion with its 95% interval, or ''."""
    if not plain_text(estimate):
        return ""
    if not plain_text(low) or not plain_text(high):
        return _percent(estimate)
    return f"{_percent(estimate)} ({_percent(low)}\N{EN DASH}{_percent(high)})"


def _label(vocabulary: type[Any], value: Any) -> str:
    text = plain_text(value)
    try:
        return str(vocabulary(text).label)
    except ValueError:
        return text


# --- the parts ------------------------------------------------------------------------


def _claims_grid(rows: TableRows, audience: str) -> Grid:
    out: list[tuple[Cell, ...]] = []
    studies = rows.studies
    for rec in rows.claims:
        supporting = tuple(studies.get(k) or StudyLink(k, k) for k in rec["supported_by"])
        against = tuple(studies.get(k) or StudyLink(k, k) for k in rec["contradicted_by"])
        waiting = tuple(studies.get(k) or StudyLink(k, k) for k in rec["unreviewed"] or ())
        if audience == "patients":
            out.append(
                (
                    Cell(plain_text(rec["text"])),
                    Cell(plain_text(rec["plain_language"])),
                    _studies_cell(supporting + against),
                )
            )
            continue
        certainty = rows.label(Certainty, rec["certainty"])
        if certainty and rec["certainty_source"] == "user":
            certainty += " (reviewer)"
        out.append(
            (
                Cell(plain_text(rec["id"])),
                Cell(plain_text(rec["text"])),
                Cell(plain_text(rec["verdict"])),
                Cell(certainty),
                _studies_cell(supporting),
                _studies_cell(against),
                _studies_cell(waiting),
                Cell(plain_text(rec["participants"])),
            )
        )
    if audience == "patients":
        return Grid(
            "claims",
            "What the research says",
            ("Statement", "What the research says", "Studies"),
            tuple(out),
        )
    headers: tuple[str, ...] = (
        "ID", "Claim", "Verdict", "Certainty", "Supported by", "Contradicted by",
        "Not yet reviewed", "n",
    )  # fmt: skip
    if not any(row[6].studies for row in out):
        # Shown only while some claim waits for review: a reviewed table keeps its columns.
        headers = headers[:6] + headers[7:]
        out = [row[:6] + row[7:] for row in out]
    return Grid("claims", "Claims", headers, tuple(out))


def _notes(rec: Mapping[str, Any]) -> str:
    """What a reader must know about one citation: exclusion, retraction, PubMed trouble."""
    notes = []
    if plain_text(rec["excluded"]):
        notes.append(f"does not count: {rec['excluded']}")
    elif plain_text(rec["retraction"]) not in ("", "none", "not checked"):
        notes.append(_label(RetractionStatus, rec["retraction"]))
    status = plain_text(rec["pubmed_status"])
    if status in ("not-found", "unavailable", "unresolved"):
        notes.append(f"PubMed: {_label(PubMedStatus, status)}")
    if plain_text(rec["pubmed_title"]):
        notes.append(f"PubMed title: {rec['pubmed_title']}")
    others = [m for m in rec["mismatches"] or () if not m.startswith("title:")]
    if others:
        notes.append("differs from PubMed: " + "; ".join(others))
    if rec["mentions"] is False:
        notes.append("the abstract does not appear to mention the claim")
    return "; ".join(notes)


SUGGESTION_MARK = "Suggestion, not reviewed"
"""How every format introduces what the abstract suggests for an unreviewed citation."""

CLAIM_TEXT_WIDTH = 60
"""Claim text beside its id in the evidence grid is cut to about this many characters."""


def short_claim(text: str, width: int = CLAIM_TEXT_WIDTH) -> str:
    """``text`` cut at a word boundary to about ``width`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0] or text[:width]
    return cut.rstrip(",;:") + "\N{HORIZONTAL ELLIPSIS}"


def _suggestion_text(rec: Mapping[str, Any]) -> str:
    """``Suggestion, not reviewed: numbers 21/52 (40%) patients; design ...`` or ''."""
    parts = []
    if rec["suggested_numbers"]:
        parts.append("numbers " + ", ".join(rec["suggested_numbers"]))
    if plain_text(rec["suggested_design"]):
        parts.append("design " + _label(StudyDesign, rec["suggested_design"]))
    if len(rec["suggested_sentences"] or ()) > 1:
        others = rec["suggested_sentences"][1:]
        quoted = (
            f"\N{LEFT DOUBLE QUOTATION MARK}{s}\N{RIGHT DOUBLE QUOTATION MARK}" for s in others
        )
        parts.append("also " + " ".join(quoted))
    return f"{SUGGESTION_MARK}: " + "; ".join(parts) if parts else ""


def _abstract_list(rows: TableRows) -> Listing:
    """For each citation with an abstract, its sentence that best matches the claim, which
    abstract it came from, and for an unreviewed citation what the abstract suggests."""
    items = []
    for rec in rows.evidence:
        sentence = plain_text(rec["best_sentence"])
        if not sentence:
            continue
        flag = "" if rec["mentions"] else " (below the mention threshold: check the citation)"
        source = plain_text(rec["abstract_source"])
        origin = f" [abstract: {source}]" if source else ""
        suggestion = _suggestion_text(rec)
        tail = f"{flag}{origin} {suggestion}." if suggestion else f"{flag}{origin}"
        items.append(Cell(f"{rec['claim_id']}, {rec['study']}: \N{LEFT DOUBLE QUOTATION MARK}"
                           f"{sentence}\N{RIGHT DOUBLE QUOTATION MARK}{tail}"))  # fmt: skip
    return Listing("abstracts", "Best-matching abstract sentences", tuple(items))


def _study_cell(link: StudyLink) -> Cell:
    """A study's label linked to its reference (no link for an unknown key)."""
    href = f"#{REFERENCE_ANCHOR}-{link.number}" if link.number is not None else ""
    return Cell(link.label, href, studies=(link,))


def _patient_studies_grid(rows: TableRows) -> Grid:
    """Each cited study once, with its design and what it found in numbers where given."""
    out: list[tuple[Cell, ...]] = []
    best: dict[str, dict[str, Any]] = {}
    for rec in rows.evidence:
        if not plain_text(rec["ref_number"]):
            continue
        kept = best.get(rec["key"])
        # Prefer the citation that gives numbers, then the longest finding.
        rank = (bool(plain_text(rec["n"])), len(plain_text(rec["finding"])))
        if kept is None or rank > (bool(plain_text(kept["n"])), len(plain_text(kept["finding"]))):
            best[rec["key"]] = rec
    for rec in sorted(best.values(), key=lambda r: int(r["ref_number"])):
        out.append(
            (
                rows.study_cells[rec["key"]],
                Cell(rows.label(StudyDesign, rec["design"])),
                Cell(plain_text(rec["finding"])),
            )
        )
    return Grid("evidence", "The studies", ("Study", "Kind of study", "What it found"), tuple(out))


def _evidence_grid(rows: TableRows, audience: str) -> Grid:
    if audience == "patients":
        return _patient_studies_grid(rows)
    out: list[tuple[Cell, ...]] = []
    claim_text = {rec["id"]: plain_text(rec["text"]) for rec in rows.claims}
    # Each claim's first cell, made once for its citations (each claim has several).
    claim_cells: dict[str, str] = {}
    for rec in rows.evidence:
        events, n = plain_text(rec["events"]), plain_text(rec["n"])
        pmid, doi = plain_text(rec["pmid"]), plain_text(rec["doi"])
        design = rows.label(StudyDesign, rec["design"])
        numbers = _interval_text(rec["proportion"], rec["ci_low"], rec["ci_high"])
        claim_id = plain_text(rec["claim_id"])
        first = claim_cells.get(claim_id)
        if first is None:
            text = short_claim(claim_text.get(claim_id, ""))
            first = claim_cells[claim_id] = f"{claim_id}: {text}" if text else claim_id
        out.append(
            (
                Cell(first),
                rows.study_cells[rec["key"]],
                Cell(design),
                Cell(plain_text(rec["stance"])),
                Cell(plain_text(rec["finding"])),
                Cell(f"{events}/{n}" if events and n else n),
                Cell(numbers),
                Cell(pmid, pubmed_url(pmid)),
                Cell(doi, rows.doi_url(doi)),
                Cell(_notes(rec)),
            )
        )
    headers = (
        "Claim", "Study", "Design", "Stance", "Finding", "Events/n", "Proportion (95% CI)",
        "PMID", "DOI", "Notes",
    )  # fmt: skip
    return Grid("evidence", "Evidence", headers, tuple(out))


def _pooled_grid(rows: TableRows) -> Grid:
    out = []
    for rec in rows.pooled:
        out.append(
            (
                Cell(plain_text(rec["claim_id"])),
                Cell(plain_text(rec["outcome"])),
                _studies_cell(tuple(rows.study(k) for k in rec["keys"])),
                Cell(_interval_text(rec["estimate"], rec["low"], rec["high"])),
                Cell(f"{float(rec['i2']) * 100:.0f}%"),
            )
        )
    headers = ("Claim", "Outcome", "Studies", "Pooled proportion (95% CI)", "I\N{SUPERSCRIPT TWO}")
    return Grid("pooled", "Pooled estimates (random effects)", headers, tuple(out))


# --- comparative effects (issue 18): a part of its own --------------------------------


def _number(value: Any) -> str:
    """A ratio or difference as tables print them: 2 decimals, 3 below 0.1 (not 0.00)."""
    number = float(value)
    return f"{number:.3f}" if number != 0 and abs(number) < 0.1 else f"{number:.2f}"


def effect_text(measure: str, estimate: Any, low: Any, high: Any) -> str:
    """``RR 0.41 (0.13\N{EN DASH}1.26)``: an effect on its natural scale with its
    interval, or ``""`` without an estimate."""
    if not plain_text(estimate):
        return ""
    text = f"{measure} {_number(estimate)}"
    if plain_text(low) and plain_text(high):
        text += f" ({_number(low)}\N{EN DASH}{_number(high)})"
    return text


def _arm_text(rec: Mapping[str, Any], arm: str) -> str:
    if plain_text(rec[f"{arm}_events"]):
        return f"{rec[f'{arm}_events']}/{rec[f'{arm}_n']}"
    if plain_text(rec[f"{arm}_mean"]):
        mean, sd = float(rec[f"{arm}_mean"]), float(rec[f"{arm}_sd"])
        return f"{mean:g} (SD {sd:g}), n={rec[f'{arm}_n']}"
    return ""


def _heterogeneity_text(rec: Mapping[str, Any]) -> str:
    """``I² 92%, τ² 0.313, Q 152.23 on 12 df (p < 0.001); prediction interval 0.13-1.78``."""
    if not plain_text(rec["q"]):
        return ""
    parts = [f"I\N{SUPERSCRIPT TWO} {float(rec['i2']) * 100:.0f}%"]
    if plain_text(rec["tau2"]) and "random" in plain_text(rec["method"]):
        parts.append(f"\N{GREEK SMALL LETTER TAU}\N{SUPERSCRIPT TWO} {float(rec['tau2']):.3g}")
    q = f"Q {float(rec['q']):.2f} on {rec['q_df']} df"
    if plain_text(rec["q_p"]):
        p = float(rec["q_p"])
        q += " (p < 0.001)" if p < 0.001 else f" (p = {p:.3f})"
    parts.append(q)
    text = ", ".join(parts)
    if plain_text(rec["pi_low"]) and plain_text(rec["pi_high"]):
        text += (
            f"; prediction interval {_number(rec['pi_low'])}\N{EN DASH}{_number(rec['pi_high'])}"
        )
    return text


def _effects_grid(rows: TableRows) -> Grid:
    """Comparative effects: each study's effect and weight, then each group's pooled row."""
    out = []
    for rec in rows.comparative:
        measure = plain_text(rec["measure"])
        outcome = plain_text(rec["outcome"])
        pooled = rec["row"] == "pooled"
        if pooled:
            study = Cell(f"Pooled ({plain_text(rec['method'])}; k={rec['k']})")
            notes = _heterogeneity_text(rec)
            if plain_text(rec["note"]):
                notes = f"{notes}; {rec['note']}" if notes else plain_text(rec["note"])
        else:
            study = rows.study_cells.get(rec["key"]) or Cell(plain_text(rec["study"]))
            notes = plain_text(rec["excluded"])
            if plain_text(rec["correction"]) and float(rec["correction"]) > 0:
                added = f"{float(rec['correction']):g} added to each cell (a zero cell)"
                notes = f"{notes}; {added}" if notes else added
            if rec["source"] == "reported":
                notes = f"{notes}; as reported" if notes else "as reported"
        labels = [plain_text(rec["t_label"]), plain_text(rec["c_label"])]
        if not pooled and any(labels):
            outcome += f" ({labels[0] or 'treatment'} vs {labels[1] or 'control'})"
        out.append(
            (
                Cell(plain_text(rec["claim_id"])),
                Cell(outcome),
                study,
                Cell("" if pooled else _arm_text(rec, "t")),
                Cell("" if pooled else _arm_text(rec, "c")),
                Cell(effect_text(measure, rec["estimate"], rec["low"], rec["high"])),
                Cell(f"{float(rec['weight']) * 100:.1f}%" if plain_text(rec["weight"]) else ""),
                Cell(notes),
            )
        )
    headers = (
        "Claim", "Outcome", "Study", "Treatment", "Control", "Effect (95% CI)", "Weight", "Notes",
    )  # fmt: skip
    return Grid("effects", "Comparative effects", headers, tuple(out))


def _certainty_list(rows: TableRows) -> Listing:
    items = []
    for rec in rows.claims:
        if not plain_text(rec["certainty"]):
            continue
        level = rows.label(Certainty, rec["certainty"])
        source = " (set by a reviewer)" if rec["certainty_source"] == "user" else ""
        reasons = " ".join(_sentence(r) for r in rec["certainty_reasons"] or ())
        items.append(Cell(f"{rec['id']}: {level}{source}. {reasons}".strip()))
    return Listing("certainty", "Certainty of evidence (GRADE)", tuple(items))


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def table_parts(
    table: EvidenceTable, audience: str, style: str, *, rows: TableRows | None = None
) -> list[Grid | Listing]:
    """Everything a text format shows, in order, as grids and lists (ids in
    :data:`PART_IDS`).

    Every renderer here, the Sphinx directive and the MkDocs plugin draw this one layout,
    so a column or a remark added here appears in all of them. ``rows`` lets a caller
    that reads the frames itself share them; by default they are made for this call.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; choose one of: {', '.join(AUDIENCES)}")
    rows = rows or TableRows(table)
    parts: list[Grid | Listing] = [_claims_grid(rows, audience)]
    if len(table.evidence):
        parts.append(_evidence_grid(rows, audience))
    if audience == "reviewers":
        if len(table.pooled):
            parts.append(_pooled_grid(rows))
        if len(table.comparative):
            parts.append(_effects_grid(rows))
        for extra in (_certainty_list(rows), _abstract_list(rows)):
            if extra.items:
                parts.append(extra)
    if table.remarks:
        parts.append(Listing("remarks", "Remarks", tuple(Cell(str(p)) for p in table.remarks)))
    references = []
    for ref, text in zip(table.references, reference_lines(table, style), strict=True):
        links = (("PubMed", pubmed_url(ref.pmid or "")), ("DOI", rows.doi_url(ref.doi or "")))
        references.append(Cell(text, links=tuple((label, url) for label, url in links if url)))
    if references:
        parts.append(
            Listing(
                "references", "References", tuple(references), ordered=True,
                anchor=REFERENCE_ANCHOR,
            )
        )  # fmt: skip
    return parts
