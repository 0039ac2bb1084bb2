"""build_table: claims joined to their studies, judged, pooled, with remarks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from evidence.assess import (
    COMPARATIVE_COLUMNS,
    COMPARATIVE_DTYPES,
    Comparison,
    PoolingSettings,
    Proportion,
    arms_total,
    compare_claim,
    comparison_rows,
    pool_proportions,
    pooling_remark,
    wilson_interval,
)
from evidence.assess.abstracts import Abstract, abstract_for
from evidence.assess.certainty import CitedStudy, assess_certainty, plain_language
from evidence.assess.judge import Judgement, judge_claim
from evidence.assess.support import (
    THRESHOLD,
    Scorer,
    Vocabulary,
    prepare_abstract,
)
from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import (
    Citation,
    Claim,
    PubMedStatus,
    Reference,
    Stance,
    StudyDesign,
)
from evidence.studies import Collection, Study, make_study, study_design
from evidence.table.columns import (
    _STUDY_COLUMNS,
    CERTAINTY_ORDER,
    CLAIM_COLUMNS,
    CLAIM_DTYPES,
    DESIGN_ORDER,
    EVIDENCE_COLUMNS,
    EVIDENCE_DTYPES,
    POOLED_COLUMNS,
    POOLED_DTYPES,
    VERDICT_ORDER,
)
from evidence.table.evidence_table import EvidenceTable
from evidence.table.frames import PendingFrame
from evidence.table.remarks import (
    _claim_remarks,
    _no_mention_remark,
    _study_remarks,
)

if TYPE_CHECKING:
    from evidence.assess.suggest import Suggestion

Resolver = Callable[[str], Reference | None]


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
    pooling: PoolingSettings | None = None,
) -> EvidenceTable:
    """Build the evidence table for ``claims`` citing ``references``.

    ``references`` is any mapping of key to :class:`~evidence.model.Reference`, such as
    the result of :func:`evidence.load_references`; its ``problems`` (if it has any) are
    carried over as ``input_problems``, as are those of ``claims``.

    ``studies`` brings PubMed records and their assessment (see
    :func:`evidence.studies.collect_studies`); without it each cited reference is assessed
    from the .bib alone. Retracted studies do not count towards verdicts; ``excluded``
    adds other keys that must not count, with the reason. ``pooling`` says how comparative
    effects (two-arm numbers, reported effects) are pooled; see
    :class:`~evidence.assess.comparisons.PoolingSettings`.

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
    pooled_rows: list[dict[str, Any]] = []
    comparative_rows: list[dict[str, Any]] = []
    comparisons: dict[str, tuple[Comparison, ...]] = {}
    judgements: dict[str, Judgement] = {}
    # Each study's abstract split into sentences and terms once per build, however many
    # claims cite the study (a landmark study cited for 15 claims was split 15 times; the
    # support checks were most of a large build's time).
    abstracts: dict[str, tuple[Abstract, Scorer] | None] = {}
    # Words recur across claims and abstracts: each is split and stemmed once per build.
    vocabulary = Vocabulary()
    # The studies that count do not change from claim to claim.
    counted_keys = {key for key in study_of if key not in exclusions}
    study_columns: dict[str, dict[str, Any]] = {}  # each study's own evidence columns
    for claim in claim_list:
        where = claim.location or SourceLocation("<claims>")
        # Judge on canonical keys so a case slip does not make a claim unresolved.
        canonical = _canonical_claim(claim, resolve)
        judgement = judge_claim(canonical, cited.keys(), excluded=exclusions)
        judgements[claim.id] = judgement
        remarks.extend(_claim_remarks(claim, judgement, resolve, where, study_of))
        participants: dict[str, int] = {}
        counted: list[CitedStudy] = []
        claim_terms: list[str] | None = None  # made on the first citation with an abstract
        for citation in canonical.citations:
            study = study_of.get(citation.key)
            row, interval = _evidence_row(claim.id, citation, study, labels, numbers, study_columns)
            row["excluded"] = exclusions.get(citation.key, "") if study else ""
            abstract, scorer = _support(study, abstracts, vocabulary)
            best = None
            if scorer is not None:
                if claim_terms is None:
                    claim_terms = vocabulary.terms(claim.text)
                best = scorer.best(claim_terms)
            # As SupportCheck says it: an abstract without sentences scores 0.0.
            score = best.score if best is not None else 0.0
            mentions = score >= THRESHOLD
            row["best_sentence"] = best.text if best is not None else ""
            row["best_score"] = score if scorer is not None else None
            row["mentions"] = mentions if scorer is not None else None
            row["abstract_source"] = abstract.source if abstract else ""
            offered = (
                _suggest(claim.text, abstract, study.title)
                if abstract is not None and study is not None and citation.stance is Stance.UNKNOWN
                else None
            )
            row.update(_suggestion_columns(offered))
            if scorer is not None and not mentions:
                remarks.append(_no_mention_remark(claim, citation, best, where))
            evidence_rows.append(row)
            if study is None or citation.key in exclusions:
                continue
            size = citation.n if citation.n is not None else arms_total(citation)
            if size is not None:
                participants[citation.key] = max(participants.get(citation.key, 0), size)
            counted.append(
                CitedStudy(
                    key=citation.key,
                    stance=citation.stance,
                    design=StudyDesign(row["design"]),
                    n=size,
                    events=citation.events,
                    risk_of_bias=citation.risk_of_bias,
                    interval=interval,
                )
            )
        pools = _pool(claim.id, canonical.citations, exclusions, study_of)
        pooled_rows.extend(pools)
        compared = compare_claim(claim.id, canonical.citations, counted_keys, pooling)
        if compared:
            comparisons[claim.id] = tuple(compared)
        for comparison in compared:
            comparative_rows.extend(comparison_rows(comparison, lambda k: labels.get(k, k)))
            if comparison.note:
                remarks.append(pooling_remark(comparison, where))
        headline = pools[0]["_estimate"] if pools else None
        certainty = assess_certainty(
            canonical,
            judgement,
            counted,
            pooled=headline,
            effect=compared[0].summary() if compared else None,
            thresholds=(pooling or PoolingSettings()).thresholds,
        )
        claim_rows.append(
            {
                "id": claim.id,
                "text": claim.text,
                "verdict": judgement.verdict.value,
                "supported_by": judgement.supported_by,
                "contradicted_by": judgement.contradicted_by,
                "unreviewed": tuple(
                    dict.fromkeys(
                        c.key
                        for c in canonical.citations
                        if c.stance is Stance.UNKNOWN and c.key in cited
                    )
                ),
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
    # The frames are built when first read (evidence.table.frames): `check` reads none.
    return EvidenceTable(
        claims=PendingFrame(
            claim_rows,
            CLAIM_COLUMNS,
            CLAIM_DTYPES,
            {"certainty": CERTAINTY_ORDER, "verdict": VERDICT_ORDER},
        ),
        evidence=PendingFrame(
            evidence_rows, EVIDENCE_COLUMNS, EVIDENCE_DTYPES, {"design": DESIGN_ORDER}
        ),
        remarks=tuple(remarks),
        references=tuple(cited.values()),
        judgements=judgements,
        input_problems=input_problems,
        title=title,
        pooled=PendingFrame(pooled_rows, POOLED_COLUMNS, POOLED_DTYPES),
        studies=study_of,
        comparative=PendingFrame(comparative_rows, COMPARATIVE_COLUMNS, COMPARATIVE_DTYPES),
        comparisons=comparisons,
    )


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


_RECORD_SOURCES = {
    PubMedStatus.FETCHED: "PubMed",
    PubMedStatus.CACHE: "PubMed (cache)",
    PubMedStatus.SNAPSHOT: "PubMed (snapshot)",
}


def _abstract(study: Study | None) -> Abstract | None:
    """The study's abstract: PubMed's when it has one, else the reference's own field."""
    if study is None:
        return None
    source = _RECORD_SOURCES.get(study.pubmed_status, "PubMed")
    return abstract_for(study.reference, study.record, record_source=source)


def _support(
    study: Study | None,
    abstracts: dict[str, tuple[Abstract, Scorer] | None],
    vocabulary: Vocabulary,
) -> tuple[Abstract | None, Scorer | None]:
    """The study's abstract, whichever source gave it, and its sentences ready to rank
    against claims (kept in ``abstracts`` by study key: a study cited often is split and stemmed
    once, however many claims cite it)."""
    if study is None:
        return None, None
    if study.key not in abstracts:
        found = _abstract(study)
        prepared = (
            prepare_abstract(found.sentences, found.sections, vocabulary=vocabulary)
            if found
            else None
        )
        abstracts[study.key] = (found, Scorer(prepared)) if found and prepared else None
    kept = abstracts[study.key]
    return kept if kept is not None else (None, None)


def _suggest(claim_text: str, abstract: Abstract, title: str) -> Suggestion:
    """:func:`~evidence.assess.suggest.suggest`, imported when a citation first needs it:
    its number patterns are a tenth of ``evidence check``'s start-up, and a table without
    unreviewed citations of studies with abstracts never uses them."""
    from evidence.assess.suggest import suggest

    return suggest(claim_text, abstract, title=title)


def _suggestion_columns(offered: Suggestion | None) -> dict[str, Any]:
    """The evidence row's ``suggested_*`` columns: what the abstract suggests for a citation
    nobody has reviewed; empty for reviewed ones. Never read by the verdict rules."""
    if offered is None:
        return {
            "suggested_sentences": (),
            "suggested_numbers": (),
            "suggested_events": None,
            "suggested_n": None,
            "suggested_design": "",
        }
    numbers = offered.numbers
    size = offered.sample_size
    return {
        "suggested_sentences": tuple(s.text for s in offered.sentences),
        "suggested_numbers": tuple(c.label for c in offered.counts),
        "suggested_events": numbers.events if numbers else None,
        "suggested_n": numbers.n if numbers else (size.n if size else None),
        "suggested_design": offered.design.value if offered.design else "",
    }


def _evidence_row(
    claim_id: str,
    citation: Citation,
    study: Study | None,
    labels: Mapping[str, str],
    numbers: Mapping[str, int],
    columns: dict[str, dict[str, Any]],
) -> tuple[dict[str, Any], Proportion | None]:
    """One evidence row, and the citation's Wilson interval (for the certainty rules).

    ``columns`` keeps each study's own columns (the same for each of its citations, and
    all immutable values) by key, made on its first citation."""
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
    design = study_design(study, citation)
    own = columns.get(study.key)
    if own is None:
        own = columns[study.key] = _study_columns(study)
    row.update(own)
    row["design"] = design.design.value
    row["design_source"] = design.source.value
    row["design_basis"] = design.basis
    return row, interval


def _study_columns(study: Study) -> dict[str, Any]:
    """The evidence columns that come from the study alone (the design may differ by
    citation: the caller sets it)."""
    ref, record = study.reference, study.record
    return {
        "title": study.title,
        "pubmed_title": study.pubmed_title,
        "journal": ref.journal or (record.journal if record else ""),
        "year": ref.year or (record.year if record else None),
        "pmid": study.pmid or "",
        "doi": study.doi or "",
        "pmcid": study.pmcid or "",
        "retraction": study.retraction.status.value if study.retraction.checked else "not checked",
        "retraction_detail": study.retraction.detail,
        "pubmed_status": study.pubmed_status.value,
        "pubmed_detail": study.pubmed_detail,
        "publication_types": tuple(p.name for p in record.publication_types) if record else (),
        "major_mesh": record.major_mesh if record else (),
        "mismatches": tuple(str(m) for m in study.mismatches),
    }
