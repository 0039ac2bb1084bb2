"""Writing ``docs/performance.md`` from a run's results: the page's sections, in order, with
the targets' rows and misses from :mod:`benchmarks.targets`. :mod:`benchmarks.run` measures
and calls :func:`page`; ``python -m benchmarks --from-json`` rewrites the page from saved
results.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from benchmarks import (
    bench_audit,
    bench_claims,
    bench_extract,
    bench_formats,
    bench_sentences,
    bench_startup,
    bench_tables,
)
from benchmarks._measure import ROOT, Result
from benchmarks.targets import (
    COMMAND_RUN,
    LIBRARY,
    _s,
    missed_section,
    summary_rows,
)

PAGE = ROOT / "docs" / "performance.md"
GROUPS = (
    "references",
    "formats",
    "pubmed",
    "pubmed-parse",
    "tables",
    "extract",
    "sentences",
    "startup",
    "claims",
)
COMMAND = "python -m benchmarks"


def startup_section(s: Result) -> list[str]:
    out = ["## Start-up: short commands in a fresh interpreter", ""]
    out += [
        "Each command in a fresh interpreter, the median of "
        f"{s['rounds']} rounds after one warm-up run (`benchmarks/bench_startup.py`): wall "
        "time, CPU time (user + system, from `getrusage(RUSAGE_CHILDREN)`), and import time "
        "as `python -X importtime` totals it (separate runs, since `-X importtime` adds its "
        "own cost). Bytecode is written and used, as for an installed package. `check` reads "
        "the example's .bib from a warm parse cache in a temporary folder, as on a user's "
        "second run. `import pybtex.database` and the bare interpreter are the peers.",
        "",
        *bench_startup.show(s).splitlines(),
        "",
    ]
    return out


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def references_section(refs: Result) -> list[str]:
    out = [
        "## References: `load_references` against pybtex and bibtexparser, and the parse cache",
        "",
    ]
    out += [
        "Each run is a fresh process; the figure is the median of the rounds (all rounds in "
        "brackets). Peak memory is the process's peak resident set (Linux `VmHWM`: "
        "`ru_maxrss` without the parent's peak that Linux carries over `exec`), the "
        "interpreter and imports included (the baseline after imports is in brackets).",
        "",
    ]
    names = {
        "pybtex": "pybtex `parse_file` (non-strict)",
        "bibtexparser": "bibtexparser v2 `parse_file` (default stack)",
        "bibtexparser_names": "bibtexparser v2 with `SeparateCoAuthors`, `SplitNameParts`",
        "cold": "`load_references(path, cache=False)`",
        "cold_write": "`load_references(path)`, empty cache: parse and write the entry",
        "warm": "`load_references(path)` from the cache",
        "warm_all": "the same, then every reference read",
    }
    for which, f in refs.items():
        if not isinstance(f, dict) or "file" not in f:
            continue
        title = (
            "the real Zotero export"
            if which == "zotero"
            else "the generated file (benchmarks/generate.py, seed 2025)"
        )
        rounds = f"{f['rounds']} round{'s' if f['rounds'] != 1 else ''}"
        out.append(
            f"**{f['file']}**, {title}: {f['size_mb']} MB; {f['entries']:,} entries loaded and "
            f"{f['not_loaded']:,} reported as not loaded (duplicate or empty keys), "
            f"{f['problems']:,} problems in all; pybtex keeps {f['entries_pybtex']:,} entries. "
            f"{rounds}."
        )
        out.append("")
        rows = []
        for key, label in names.items():
            if key not in f:
                continue  # bibtexparser not installed
            m = f[key]
            rounds = ", ".join(_s(x) for x in m["all_seconds"])
            rows.append(
                (
                    label,
                    f"{_s(m['seconds'])} ({rounds})",
                    f"{m['peak_rss_mb']:.0f} MB ({m['base_rss_mb']:.0f})",
                )
            )
        out += _table(("run", "time", "peak memory"), rows)
        out.append(
            f"Cold load / pybtex: **{f['ratio_cold_pybtex']:.2f}**. Warm load: "
            f"**{f['speedup_warm']:.0f}x** faster than cold; with every entry read, "
            f"**{f['speedup_warm_all']:.1f}x**. Writing the cache entry costs "
            f"{_s(f['cold_write']['seconds'] - f['cold']['seconds'])} on top of the cold load. "
            f"Cold peak memory / pybtex's: **{f['ratio_peak_pybtex']:.2f}**."
        )
        out.append("")
        if "ratio_cold_bibtexparser_names" in f:
            out.append(
                f"Cold load / bibtexparser {f['bibtexparser_version']}: "
                f"**{f['ratio_cold_bibtexparser']:.2f}** against its plain parse, "
                f"**{f['ratio_cold_bibtexparser_names']:.2f}** against its parse with name "
                f"splitting (it keeps {f['entries_bibtexparser']:,} entries and "
                f"{f['failed_bibtexparser']:,} failed blocks). Even with its name "
                "middlewares bibtexparser does less than `load_references`: it decodes no "
                "LaTeX, finds no PMID, DOI or PMCID, reads no year or month, compares keys "
                "with their case, and says of a failed block where it starts, not what to fix."
            )
            out.append("")
    return out


def pubmed_section(p: Result) -> list[str]:
    out = ["## PubMed: fetching many PMIDs under NCBI's rate limit", ""]
    if "skipped" in p:
        return [*out, f"Skipped: {p['skipped']}.", ""]
    b, w, s = p["batched"], p["warm"], p["single"]
    out += [
        f"{p['count']:,} PMIDs against the loopback server of `tests/ncbi_server.py`, which "
        "answers 429 to any request beyond 3 in the trailing second, as NCBI does without an "
        "API key. Each client runs in a fresh process.",
        "",
    ]
    rows = [
        (
            "batched client (defaults: 200 PMIDs a request, 3 requests/s), empty cache",
            f"{b['requests']}",
            f"{b['rate_limited']}",
            _s(b["seconds"]),
            f"{_s(p['floor'])} ({p['ratio_floor']:.2f}x)",
        ),
        (
            f"one PMID per request, measured on {p['sample']} PMIDs",
            f"{s['requests']}",
            f"{s['rate_limited']}",
            _s(s["seconds"]),
            f"{_s((p['sample'] - 1) / 3)}",
        ),
        (
            f"one PMID per request, **extrapolated** to {p['count']:,} PMIDs",
            f"{p['count']:,}",
            "",
            f"{p['single_extrapolated_seconds'] / 60:.0f} min",
            f"{p['single_floor_seconds'] / 60:.0f} min",
        ),
        (
            "batched client again, warm cache (`PubMedClient.fetch`)",
            f"{w['requests']}",
            f"{w['rate_limited']}",
            _s(w["seconds"]),
            "",
        ),
    ]
    e = p.get("entrez", {})
    if e and "skipped" not in e:
        rows.insert(
            1,
            (
                f"Bio.Entrez {e['version']} (the peer): `efetch` of 200 PMIDs a request, "
                "`Entrez.read`, one after another",
                f"{e['requests']}",
                f"{e['rate_limited']}",
                _s(e["seconds"]),
                f"{_s(p['entrez_floor'])} ({e['seconds'] / p['entrez_floor']:.2f}x)",
            ),
        )
    out += _table(("client", "requests", "429s", "wall time", "rate floor"), rows)
    ws, wc = p.get("warm_studies"), p.get("warm_command")
    if ws and wc:
        out += [
            "Warm, with every record in the cache (no request):",
            "",
            *_table(
                ("what it times", "CPU time", "wall time"),
                [
                    (
                        f"{LIBRARY}: `Pipeline.studies` over a .bib of the {p['count']:,} "
                        "PMIDs (cache reads and study records, as `evidence table` runs it)",
                        _s(ws["cpu_seconds"]),
                        _s(ws["seconds"]),
                    ),
                    *(
                        [
                            (
                                f"{LIBRARY}: the same step over a cache in the layout from "
                                "before packs (one file per PMID, still read)",
                                _s(p["warm_single"]["cpu_seconds"]),
                                _s(p["warm_single"]["seconds"]),
                            )
                        ]
                        if "warm_single" in p
                        else []
                    ),
                    (
                        f"{COMMAND_RUN}: `evidence fetch --bib ... --cache-dir ...` in a fresh "
                        "interpreter (start-up, imports and the .bib parse cache included)",
                        _s(wc["cpu_seconds"]),
                        _s(wc["seconds"]),
                    ),
                ],
            ),
        ]
    elif e and "skipped" in e:
        out += [f"Bio.Entrez: skipped ({e['skipped']}).", ""]
    out.append(
        f"Batching makes the fetch **{p['speedup_batched']:.0f}x** faster than one request "
        f"per PMID (the latter's time per PMID measured in this run and multiplied by "
        f"{p['count']:,}, not run in full). The floor is `(requests - 1) / 3` s: the first "
        "request goes out at once, and the client spaces requests 0.35 s apart, 5 % under "
        "the limit, because NCBI counts arrivals."
    )
    return [*out, ""]


def parse_section(q: Result) -> list[str]:
    out = ["## PubMed: parsing EFetch answers", ""]
    if "skipped" in q:
        return [*out, f"Skipped: {q['skipped']}.", ""]
    return [
        *out,
        f"`parse_efetch` on one body of {q['records']:,} real fixture articles "
        f"({q['body_mb']:.0f} MB, 18 KB an article: reference and investigator lists): "
        f"**{_s(q['seconds'])}** ({q['records'] / q['seconds']:,.0f} records/s), "
        f"tracemalloc peak {q['traced_peak_mb']:.0f} MB. Target: under 10 s, peak below "
        "the body's size.",
        "",
    ]


def tables_section(t: Result) -> list[str]:
    out = ["## Tables: building and rendering 1,000 to 100,000 claims", ""]
    out += [
        "Generated claims (benchmarks/generate.py, seed 2025), 3 citations each, every "
        "citation with a stance, a finding, events of n and an outcome; a bibliography of one "
        "reference for every 5 claims, each with a PubMed record made from the real EFetch "
        "fixtures (abstracts included), and each claim a sentence of its studies' abstracts. "
        "Each size is one fresh process; steps run in the order listed.",
        "",
    ]
    sizes = list(t.values())
    header = ("", *(f"{r['claims']:,} claims" for r in sizes))
    lines: list[tuple[str, Callable[[Result], str]]] = [
        ("references cited / evidence rows", lambda r: f"{r['cited']:,} / {r['evidence_rows']:,}"),
        (
            "make_study (the assessment is made on first use, so inside build_table)",
            lambda r: _s(r["assess"]),
        ),
        ("build_table", lambda r: _s(r["build"])),
        (
            "of which abstract support checks",
            lambda r: _s(r["support"]) if "support" in r else "",
        ),
        (
            "reference list alone (unsrt; plain articles without pybtex)",
            lambda r: _s(r["reference_list"]),
        ),
        ("render Markdown (formats the reference list)", lambda r: _s(r["markdown"])),
        ("render HTML", lambda r: _s(r["html"])),
        ("render JSON", lambda r: _s(r["json"])),
        ("**build + three renders**", lambda r: f"**{_s(r['total'])}**"),
        ("peak memory after build", lambda r: f"{r['rss_after_build_mb']:.0f} MB"),
        ("peak memory after rendering", lambda r: f"{r['peak_rss_mb']:.0f} MB"),
        (
            "output: Markdown / HTML / JSON",
            lambda r: " / ".join(
                f"{r['output_bytes'][k] / 1e6:.0f} MB" for k in bench_tables.FORMATS
            ),
        ),
    ]
    rows = [(label, *(cell(r) for r in sizes)) for label, cell in lines]
    out += _table(header, rows)
    if len(sizes) >= 2:
        growth = []
        for before, after in itertools.pairwise(sizes):
            factor = after["claims"] / before["claims"]
            time_growth = after["total"] / before["total"]
            build_growth = after["build"] / before["build"]
            used_before = max(1.0, before["peak_rss_mb"] - before["base_rss_mb"])
            memory_growth = (after["peak_rss_mb"] - after["base_rss_mb"]) / used_before
            growth.append(
                f"{before['claims']:,} to {after['claims']:,} claims ({factor:.0f}x): time "
                f"{time_growth:.1f}x, build {build_growth:.1f}x, memory above the baseline "
                f"{memory_growth:.1f}x"
            )
        out += ["How cost grows: " + "; ".join(growth) + ".", ""]
    return out


FIXED = """\
## What the profiles showed, and what was fixed

