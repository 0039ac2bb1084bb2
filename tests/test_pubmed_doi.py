"""DOI -> PMID in batches (evidence.pubmed.doi): one ESearch for many DOIs, each hit
taken only when the record found carries that DOI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import shared_path
from ncbi_server import NCBIServer, synthetic_doi

from evidence.model import PubMedStatus, Reference
from evidence.pubmed import PubMedClient, search_dois
from evidence.studies import collect_studies

RETRACTED = "27685632"
RETRACTED_DOI = "10.1038/cddis.2016.260"


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        yield running


def client_for(server: NCBIServer) -> PubMedClient:
    return PubMedClient(
        base_url=server.url,
        email="dev@example.org",
        timeout=2.0,
        backoff=0.01,
        max_total_wait=5.0,
        max_rate=1000.0,
    )


def test_many_dois_take_one_search_per_batch_and_each_hit_is_checked(
    server: NCBIServer,
) -> None:
    pmids = [str(5_000 + n) for n in range(250)]
    for pmid in pmids:
        server.dois[synthetic_doi(pmid)] = [pmid]
    server.dois["10.1000/two"] = ["11", "12"]  # two records found: one of them carries it?
    server.dois["10.1000/mislabelled"] = [RETRACTED]  # the hit carries another DOI
    asked = [
        f"https://doi.org/{RETRACTED_DOI.upper()}",
        *(synthetic_doi(p) for p in pmids),
        "10.1000/nothing-has-this",
        "10.1000/two",
        "10.1000/mislabelled",
        "not a doi",
    ]
    with client_for(server) as client:
        found = search_dois(client, asked)

    searches = server.requests_to("esearch.fcgi")
    assert len(searches) == 3  # 254 DOIs in batches of 100
    assert searches[0].params["term"].startswith(f'"{RETRACTED_DOI}"[doi] OR "10.5555/')
    assert set(found) == set(asked)
    assert found[asked[0]] == RETRACTED
    assert all(found[synthetic_doi(p)] == p for p in pmids)
    # Nothing found, a hit carrying another DOI, and not a DOI: no PMID.
    assert found["10.1000/nothing-has-this"] is None
    assert found["10.1000/mislabelled"] is None
    assert found["not a doi"] is None
    # PMIDs 11 and 12 carry their own synthetic DOIs, not this one.
    assert found["10.1000/two"] is None


def test_a_pmid_listed_twice_by_esearch_counts_once(server: NCBIServer) -> None:
    server.dois[RETRACTED_DOI] = [RETRACTED, RETRACTED]  # listed twice: still one record
    with client_for(server) as client:
        assert search_dois(client, [RETRACTED_DOI]) == {RETRACTED_DOI: RETRACTED}


def test_collect_studies_resolves_dois_in_one_search(server: NCBIServer) -> None:
    refs = [Reference(f"r{n}", "article", doi=synthetic_doi(str(7_000 + n))) for n in range(30)]
    for n in range(30):
        server.dois[synthetic_doi(str(7_000 + n))] = [str(7_000 + n)]
    with client_for(server) as client:
        collection = collect_studies(refs, client)
    assert len(server.requests_to("esearch.fcgi")) == 1
    assert all(s.pubmed_status is PubMedStatus.FETCHED for s in collection.studies.values())
    assert collection.resolved["r3"] == ("7003", "DOI")
    assert collection.studies["r3"].pmid == "7003"
