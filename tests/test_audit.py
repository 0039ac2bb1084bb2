"""The corpus audit and the MEDLINE index, serially and on a real two-process Dask cluster.

The corpus is the real JATS fixtures; in one article the reference that cites PMID
26922822 is renumbered to PMID 27685632, the real retracted publication of the PubMed
fixtures, so exactly the sentences citing that reference must be flagged. The index is
built from the real EFetch fixtures (same PubmedArticleSet as MEDLINE files), plus a
small update file with a DeleteCitation.
"""

from __future__ import annotations

import gzip
import os
import shutil
import signal
from pathlib import Path

import distributed
import pyarrow.parquet as pq
import pytest
from conftest import shared_path

from evidence.assess import assess_retraction
from evidence.audit import Engine, build_index
from evidence.audit.check import AuditSettings
from evidence.audit.run import load_audit, run_audit
from evidence.pubmed import parse_efetch
from evidence.pubmed.medline import MedlineIndex, iter_medline

RETRACTED = "27685632"
NOTICE = "30683838"
SEEDED_ARTICLE = "tidypmc__PMC6385181.xml"


@pytest.fixture(scope="module")
def cluster() -> object:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def _efetch_files() -> list[Path]:
    folder = shared_path("fixtures", "pubmed")
    return sorted(p for p in folder.glob("efetch_pubmed_*.xml") if "empty" not in p.name)


@pytest.fixture(scope="module")
def medline_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The EFetch fixtures as MEDLINE files (two of them gzipped), then an update file
    that deletes one record and replaces another's title."""
    folder = tmp_path_factory.mktemp("medline")
    files = []
    for i, path in enumerate(_efetch_files()):
        target = folder / (path.name + (".gz" if i % 5 == 0 else ""))
        data = path.read_bytes()
        target.write_bytes(gzip.compress(data) if target.suffix == ".gz" else data)
        files.append(target)
    case = next(p for p in _efetch_files() if "case_report" in p.name).read_bytes()
    changed = case.replace(b"<ArticleTitle>", b"<ArticleTitle>UPDATED ", 1)
    update = changed.replace(
        b"</PubmedArticleSet>",
        b'<DeleteCitation><PMID Version="1">29963580</PMID></DeleteCitation></PubmedArticleSet>',
    )
    (folder / "update.xml").write_bytes(update)
    return [*files, folder / "update.xml"]