Profiles were taken with `python -m benchmarks --profile GROUP` (cProfile). Before/after
figures below were measured on this machine while fixing, in one process each.

Second round (this page's run measures the result). CPU time, old and new trees in the
same sitting on this machine at load average 8-14:

* **BibTeX, cold: 1.38 s -> 0.65 s** for the Zotero export (`python -m benchmarks.compare
  OLD NEW --rounds 5 --stage bib`). Plain entries are scanned with one regular-expression
  match per field and fall back to the careful parser at anything unusual (scanning
  0.59 s -> 0.11 s); each distinct name is split once per load (42,153 names, 23,650
  distinct); braces dropped with `replace`. Differential tests against the careful path
  on every fixture, mutants and random text.
* **BibTeX, warm with every entry read: 145 ms -> 60 ms** (Zotero), **1,035 ms -> 431 ms**
  (50,000 entries). The parse cache stores type-checked columns in chunks of 64 entries
  with one shared name table, and builds references without the frozen dataclass
  `__init__` (`evidence/bibliography/fill.py`).
* **Tables, 10,000 claims: 19.2 s -> 9.2 s** (build 9.4 -> 3.9 s: each word stemmed once,
  each abstract's term weights made once, the set of counted studies made once instead of
  once per claim, which was quadratic; a study's evidence columns made once per study).
  The `unsrt` line of a plain journal article is written without pybtex (3.0 s -> 0.14 s
  for the list; every entry of every fixture gives pybtex's line); escaping returns a
  cell after one search when it has nothing to escape; JSON written straight from the
  frames' records.
* **PubMed, warm: `evidence fetch` over 10,000 cached PMIDs 1.23-1.30 s -> 0.84-0.86 s**
  (whole command; `Pipeline.studies` 0.85 -> 0.45 s): each fetched batch is one pack file
  of compact rows instead of one JSON file per PMID (the old layout is still read).
* **PubMed, parsing: 1.49 s -> 0.70 s for 2,000 heavy records**: ordinary bodies go through
  the C parser and tree builder, each article taken as it completes; a body with an
  entity declaration, another encoding, an `<ERROR>` or anything unusual goes the
  careful (defused) way as before. Plain-tag paths use the C `findall`.
* **Extraction: 1.0-1.3 MB/s -> 2.4-2.7 MB/s** (patterns that began with a look-behind
  start with their first character, reference-list patterns compiled once instead of once
  per entry, markers searched only near the characters they need); **20,000 claims to
  YAML: 28.7 s -> about 1.3 s** with the same bytes (a writer for plain claims that
  follows PyYAML's rules, checked against PyYAML on random claim sets; anything else still
  goes through PyYAML); **`evidence extract` on a 5.2 MB article: 55 s -> 5 s CPU**.
* **Start-up: `evidence check` on the bundled example 0.73 s -> 0.22 s CPU** (imports
  1.81 s -> 0.52 s wall at load 10-12): package `__init__`s re-export lazily, the table's
  frames are made when first read, and requests, urllib3, tqdm, pandas and latexcodec are
  imported only by the commands that need them (`tests/test_startup.py` keeps it so).

First round:

* **Rendering: a plugin look-up per reference.** pybtex's `render_as("text")` looks the
  text backend up in the installed packages' entry points on every call: 14 ms per
  reference, 93 % of a render. The style and backend are now looked up once per style;
  a table's formatted reference list is kept for its other formats (the last four lists),
  and single lines too (4,096 of them, keyed on everything a line depends on) for other
  tables citing the same entries. 1,000 claims: Markdown 7.5 s -> 1.5 s, JSON 11.8 s ->
  1.4 s, before the changes below. A first memo of 10,000 single lines thrashed at 20,000
  references: each format of the 100,000-claim table paid 30 s for its list again.
* **Rendering: rows made again and again.** Each renderer turned the same DataFrames into
  row dicts several times with `to_dict("records")`; rows are now made once per render,
  column by column (3-4x faster, same values). Markdown escaping uses one `translate`
  (skipped when a cell has nothing to escape) instead of a regex substitution per cell.
  The cyclic GC is paused while rendering (millions of small strings, no cycles).
* **JSON: the pure-Python encoder.** `json.dumps(..., indent=2)` cannot use the C encoder;
  an indented writer of the same text (checked equal on random documents) is 2-3x faster,
  and builds each array element whole, so a 10,000-claim render peaks at 489 MB instead
  of 696 MB.
* **PubMed warm cache: 1.05-1.4 s -> 0.7 s for 10,000 records.** `pathlib` joins and a text
  decoder per entry, and the GC walking the growing heap of records: the cache now builds
  string paths and reads bytes, and `fetch` pauses the GC while it answers from the cache.
  What remains is `json.loads` (15 us) and `PubMedRecord.from_dict` (22 us) per record.
* **The parse cache** (new): a plain-row entry per file, each reference built when first
  asked for. A first version that built every reference at load was only 14x faster than
  a parse; building references lazily is 40-90x. Encoding with the GC paused halved the
  cost of writing an entry.
* **Warm `evidence fetch`, 10,000 cached PMIDs: 8.7-11.8 s -> about 1.8 s of CPU**
  (whole command, measured with `time.process_time` around `evidence.cli.main`). The
  profile: 19 of 28 profiled seconds went to `design_text._scan` running 31
  case-insensitive regexes over every title and abstract, for study designs `fetch`
  never shows, and 4.6 s to `PubMedRecord.from_dict` making a checker object per item.
  Now each design pattern names the words it cannot match without and is skipped on a
  text lacking them (same mentions on every fixture and 20,000 random texts); a study's
  design, retraction and mismatches are assessed when first asked for, so `fetch` never
  pays for them; `from_dict` reads a plain dict directly and hands anything unusual to
  the checked reader (same records and errors on 39,000 mutated dicts).
* **Support checks: 14.7 s -> about 4.5 s at 10,000 claims.** Each cited abstract is
  split into sentences and terms once per table (`AbstractTerms`), not once per citation;
  scores are the same to the bit. `statistics._count` takes a plain `int` without the
  runtime Protocol check.
* **Cold fetch: pipelined.** One thread sent a batch, waited for the answer, parsed it and
  cached it, then sent the next: each batch cost its network time plus about 0.25 s of
  parsing and caching, so the fetch could not keep NCBI's pace (and NCBI's answers take a
  second or more each). Up to 4 requests are now in flight at the limiter's rate, each
  sent in batch order once the previous one is on the wire and NCBI has answered the
  first; answers are parsed in the workers and cached by the caller meanwhile.
* **DOI look-ups batched.** One ESearch per DOI-only reference became one ESearch per 100
  DOIs (terms joined by `OR`), each hit taken only when its record carries the DOI.
* **A deadline per request.** requests' timeout bounds each wait for a byte, not a
  whole answer: a server trickling a byte every 2 s held `evidence fetch` for 519 s. A
  watchdog now shuts the socket of an attempt still running at its deadline (twice the
  timeout, never past the retry budget).
"""


def _existing_page() -> str:
    return PAGE.read_text("utf-8") if PAGE.exists() else ""


def page(r: Result, previous: str | None = None) -> str:
    """The page for the results ``r``; the audit block is kept from ``previous`` (the page
    as it is, by default)."""
    m = r["machine"]
    v = m["versions"]
    lines = [
        "# Performance",
        "",
        "Measured speed and memory, each figure beside its target. Every figure on this page "
        f"comes from one run of `{COMMAND}` (started {r['started'][:16].replace('T', ' ')} "
        f"UTC, {r['seconds'] / 60:.0f} minutes), which wrote the page; ratios are measured "
        "side by side in that run. Speed is measured here, never asserted in tests.",
        "",
        "Each figure says what it times: a **library call** (the function named, in a "
        "process that has already imported `evidence`: what a script or a docs build "
        "pays) or the **whole command** (`evidence ...` in a fresh interpreter, as a user "
        "runs it: start-up and imports included). Where both matter, both are given.",
        "",
        "## Run it",
        "",
        "```console",
        f"$ {COMMAND}                      # everything; rewrites this page",
        f"$ {COMMAND} --only tables        # one group of: {', '.join(GROUPS)}",
        f"$ {COMMAND} --quick              # a smaller smoke run; prints, writes nothing",
        f"$ {COMMAND} --profile references # cProfile of one group's workload",
        "```",
        "",
        "Run it from the repository root with `../shared` beside the repository (the Zotero "
        "export and the PubMed fixtures). Each measurement runs in a fresh Python process, "
        "so its peak memory is its own.",
        "",
        "## The machine",
        "",
        f"- {m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']} GB memory; {m['system']}",
        f"- {m['implementation']} {m['python']}; evidence {v['evidence']}, pybtex {v['pybtex']}, "
        f"pandas {v['pandas']}, requests {v['requests']}, urllib3 {v['urllib3']}, "
        f"defusedxml {v['defusedxml']}",
        "- load average at the start: "
        + ", ".join(f"{x:.2f}" for x in m["load"])
        + " (the machine is shared; figures move by 10-20 % between runs)",
        "",
        "## Every target",
        "",
    ]
    lines += _table(("figure", "what it times", "target", "measured", ""), summary_rows(r))
    lines += references_section(r["references"])
    lines += pubmed_section(r["pubmed"])
    lines += parse_section(r["pubmed-parse"])
    lines += tables_section(r["tables"])
    lines += [
        "## Reference formats",
        "",
        "The other readers beside the BibTeX reader, on the same references written in each "
        "format (`benchmarks/bench_formats.py`).",
        "",
        *bench_formats.show(r["formats"]).splitlines(),
        "",
        "## Extraction",
        "",
        "`extract_claims` (library call) on generated articles from 50 KB to 5 MB and with "
        "reference lists of 100 to 5,000 entries, each in a fresh process, CPU seconds, best "
        "of three rounds (two at 5 MB) (`benchmarks/bench_extract.py`). Linear growth is the "
        "target: MB/s stays flat.",
        "",
        *bench_extract.show(r["extract"]).splitlines(),
        "",
        "## Sentences and extraction at 16,000 sentences",
        "",
        "The inputs that made sentence splitting quadratic (issue 12), split at 1,000, 4,000 "
        "and 16,000 repeats, and extraction of as many cited sentences (library calls, CPU "
        "time, best of three; `python -m benchmarks.bench_sentences`). Linear: the last "
        "column, 16 times the input, stays near 16 (the quadratic splitter gave about 256).",
        "",
        *bench_sentences.show(r["sentences"]).splitlines(),
        "",
        *(startup_section(r["startup"]) if "startup" in r else []),
        "## Writing claims",
        "",
        "`dump_claims` (library call, CPU seconds, median of three) on 20,000 claims "
        "extracted from a generated article, each with its citations, written and read back; "
        "and the whole `evidence extract` command on a 5.2 MB article "
        "(`benchmarks/bench_claims.py`).",
        "",
        *bench_claims.show(r["claims"]).splitlines(),
        "",
        # The audit's figures come from its own hour-long run (benchmarks/bench_audit.py),
        # which writes them between these markers: keep whatever the page holds there.
        *bench_audit.kept_block(previous if previous is not None else _existing_page()),
        "",
    ]
    lines += missed_section(r)
    lines += FIXED.splitlines()
    return "\n".join(lines).rstrip() + "\n"
