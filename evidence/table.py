"""The evidence table: one object around two DataFrames, with remarks shown under them.

:func:`build_table` joins claims to the references they cite, asks :mod:`evidence.assess.judge`
for each claim's verdict and collects what is wrong in plain words. The result,
:class:`EvidenceTable`, holds

* ``claims`` — one row per claim (id, text, verdict, supporting and contradicting keys,
  number of studies, participants);
* ``evidence`` — one row per claim x citation (study, bibliographic data, stance, finding,
  numbers);
* ``remarks`` — located :class:`~evidence.errors.Problem` records about the claims
  (uncited claims, unknown keys ...), rendered under the table.

Like tableone's object it forwards ``to_markdown``/``to_html``/``to_csv``/``to_json``/
``to_latex`` to the renderers in :mod:`evidence.render`, and shows itself in notebooks
through ``_repr_html_``. The table knows nothing about output formats.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from evidence.assess import Proportion, pool_proportions, wilson_interval
from evidence.assess.certainty import CitedStudy, assess_certainty, plain_language
from evidence.assess.judge import Judgement, judge_claim
from evidence.assess.support import AbstractTerms, SupportCheck, abstract_terms, support_for_record
from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import Citation, Claim, PubMedStatus, Reference, Stance, StudyDesign
from evidence.studies import Collection, Study, make_study, study_design

Resolver = Callable[[str], Reference | None]

__all__ = ["CLAIM_COLUMNS", "EVIDENCE_COLUMNS", "EvidenceTable", "build_table"]

CLAIM_COLUMNS = (
    "id",
    "text",
    "verdict",
    "supported_by",
    "contradicted_by",
    "studies",
    "participants",
    "certainty",
    "certainty_source",
    "certainty_reasons",
    "plain_language",
    "pooled_outcome",
    "pooled_estimate",
    "pooled_low",
    "pooled_high",
    "pooled_i2",
    "tags",
    "rule",
)
"""Columns of :attr:`EvidenceTable.claims`, in order."""

CLAIM_DTYPES = {
    "studies": "int64",
    "participants": "Int64",
    "pooled_estimate": "Float64",
    "pooled_low": "Float64",
    "pooled_high": "Float64",
    "pooled_i2": "Float64",
}

_STUDY_COLUMNS = (
    "title",
    "pubmed_title",
    "journal",
    "year",
    "pmid",
    "doi",
    "pmcid",
    "design",
    "design_source",
    "design_basis",
    "retraction",
    "retraction_detail",
    "pubmed_status",
    "pubmed_detail",
    "publication_types",
    "major_mesh",
    "mismatches",
)

EVIDENCE_COLUMNS = (
    "claim_id",
    "key",
    "study",
    *_STUDY_COLUMNS,
    "stance",
    "finding",
    "n",
    "events",
    "proportion",
    "ci_low",
    "ci_high",
    "outcome",
    "risk_of_bias",
    "locator",
    "note",
    "excluded",
    "best_sentence",
    "best_score",
    "mentions",
    "ref_number",
)
"""Columns of :attr:`EvidenceTable.evidence`, in order."""

EVIDENCE_DTYPES = {
    "year": "Int64",
    "n": "Int64",
    "events": "Int64",
    "ref_number": "Int64",
    "proportion": "Float64",
    "ci_low": "Float64",
    "ci_high": "Float64",
    "best_score": "Float64",
    "mentions": "boolean",
}

POOLED_COLUMNS = (
    "claim_id",
    "outcome",
    "k",
    "keys",
    "estimate",
    "low",
    "high",
    "i2",
    "tau2",
    "method",
)
"""Columns of :attr:`EvidenceTable.pooled`: one row per claim and pooled outcome."""

POOLED_DTYPES = {"k": "int64", "estimate": "float64", "low": "float64", "high": "float64"}


@dataclass(frozen=True)
class EvidenceTable:
    """Claims, the evidence behind each, and what is wrong, ready to render.

    Build it with :func:`build_table`. ``references`` lists the cited references in the
    order they are numbered in the rendered reference list.
    """

    claims: pd.DataFrame
    evidence: pd.DataFrame
    remarks: tuple[Problem, ...]
    references: tuple[Reference, ...]
    judgements: Mapping[str, Judgement] = field(default_factory=dict)
    input_problems: tuple[Problem, ...] = ()
    title: str = "Evidence table"
    pooled: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=POOLED_COLUMNS))
    studies: Mapping[str, Study] = field(default_factory=dict)
    formatted_references: dict[str, tuple[str, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The reference list as the renderers formatted it, by pybtex style: ``references``
    never changes, so the formats of one table format it once (pybtex is most of a render)."""

    # -- rendering ------------------------------------------------------------------
    def render(self, fmt: str, **options: Any) -> str:
        """Render in ``fmt`` (``markdown``, ``html``, ``html-page``, ``csv``, ``json``,
        ``latex``); see :mod:`evidence.render` for the options."""
        from evidence.render import render

        return render(self, fmt, **options)

    def to_markdown(self, **options: Any) -> str:
        """GitHub-flavoured Markdown: claims, evidence, remarks and references."""
        return self.render("markdown", **options)

    def to_html(self, *, standalone: bool = False, **options: Any) -> str:
        """An HTML fragment, or a whole page with ``standalone=True``."""
        return self.render("html-page" if standalone else "html", **options)

    def to_csv(self, **options: Any) -> str:
        """The evidence rows as CSV, safe to open in a spreadsheet."""
        return self.render("csv", **options)

    def to_json(self, **options: Any) -> str:
        """The documented JSON schema (``claims`` and ``evidence`` arrays)."""
        return self.render("json", **options)

    def to_latex(self, **options: Any) -> str:
        """A booktabs table and a numbered reference list."""
        return self.render("latex", **options)

    def plot(
        self,
        claim_id: str,
        *,
        outcome: str | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> Any:
        """A forest plot of one claim's proportions, pooled estimate as a diamond.

        Plots the counted citations that report ``events`` and ``n`` for ``outcome``
        (default: the claim's pooled outcome, else every such citation). Writes PNG or SVG
        to ``path`` when given; returns the matplotlib figure. Needs the ``plot`` extra.
        Raises ``ValueError`` for an unknown claim or one with no numbers to plot.
        """
        from evidence.plot import ForestRow, forest_plot, pooled_weights

        if claim_id not in set(self.claims["id"]):
            known = ", ".join(map(str, self.claims["id"]))
            raise ValueError(f"no claim with id {claim_id!r}; the claims are: {known}")
        claim = self.claims[self.claims["id"] == claim_id].iloc[0]
        wanted = outcome or claim["pooled_outcome"]
        found: list[tuple[str, Proportion]] = []
        seen: set[str] = set()
        for rec in self.evidence[self.evidence["claim_id"] == claim_id].to_dict("records"):
            if pd.isna(rec["events"]) or pd.isna(rec["n"]) or rec["excluded"]:
                continue
            if isinstance(wanted, str) and wanted and rec["outcome"] != wanted:
                continue
            if rec["key"] in seen:
                continue
            seen.add(rec["key"])
            found.append((str(rec["study"]), wilson_interval(int(rec["events"]), int(rec["n"]))))
        if not found:
            raise ValueError(
                f"claim {claim_id!r} has no counted citation with events and n"
                + (f" for outcome {wanted!r}" if isinstance(wanted, str) and wanted else "")
                + "; add them in the claims file to plot it"
            )
        pooled = None
        rows = [ForestRow(label, proportion) for label, proportion in found]
        if len(found) > 1:
            # Squares are sized by each study's share of the random-effects weight.
            pooled = pool_proportions([(p.events, p.n) for _, p in found])
            weights = pooled_weights([p for _, p in found], pooled)
            rows = [
                ForestRow(label, proportion, weight)
                for (label, proportion), weight in zip(found, weights, strict=True)
            ]
        title = str(wanted) if isinstance(wanted, str) and wanted else str(claim["text"])
        return forest_plot(rows, pooled=pooled, title=title, path=path)

    def _repr_html_(self) -> str:
        return self.render("html")

    def __repr__(self) -> str:
        counts = self.claims["verdict"].value_counts().to_dict() if len(self.claims) else {}
        summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
        return (
            f"<EvidenceTable: {len(self.claims)} claims ({summary or 'none'}), "
            f"{len(self.evidence)} citations, {len(self.remarks)} remarks>"
        )


def _study_labels(references: Sequence[Reference]) -> dict[str, str]:
    """Short citations, made unique with a/b/c suffixes as author-year styles do."""
    by_label: dict[str, list[Reference]] = {}
    for ref in references:
        by_label.setdefault(ref.short_citation, []).append(ref)
    labels: dict[str, str] = {}
    for label, refs in by_label.items():
        if len(refs) == 1:
            labels[refs[0].key] = label
        else:
            for i, ref in enumerate(refs):
                labels[ref.key] = f"{label}{chr(ord('a') + i)}"
    return labels


def _lookup(references: Mapping[str, Reference]) -> dict[str, Reference]:
    """Exact keys, plus lower-case keys where that is unambiguous (BibTeX keys are
    case-insensitive for BibTeX itself, so ``Katz2003`` finds ``katz2003`` with a remark)."""
    folded: dict[str, list[Reference]] = {}
    for ref in references.values():
        folded.setdefault(ref.key.lower(), []).append(ref)
    return {k: refs[0] for k, refs in folded.items() if len(refs) == 1}


def build_table(
    claims: Iterable[Claim],
    references: Mapping[str, Reference],
    *,
    studies: Mapping[str, Study] | Collection | None = None,
    excluded: Mapping[str, str] | None = None,
    title: str = "Evidence table",
) -> EvidenceTable:
    """Build the evidence table for ``claims`` citing ``references``.

    ``references`` is any mapping of key to :class:`~evidence.model.Reference`, such as
    the result of :func:`evidence.load_references`; its ``problems`` (if it has any) are
    carried over as ``input_problems``, as are those of ``claims``.

    ``studies`` brings PubMed records and their assessment (see
    :func:`evidence.studies.collect_studies`); without it each cited reference is assessed
    from the .bib alone. Retracted studies do not count towards verdicts; ``excluded``
    adds other keys that must not count, with the reason.

    >>> from evidence.model import Citation, Claim, Reference, Stance
    >>> refs = {"katz2003": Reference("katz2003", "article", year=2003)}
    >>> table = build_table([Claim("c1", "A claim.", (Citation("katz2003"),))], refs)
    >>> table.claims.loc[0, "verdict"]
    'supported'
    """
    claim_list = list(claims)
    folded = _lookup(references)
    remarks: list[Problem] = []
    unreachable = ""
    if isinstance(studies, Collection):
        unreachable = studies.unreachable
        studies = studies.studies

    def resolve(key: str) -> Reference | None:
        return references.get(key) or folded.get(key.lower())

    # Number the cited references in order of first citation.
    cited: dict[str, Reference] = {}
    for claim in claim_list:
        for citation in claim.citations:
            ref = resolve(citation.key)
            if ref is not None:
                cited.setdefault(ref.key, ref)
    numbers = {key: i for i, key in enumerate(cited, start=1)}
    labels = _study_labels(list(cited.values()))
    study_of = {
        key: (studies.get(key) if studies is not None else None) or make_study(ref)
        for key, ref in cited.items()
    }
    exclusions = dict(excluded or {})
    for key, each in study_of.items():
        if each.exclusion:
            exclusions.setdefault(key, each.exclusion)
    if unreachable:
        remarks.append(
            Problem(
                SourceLocation("PubMed"),
                f"the table uses the .bib data only ({unreachable}), so retractions and "
                "mismatches could not be checked",
                code="unreachable",
                severity=Severity.WARNING,
            )
        )
    remarks.extend(_study_remarks(study_of.values()))

    claim_rows: list[dict[str, Any]] = []
    evidence_rows: list[dict[str, Any]] = []
    # Each cited abstract split into sentences and terms once for the whole table (a
    # landmark study cited for 15 claims was split 15 times).
    abstracts: dict[int, AbstractTerms | None] = {}
    pooled_rows: list[dict[str, Any]] = []
    judgements: dict[str, Judgement] = {}
    for claim in claim_list:
        where = claim.location or SourceLocation("<claims>")
        # Judge on canonical keys so a case slip does not make a claim unresolved.
        canonical = _canonical_claim(claim, resolve)
        judgement = judge_claim(canonical, cited.keys(), excluded=exclusions)
        judgements[claim.id] = judgement
        remarks.extend(_claim_remarks(claim, judgement, resolve, where, study_of))
        participants: dict[str, int] = {}
        counted: list[CitedStudy] = []
        for citation in canonical.citations:
            study = study_of.get(citation.key)
            row, interval = _evidence_row(claim.id, citation, study, labels, numbers)
            row["excluded"] = exclusions.get(citation.key, "") if study else ""
            check = _support(claim.text, study, abstracts)
            row["best_sentence"] = check.best.text if check and check.best else ""
            row["best_score"] = check.score if check else None
            row["mentions"] = check.mentions if check else None
            if check is not None and not check.mentions:
                remarks.append(_no_mention_remark(claim, citation, check, where))
            evidence_rows.append(row)
            if study is None or citation.key in exclusions:
                continue
            if citation.n is not None:
                participants[citation.key] = max(participants.get(citation.key, 0), citation.n)
            counted.append(
                CitedStudy(
                    key=citation.key,
                    stance=citation.stance,
                    design=StudyDesign(row["design"]),
                    n=citation.n,
                    events=citation.events,
                    risk_of_bias=citation.risk_of_bias,
                    interval=interval,
                )
            )
        pools = _pool(claim.id, canonical.citations, exclusions, study_of)
        pooled_rows.extend(pools)
        headline = pools[0]["_estimate"] if pools else None
        certainty = assess_certainty(canonical, judgement, counted, pooled=headline)
        claim_rows.append(
            {
                "id": claim.id,
                "text": claim.text,
                "verdict": judgement.verdict.value,
                "supported_by": judgement.supported_by,
                "contradicted_by": judgement.contradicted_by,
                "studies": len({c.key for c in canonical.citations if c.key in cited}),
                "participants": sum(participants.values()) if participants else None,
                "certainty": certainty.level.value if certainty.level else None,
                "certainty_source": certainty.source,
                "certainty_reasons": certainty.reasons,
                # The statement alone ("This may be true."): renderers show it beside the
                # claim, so repeating the claim inside it would say everything twice.
                "plain_language": plain_language(judgement.verdict, certainty),
                "pooled_outcome": pools[0]["outcome"] if pools else None,
                "pooled_estimate": headline.estimate if headline else None,
                "pooled_low": headline.low if headline else None,
                "pooled_high": headline.high if headline else None,
                "pooled_i2": headline.i2 if headline else None,
                "tags": claim.tags,
                "rule": judgement.rule,
            }
        )
    for row in pooled_rows:
        row.pop("_estimate", None)

    input_problems = (
        tuple(getattr(references, "problems", ()))
        + tuple(getattr(claims, "problems", ()))
        + tuple(p for study in study_of.values() for p in study.problems)
    )
    return EvidenceTable(
        claims=_frame(claim_rows, CLAIM_COLUMNS, CLAIM_DTYPES),
        evidence=_frame(evidence_rows, EVIDENCE_COLUMNS, EVIDENCE_DTYPES),
        remarks=tuple(remarks),
        references=tuple(cited.values()),
        judgements=judgements,
        input_problems=input_problems,
        title=title,
        pooled=_frame(pooled_rows, POOLED_COLUMNS, POOLED_DTYPES),
        studies=study_of,
    )


def _frame(
    rows: list[dict[str, Any]], columns: Sequence[str], dtypes: Mapping[str, str]
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype(dict(dtypes)) if len(frame) or dtypes else frame


def _canonical_claim(claim: Claim, resolve: Resolver) -> Claim:
    """The claim with each citation key replaced by the bibliography's spelling."""
    citations = []
    changed = False
    for citation in claim.citations:
        ref = resolve(citation.key)
        if ref is not None and ref.key != citation.key:
            citation = replace(citation, key=ref.key)
            changed = True
        citations.append(citation)
    if not changed:
        return claim
    return replace(claim, citations=tuple(citations))


def _pool(
    claim_id: str,
    citations: Sequence[Citation],
    exclusions: Mapping[str, str],
    study_of: Mapping[str, Study],
) -> list[dict[str, Any]]:
    """Pooled estimates for each outcome reported with numbers by two or more studies.

    Largest group first (it is the claim's headline estimate); a study cited twice for
    the same outcome counts once.
    """
    groups: dict[str, dict[str, tuple[int, int]]] = {}
    for c in citations:
        if (
            c.outcome
            and c.events is not None
            and c.n
            and c.key in study_of
            and c.key not in exclusions
            and c.stance not in (Stance.BACKGROUND, Stance.UNKNOWN)
        ):
            groups.setdefault(c.outcome, {}).setdefault(c.key, (c.events, c.n))
    rows: list[dict[str, Any]] = []
    for outcome, by_key in groups.items():
        if len(by_key) < 2:
            continue
        estimate = pool_proportions(list(by_key.values()))
        rows.append(
            {
                "claim_id": claim_id,
                "outcome": outcome,
                "k": estimate.k,
                "keys": tuple(by_key),
                "estimate": estimate.estimate,
                "low": estimate.low,
                "high": estimate.high,
                "i2": estimate.i2,
                "tau2": estimate.tau2,
                "method": estimate.method,
                "_estimate": estimate,
            }
        )
    rows.sort(key=lambda r: -int(r["k"]))
    return rows


def _support(
    claim_text: str, study: Study | None, abstracts: dict[int, AbstractTerms | None]
) -> SupportCheck | None:
    """The abstract's best match for the claim, when PubMed gave an abstract.

    ``abstracts`` keeps each record's prepared abstract by the record's identity (the
    studies, and so their records, live as long as the table build).
    """
    if study is None or study.record is None:
        return None
    key = id(study.record)
    if key not in abstracts:
        abstracts[key] = abstract_terms(study.record)
    prepared = abstracts[key]
    if prepared is None:
        return None
    return support_for_record(claim_text, study.record, prepared=prepared)


def _no_mention_remark(
    claim: Claim, citation: Citation, check: SupportCheck, where: SourceLocation
) -> Problem:
    best = f" (closest sentence: {check.best.text!r})" if check.best else ""
    return Problem(
        citation.location or where,
        f"claim '{claim.id}': the abstract of '{citation.key}' does not appear to mention "
        f"it{best}; check that this is the study you meant to cite",
        code="no-mention",
        severity=Severity.WARNING,
    )


def _study_remarks(studies: Iterable[Study]) -> list[Problem]:
    remarks = []
    for study in studies:
        where = study.reference.location or SourceLocation("<bibliography>")
        if study.mismatches:
            differences = "; ".join(str(m) for m in study.mismatches)
            remarks.append(
                Problem(
                    where,
                    f"'{study.key}' disagrees with PubMed {study.pmid}: {differences}; "
                    "check the .bib entry (nothing was overwritten)",
                    code="mismatch",
                    severity=Severity.WARNING,
                )
            )
        if study.pubmed_status is PubMedStatus.NOT_FOUND:
            remarks.append(
                Problem(
                    where,
                    f"'{study.key}': PMID {study.pmid} was not found in PubMed "
                    f"({study.pubmed_detail or 'no record'}); check the PMID",
                    code="not-found",
                    severity=Severity.WARNING,
                )
            )
    return remarks


def _claim_remarks(
    claim: Claim,
    judgement: Judgement,
    resolve: Resolver,
    where: SourceLocation,
    study_of: Mapping[str, Study],
) -> list[Problem]:
    remarks: list[Problem] = []
    if not claim.citations:
        remarks.append(
            Problem(
                where,
                f"claim '{claim.id}' cites no study; add a citation if one backs it",
                code="uncited",
                severity=Severity.WARNING,
            )
        )
    for citation in claim.citations:
        at = citation.location or where
        ref = resolve(citation.key)
        if ref is None:
            remarks.append(
                Problem(
                    at,
                    f"claim '{claim.id}' cites '{citation.key}', which is not in the "
                    "bibliography; check the key or add the reference to the .bib file",
                    code="unknown-key",
                )
            )
            continue
        if ref.key != citation.key:
            remarks.append(
                Problem(
                    at,
                    f"claim '{claim.id}' cites '{citation.key}' but the bibliography "
                    f"spells it '{ref.key}'; biber and other tools treat keys as "
                    "case-sensitive",
                    code="key-case",
                    severity=Severity.WARNING,
                )
            )
        study = study_of.get(ref.key)
        if study is not None and study.retraction.is_retracted:
            remarks.append(
                Problem(
                    at,
                    f"claim '{claim.id}' cites '{ref.key}', which is retracted "
                    f"({study.retraction.detail or 'PubMed'}); it does not count towards the "
                    "verdict: remove or replace the citation",
                    code="retracted",
                )
            )
    for key, reason in judgement.excluded.items():
        if study_of.get(key) is not None and study_of[key].retraction.is_retracted:
            continue  # already said, with its own code
        remarks.append(
            Problem(
                where,
                f"claim '{claim.id}': '{key}' does not count towards the verdict ({reason})",
                code="excluded",
                severity=Severity.WARNING,
            )
        )
    return remarks


def _evidence_row(
    claim_id: str,
    citation: Citation,
    study: Study | None,
    labels: Mapping[str, str],
    numbers: Mapping[str, int],
) -> tuple[dict[str, Any], Proportion | None]:
    """One evidence row, and the citation's Wilson interval (for the certainty rules)."""
    interval = (
        wilson_interval(citation.events, citation.n)
        if citation.events is not None and citation.n
        else None
    )
    row: dict[str, Any] = {
        "claim_id": claim_id,
        "key": citation.key,
        "study": labels.get(citation.key, citation.key),
        "stance": citation.stance.value,
        "finding": citation.finding,
        "n": citation.n,
        "events": citation.events,
        "proportion": interval.estimate if interval else None,
        "ci_low": interval.low if interval else None,
        "ci_high": interval.high if interval else None,
        "outcome": citation.outcome,
        "risk_of_bias": citation.risk_of_bias.value if citation.risk_of_bias else None,
        "locator": citation.locator,
        "note": citation.note,
        "ref_number": numbers.get(citation.key),
    }
    if study is None:
        row.update(dict.fromkeys(_STUDY_COLUMNS))
        row.update(title="", journal="", pmid="", doi="", pmcid="")
        return row, interval
    ref, record = study.reference, study.record
    design = study_design(study, citation)
    row.update(
        {
            "title": study.title,
            "pubmed_title": study.pubmed_title,
            "journal": ref.journal or (record.journal if record else ""),
            "year": ref.year or (record.year if record else None),
            "pmid": study.pmid or "",
            "doi": study.doi or "",
            "pmcid": study.pmcid or "",
            "design": design.design.value,
            "design_source": design.source.value,
            "design_basis": design.basis,
            "retraction": study.retraction.status.value
            if study.retraction.checked
            else "not checked",
            "retraction_detail": study.retraction.detail,
            "pubmed_status": study.pubmed_status.value,
            "pubmed_detail": study.pubmed_detail,
            "publication_types": tuple(p.name for p in record.publication_types) if record else (),
            "major_mesh": record.major_mesh if record else (),
            "mismatches": tuple(str(m) for m in study.mismatches),
        }
    )
    return row, interval