@pytest.fixture(scope="module")
def index(medline_files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("index")
    build = build_index(medline_files, out, engine=Engine(serial=True), buckets=3)
    assert not build.failed
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for path in sorted(shared_path("fixtures", "jats").iterdir()):
        if path.suffix in (".xml", ".nxml"):
            data = path.read_bytes()
            if path.name == SEEDED_ARTICLE:
                data = data.replace(b">26922822<", f">{RETRACTED}<".encode())
            (folder / path.name).write_bytes(data)
    return folder


def _frames(out: Path) -> tuple[object, object]:
    citations, articles, manifest = load_audit(out)
    assert manifest["missing"] == []
    return citations, articles


def test_medline_stream_equals_efetch_records() -> None:
    for path in _efetch_files():
        streamed = [item.record for item in iter_medline(path)]
        assert streamed == parse_efetch(path.read_bytes())


def test_index_statuses_and_updates(index: Path, medline_files: list[Path]) -> None:
    records = MedlineIndex(index)
    assert records[RETRACTED].title.startswith("Hsa-miR-623")
    assert assess_retraction(records[RETRACTED]).status.value == "retracted"
    assert assess_retraction(records[NOTICE]).status.value == "retraction-notice"
    assert "29963580" not in records  # deleted by the update file
    assert records["219391"].title.startswith("UPDATED ")  # the later file wins
    # The stored status columns are the assessment of the same records one by one.
    table = pq.read_table(index / "records").to_pylist()
    assert len(table) == len(records) == len(set(records))
    for row in table:
        assert row["retraction"] == assess_retraction(records[row["pmid"]]).status.value
    doi = records[RETRACTED].doi
    assert doi is not None
    assert records.pmids_for([doi]) == {doi: RETRACTED}


def test_index_on_cluster_equals_serial(
    cluster: object, index: Path, medline_files: list[Path], tmp_path: Path
) -> None:
    build = build_index(medline_files, tmp_path, engine=Engine(client=cluster), buckets=3)
    assert not build.failed
    for what in ("records", "ids"):
        assert pq.read_table(tmp_path / what).equals(pq.read_table(index / what))


def test_audit_serial_finds_exactly_the_seeded_citations(
    corpus: Path, index: Path, tmp_path: Path
) -> None:
    run = run_audit(
        [corpus],
        AuditSettings(os.fspath(tmp_path), index=os.fspath(index)),
        engine=Engine(serial=True),
        batch=3,
    )
    assert run.report.ok
    citations, articles = _frames(tmp_path)
    flagged = citations[citations["status"] == "retracted"]
    assert set(flagged["cited_pmid"]) == {RETRACTED}
    assert set(flagged["source"].map(lambda s: Path(s).name)) == {SEEDED_ARTICLE}
    assert (flagged["notices"].str.contains(NOTICE)).all()
    assert len(flagged) == 1
    assert "deaths" in flagged.iloc[0]["sentence"]
    assert len(articles) == 10
    assert articles["error"].isna().all()
    assert int(articles["retracted"].sum()) == 1


def test_audit_on_cluster_equals_serial_and_report(
    cluster: object, corpus: Path, index: Path, tmp_path: Path
) -> None:
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for out, engine in ((serial, Engine(serial=True)), (parallel, Engine(client=cluster))):
        settings = AuditSettings(os.fspath(out), index=os.fspath(index))
        assert run_audit([corpus], settings, engine=engine, batch=2).report.ok
    (a_cit, a_art), (b_cit, b_art) = _frames(serial), _frames(parallel)
    assert a_cit.equals(b_cit)
    assert a_art.equals(b_art)
    from evidence.cli import main

    assert main(["audit", "--report", os.fspath(parallel)]) == 0
    markdown = (parallel / "report.md").read_text("utf-8")
    assert "PMC6385181" in markdown
    assert f"PMID {RETRACTED}" in markdown


def test_killed_worker_still_gives_the_complete_result(
    cluster: object, corpus: Path, index: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    settings = AuditSettings(os.fspath(reference), index=os.fspath(index))
    run_audit([corpus], settings, engine=Engine(serial=True), batch=1)
    pids = cluster.run(os.getpid)  # type: ignore[attr-defined]
    killed: list[int] = []

    def kill_one(key: str, summary: object) -> None:
        if not killed:
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    out = tmp_path / "killed"
    settings = AuditSettings(os.fspath(out), index=os.fspath(index))
    run = run_audit([corpus], settings, engine=Engine(client=cluster), batch=1, on_result=kill_one)
    assert killed
    assert run.report.ok
    (a_cit, a_art), (b_cit, b_art) = _frames(reference), _frames(out)
    assert a_cit.equals(b_cit)
    assert a_art.equals(b_art)


def test_rerun_after_interrupt_redoes_only_unfinished(
    cluster: object, corpus: Path, index: Path, tmp_path: Path
) -> None:
    settings = AuditSettings(os.fspath(tmp_path), index=os.fspath(index))
    seen: list[str] = []

    def interrupt(key: str, summary: object) -> None:
        seen.append(key)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_audit([corpus], settings, engine=Engine(serial=True), batch=1, on_result=interrupt)
    finished = sorted(p.stem for p in (tmp_path / "done").iterdir())
    assert finished == sorted(seen)
    stamps = {k: (tmp_path / "done" / f"{k}.json").stat().st_mtime_ns for k in finished}
    rerun = run_audit([corpus], settings, engine=Engine(client=cluster), batch=1)
    assert sorted(rerun.report.skipped) == finished
    assert len(rerun.report.results) == 10 - len(finished)
    assert not set(rerun.report.results) & set(finished)
    assert all((tmp_path / "done" / f"{k}.json").stat().st_mtime_ns == t for k, t in stamps.items())
    citations, _ = _frames(tmp_path)
    assert set(citations[citations["status"] == "retracted"]["cited_pmid"]) == {RETRACTED}


def test_failed_partition_is_reported_not_dropped(corpus: Path, tmp_path: Path) -> None:
    broken = tmp_path / "corpus"
    shutil.copytree(corpus, broken)
    out = tmp_path / "out"
    settings = AuditSettings(os.fspath(out), index=os.fspath(tmp_path / "no-such-index"))
    run = run_audit([broken], settings, engine=Engine(serial=True, retries=1), batch=5)
    assert len(run.report.failed) == 2
    assert "not a MEDLINE index" in next(iter(run.report.failed.values()))
    _, _, manifest = load_audit(out)
    assert set(manifest["failed"]) == set(run.report.failed) == set(manifest["missing"])


ARTICLE_MD = """\
# MicroRNA and lung cancer

In this cell line, microRNA 623 slowed the growth of lung adenocarcinoma [1]. Pain in the
sacroiliac joint is a known sequel of lumbar fusion [2].

## References

1. Wei S, Zhang ZY, Fu SL. Hsa-miR-623 suppresses tumor progression in human lung
   adenocarcinoma. Cell Death Dis. 2016;7(9):e2388. PMID: 27685632.
2. Katz V, Schofferman J, Reynolds J. The sacroiliac joint: a potential cause of pain after
   lumbar fusion to the sacrum. J Spinal Disord Tech. 2003;16(1):96-9.
"""


def test_tar_package_with_markdown_and_jats(corpus: Path, index: Path, tmp_path: Path) -> None:
    """Members of a .tar.gz are partitions; Markdown goes through the extractor's registry."""
    import tarfile

    package = tmp_path / "articles.tar.gz"
    with tarfile.open(package, "w:gz") as tar:
        tar.add(corpus / SEEDED_ARTICLE, arcname=f"pmc/{SEEDED_ARTICLE}")
        note = tmp_path / "review.md"
        note.write_text(ARTICLE_MD, "utf-8")
        tar.add(note, arcname="pmc/review.md")
    out = tmp_path / "out"
    run = run_audit(
        [package],
        AuditSettings(os.fspath(out), index=os.fspath(index)),
        engine=Engine(serial=True),
        batch=1,
    )
    assert run.partitions == 2
    assert run.report.ok
    citations, articles = _frames(out)
    assert list(articles["reader"]) == ["jats-collector", "markdown"]
    flagged = citations[citations["status"] == "retracted"]
    assert sorted(flagged["source"]) == [
        f"{package}:pmc/review.md",
        f"{package}:pmc/{SEEDED_ARTICLE}",
    ]
    md = flagged[flagged["source"].str.endswith("review.md")].iloc[0]
    assert md["location"] == f"{package}:pmc/review.md:3:1"
    assert md["sentence"].startswith("In this cell line, microRNA 623 slowed")
    assert md["mentions"]  # the retracted paper's abstract is about exactly this
    katz = citations[citations["ref_id"] == "2"]
    assert list(katz["record_source"]) == ["no-identifier"]
    assert list(katz["status"]) == ["unknown"]


def test_index_is_an_offline_snapshot_for_the_client(index: Path) -> None:
    from evidence.model import PubMedStatus
    from evidence.pubmed import PubMedClient

    with PubMedClient(snapshot=MedlineIndex(index), offline=True) as client:
        result = client.fetch([RETRACTED, "29963580"])
    assert result[RETRACTED].status is PubMedStatus.SNAPSHOT
    assert assess_retraction(result[RETRACTED].record).is_retracted
    assert result["29963580"].status is PubMedStatus.NOT_LOOKED_UP  # deleted from the index


def test_medline_stream_across_tiny_reads(
    medline_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles cut by the read size anywhere still come out whole, with their lines."""
    import evidence.pubmed.medline as medline

    whole = [[(i.pmid, str(i.location)) for i in iter_medline(p)] for p in medline_files]
    monkeypatch.setattr(medline, "_READ", 7)
    assert [[(i.pmid, str(i.location)) for i in iter_medline(p)] for p in medline_files] == whole
    assert whole[-1][-1] == ("29963580", f"{medline_files[-1]}:{whole[-1][-1][1].rsplit(':')[-1]}")
    fetched = sum(len(parse_efetch(p.read_bytes())) for p in _efetch_files())
    assert sum(len(items) for items in whole) == fetched + 2  # the update: a record, a deletion


def test_medline_refuses_entities_and_cut_files(tmp_path: Path) -> None:
    from evidence.errors import PubMedResponseError

    retracted = next(p for p in _efetch_files() if "retracted" in p.name).read_bytes()
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaa">]>'
        + retracted[retracted.index(b"<PubmedArticleSet>") :]
    )
    with pytest.raises(PubMedResponseError, match="declares an entity"):
        list(iter_medline(bomb))
    cut = tmp_path / "cut.xml"
    cut.write_bytes(retracted[: len(retracted) // 2])
    with pytest.raises(PubMedResponseError, match="cut off") as caught:
        list(iter_medline(cut))
    assert caught.value.location is not None
    assert caught.value.location.line == 4  # the article that starts there is not finished


def test_commands_serially(
    corpus: Path,
    medline_files: list[Path],
    index: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from evidence.cli import main

    built = tmp_path / "index"
    files = [os.fspath(p) for p in medline_files]
    assert (
        main(["medline-index", *files, "-o", os.fspath(built), "--serial", "--buckets", "3"]) == 0
    )
    assert pq.read_table(built / "records").equals(pq.read_table(index / "records"))
    out = os.fspath(tmp_path / "out")
    command = ["audit", os.fspath(corpus), "--index", os.fspath(index), "-o", out]
    # Exit 1: citations of retracted work were found.
    assert main([*command, "--serial", "--offline", "--batch", "4"]) == 1
    err = capsys.readouterr().err
    assert "10 articles" in err
    assert "1 citing retracted work" in err
    assert "3 run now" in err
    # The same command again: every partition is done already.
    assert main([*command, "--serial", "--offline", "--batch", "4"]) == 1
    assert "3 partition(s) already done, 0 run now" in capsys.readouterr().err
    # Other settings in the same folder are refused, not mixed in.
    assert main([*command, "--serial", "--offline", "--batch", "2"]) == 2
    assert "another audit" in capsys.readouterr().err


def test_without_index_records_come_from_pubmed_in_one_batch(corpus: Path, tmp_path: Path) -> None:
    from ncbi_server import NCBIServer

    from evidence.pipeline import PubMedSettings

    single = tmp_path / "corpus"
    single.mkdir()
    shutil.copy(corpus / SEEDED_ARTICLE, single / SEEDED_ARTICLE)
    with NCBIServer(shared_path("fixtures", "pubmed")) as server:
        pubmed = PubMedSettings(
            cache=False, base_url=server.url, email="t@example.org", options={"max_rate": 100}
        )
        settings = AuditSettings(os.fspath(tmp_path / "out"), pubmed=pubmed)
        assert run_audit([single], settings, engine=Engine(serial=True)).report.ok
        fetches = [r for r in server.requests if r.endpoint == "efetch.fcgi"]
    citations, _ = _frames(tmp_path / "out")
    with_pmid = citations[citations["cited_pmid"].notna()]
    assert set(with_pmid["record_source"]) == {"fetched"}
    assert len(fetches) == 1  # every cited PMID of the partition in one request
    flagged = citations[citations["status"] == "retracted"]
    assert list(flagged["cited_pmid"]) == [RETRACTED]


def test_unreadable_articles_are_rows_that_say_why(index: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "cut.nxml").write_bytes(b'<?xml version="1.0"?>\n<article>\n<body><p>Cut')
    (folder / "latin1.md").write_bytes("Caf\xe9 au lait [1].\n".encode("latin-1"))
    out = tmp_path / "out"
    settings = AuditSettings(os.fspath(out), index=os.fspath(index))
    assert run_audit([folder], settings, engine=Engine(serial=True), batch=5).report.ok
    citations, articles = _frames(out)
    assert len(citations) == 0
    errors = dict(
        zip(articles["source"].map(lambda s: Path(s).name), articles["error"], strict=True)
    )
    assert set(errors) == {"cut.nxml", "latin1.md"}
    assert "cut.nxml:3" in errors["cut.nxml"]
    assert "cannot read the JATS article as XML" in errors["cut.nxml"]
    assert "UTF-8" in errors["latin1.md"]


def test_index_rerun_redoes_only_what_changed(medline_files: list[Path], tmp_path: Path) -> None:
    first = build_index(medline_files, tmp_path, engine=Engine(serial=True), buckets=3)
    assert len(first.passes["files"].results) == len(medline_files)
    again = build_index(medline_files, tmp_path, engine=Engine(serial=True), buckets=3)
    assert len(again.passes["files"].skipped) == len(medline_files)
    assert not again.passes["records"].results  # nothing changed: no bucket rebuilt
    assert not again.passes["ids"].results
    # A file that changed is read again, and the buckets are rebuilt from the parts.
    update = medline_files[-1]
    original = update.read_bytes()
    try:
        update.write_bytes(original.replace(b"UPDATED ", b"AGAIN "))
        third = build_index(medline_files, tmp_path, engine=Engine(serial=True), buckets=3)
    finally:
        update.write_bytes(original)
    assert list(third.passes["files"].results) == [f"file-{len(medline_files) - 1:05d}"]
    assert len(third.passes["records"].results) == 3
    assert MedlineIndex(tmp_path)["219391"].title.startswith("AGAIN ")


def test_per_pmid_memo_gives_the_per_citation_results(index: Path, tmp_path: Path) -> None:
    """The audit assesses each cited record and cuts its abstract into terms once per
    partition; every row must hold what the per-citation calls give. Every PMID of the
    fixture articles' reference lists is renumbered to a PMID of the index (seeded
    draw), so records with abstracts are cited many times, from many sentences."""
    import random
    import re

    from evidence.assess.support import support_for_record

    records = MedlineIndex(index)
    pmids = sorted(records)
    rng = random.Random(19)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pattern = re.compile(rb'(<pub-id pub-id-type="pmid">)\s*\d+\s*(</pub-id>)')
    for path in sorted(shared_path("fixtures", "jats").iterdir()):
        if path.suffix in (".xml", ".nxml"):
            data = pattern.sub(
                lambda m: m.group(1) + rng.choice(pmids).encode() + m.group(2), path.read_bytes()
            )
            (corpus / path.name).write_bytes(data)
    out = tmp_path / "out"
    settings = AuditSettings(os.fspath(out), index=os.fspath(index))
    assert run_audit([corpus], settings, engine=Engine(serial=True), batch=5).report.ok
    citations, _ = _frames(out)
    rows = citations[citations["record_source"] == "index"]
    scored = rows[rows["support_score"].notna()]
    # The memo is exercised: cited records with abstracts, each from several sentences.
    assert len(scored) > 100
    assert scored["cited_pmid"].value_counts().max() > 5
    assert set(rows["status"]) >= {"none", "retracted"}
    for row in rows.itertuples():
        record = records[row.cited_pmid]
        assessment = assess_retraction(record)
        assert row.status == assessment.status.value
        assert row.notices == " ".join(assessment.notice_pmids)
        assert row.detail == assessment.detail
        check = support_for_record(row.sentence, record)
        if check is None:
            assert row.support_score != row.support_score  # NaN: no abstract
        else:
            assert row.support_score == round(check.score, 6)
            assert row.mentions == check.mentions
