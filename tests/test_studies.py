"""Studies: identifiers resolved, records fetched and assessed, against the loopback NCBI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import shared_path
from ncbi_server import NCBIServer

from evidence.bibliography import load_references
from evidence.model import Citation, Claim, PubMedStatus, Reference, RetractionStatus, Stance
from evidence.pubmed.cache import PubMedCache
from evidence.pubmed.client import PubMedClient
from evidence.studies import collect_studies, make_study
from evidence.table import build_table

BIB = Path(__file__).parent / "data" / "pubmed_mix.bib"


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        running.missing.add("99999999")
        yield running


def client_for(server: NCBIServer, tmp_path: Path, **kw: object) -> PubMedClient:
    return PubMedClient(
        base_url=server.url,
        email="dev@example.org",
        cache=PubMedCache(tmp_path / "cache"),
        timeout=2.0,
        backoff=0.01,
        max_total_wait=3.0,
        max_rate=100.0,
        **kw,  # type: ignore[arg-type]
    )


def test_every_way_a_lookup_can_end(server: NCBIServer, tmp_path: Path) -> None:
    refs = load_references(BIB)
    with client_for(server, tmp_path) as client:
        found = collect_studies(refs.values(), client)
    studies = found.studies
    assert set(studies) == set(refs)  # nothing dropped
    assert studies["brighton2012"].pubmed_status is PubMedStatus.FETCHED
    # DOI search: accepted because the record carries the DOI.
    assert found.resolved["wei2016"] == ("27685632", "DOI")
    assert studies["wei2016"].pmid == "27685632"
    assert "found by DOI" in studies["wei2016"].pubmed_detail
    # Citation match (journal|year|volume|page|author) through ECitMatch.
    assert found.resolved["zhu2020"] == ("31978945", "citation match")
    assert studies["ghost2020"].pubmed_status is PubMedStatus.NOT_FOUND
    assert studies["nothing"].pubmed_status is PubMedStatus.UNRESOLVED
    assert "none found by DOI or citation match" in studies["nothing"].pubmed_detail
    assert found.unreachable == ""


def test_retracted_study_is_excluded_and_remarked(server: NCBIServer, tmp_path: Path) -> None:
    refs = load_references(BIB)
    with client_for(server, tmp_path) as client:
        found = collect_studies(refs.values(), client)
    assert found.studies["wei2016"].retraction.status is RetractionStatus.RETRACTED
    claim = Claim("c1", "miR-623 slows lung cancer.", (Citation("wei2016", Stance.SUPPORTS),))
    table = build_table([claim], refs, studies=found)
    assert table.claims.loc[0, "verdict"] == "insufficient"
    retracted = [p for p in table.remarks if p.code == "retracted"]
    assert len(retracted) == 1
    assert "30683838" in retracted[0].message  # the notice's PMID is named
    assert table.evidence.loc[0, "retraction"] == "retracted"
    assert table.evidence.loc[0, "excluded"].startswith("retracted")


def test_mismatch_is_reported_not_overwritten(server: NCBIServer, tmp_path: Path) -> None:
    refs = load_references(BIB)
    with client_for(server, tmp_path) as client:
        found = collect_studies([refs["shi2017"]], client)
    study = found.studies["shi2017"]
    assert [m.field for m in study.mismatches] == ["year"]
    claim = Claim("c1", "Semaglutide lowers HbA1c.", (Citation("shi2017", Stance.SUPPORTS),))
    table = build_table([claim], refs, studies=found)
    assert table.evidence.loc[0, "year"] == 2017  # the .bib's year is kept
    (remark,) = [p for p in table.remarks if p.code == "mismatch"]
    assert str(remark.location) == f"{BIB}:19"
    assert "year: .bib has '2017', PubMed has '2018'" in remark.message
    # The design comes from PubMed's record: its title names a systematic review.
    assert table.evidence.loc[0, "design"] == "systematic-review"


def test_offline_client_makes_no_request(server: NCBIServer, tmp_path: Path) -> None:
    refs = load_references(BIB)
    with client_for(server, tmp_path, offline=True) as client:
        found = collect_studies(refs.values(), client)
    assert server.requests == []
    assert {s.pubmed_status for s in found.studies.values()} == {PubMedStatus.NOT_LOOKED_UP}


def test_second_run_is_served_from_the_cache(server: NCBIServer, tmp_path: Path) -> None:
    refs = load_references(BIB)
    with client_for(server, tmp_path) as client:
        collect_studies([refs["brighton2012"]], client)
    before = len(server.requests)
    with client_for(server, tmp_path) as client:
        again = collect_studies([refs["brighton2012"]], client)
    assert len(server.requests) == before
    assert again.studies["brighton2012"].pubmed_status is PubMedStatus.CACHE


def test_unreachable_ncbi_keeps_every_study(tmp_path: Path) -> None:
    refs = load_references(BIB)
    client = PubMedClient(
        base_url="http://127.0.0.1:9/",  # discard port: nothing listens
        email="dev@example.org",
        cache=PubMedCache(tmp_path / "cache"),
        max_retries=0,
    )
    with client:
        found = collect_studies(refs.values(), client)
    assert found.unreachable
    assert set(found.studies) == set(refs)
    assert found.studies["brighton2012"].pubmed_status is PubMedStatus.UNAVAILABLE


def test_bad_design_field_becomes_a_located_warning() -> None:
    ref = Reference("x", "article", design="astrology", location=None)
    study = make_study(ref)
    assert study.design.design.value == "unknown"
    (problem,) = study.problems
    assert problem.code == "bad-design"
    assert "astrology" in problem.message


def test_table_shows_best_sentence_and_flags_citations_off_topic(
    server: NCBIServer, tmp_path: Path
) -> None:
    refs = load_references(BIB)
    with client_for(server, tmp_path) as client:
        found = collect_studies([refs["brighton2012"]], client)
    claims = [
        Claim("on", "Low-dose aspirin reduces recurrent venous thromboembolism.",
              (Citation("brighton2012", Stance.SUPPORTS),)),
        Claim("off", "Tai chi relieves knee osteoarthritis pain.",
              (Citation("brighton2012", Stance.SUPPORTS),)),
    ]  # fmt: skip
    table = build_table(claims, refs, studies=found)
    on, off = table.evidence.iloc[0], table.evidence.iloc[1]
    assert bool(on["mentions"]) is True
    assert "aspirin" in on["best_sentence"].lower()
    assert bool(off["mentions"]) is False
    flagged = [p for p in table.remarks if p.code == "no-mention"]
    assert [p.message.split(":")[0] for p in flagged] == ["claim 'off'"]
    # Without a PubMed record there is nothing to check: no flag, no sentence.
    bare = build_table(claims[:1], refs)
    assert pd.isna(bare.evidence.iloc[0]["mentions"])
    assert bare.evidence.iloc[0]["best_sentence"] == ""


def test_renderers_show_the_best_sentence_and_the_flag(server: NCBIServer, tmp_path: Path) -> None:
    refs = load_references(BIB)
    with client_for(server, tmp_path) as client:
        found = collect_studies([refs["brighton2012"]], client)
    claims = [
        Claim("on", "Low-dose aspirin reduces recurrent venous thromboembolism.",
              (Citation("brighton2012", Stance.SUPPORTS),)),
        Claim("off", "Tai chi relieves knee osteoarthritis pain.",
              (Citation("brighton2012", Stance.SUPPORTS),)),
    ]  # fmt: skip
    markdown = build_table(claims, refs, studies=found).to_markdown()
    assert "**Best-matching abstract sentences**" in markdown
    assert "the abstract does not appear to mention the claim" in markdown
    (on_line,) = [ln for ln in markdown.splitlines() if ln.startswith("- on, Brighton 2012")]
    assert "aspirin" in on_line.lower()
    assert "below the mention threshold" not in on_line
