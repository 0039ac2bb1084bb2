"""Seeded generators for the benchmarks: a large .bib file and large claim sets.

Nothing generated is committed: the suite writes what it needs to a temporary folder on
every run, and the same seed always gives the same bytes.

The .bib generator follows the recipe of the team's pybtex measurements
(``../shared/reference/pybtex.md``), so its figures can be set beside those: PubMed-like
``@article`` entries with 1 to 40 authors (exponential, mean about 4), UTF-8 and
LaTeX-escaped names, 3 % corporate authors, 5 % ``and others``; braced acronyms in titles;
journal, year, volume, number, pages, DOI and PMID; half with ``month = jan``-style
macros, 30 % with an 80-220-word abstract, 20 % with a URL holding ``%`` and ``_``. That
comes to about 800 bytes an entry.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace

from evidence.model import Citation, Claim, Name, PubMedRecord, Reference, Stance

__all__ = ["generate_bib", "generate_claims", "generate_records"]

_SURNAMES = [
    "Smith",
    "Jones",
    "Garcia",
    "Chen",
    "Wang",
    "Kumar",
    "Nguyen",
    "Kim",
    "Ivanov",
    "Rossi",
    "Müller",
    "Søndergaard",
    "Łukasz",
    "O'Brien",
    "Dubois",
    "Silva",
    "Tanaka",
    "Cohen",
    "Novak",
    "Hansen",
    "Papadopoulos",
    "Yilmaz",
    "Okafor",
    "Haddad",
]
_LATEX_SURNAMES = (r"M{\"u}ller", r"Garc{\'\i}a", r"{\O}ster", r"Stra{\ss}er", r"Jos{\'e}")
_GIVEN = [
    "Anna",
    "Bo",
    "Carlos",
    "Dmitri",
    "Eva",
    "Farah",
    "Gustav",
    "Hiro",
    "Ines",
    "José",
    "Kwame",
    "Lena",
    "Mei",
    "Noor",
    "Omar",
]
_WORDS = [
    "pain",
    "fusion",
    "joint",
    "sacroiliac",
    "lumbar",
    "patients",
    "outcome",
    "risk",
    "cohort",
    "trial",
    "surgery",
    "injection",
    "block",
    "relief",
    "degeneration",
    "adjacent",
    "segment",
    "disability",
    "randomised",
    "controlled",
    "systematic",
    "review",
    "meta-analysis",
    "incidence",
    "prevalence",
    "chronic",
    "acute",
    "effect",
    "treatment",
    "versus",
]
_ACRONYMS = ("{MRI}", "{CT}", "{RCT}", "{COVID}-19", "{DNA}", "{NSAID}", "{SIJ}")
_JOURNALS = ("Spine", "Eur Spine J", "J Neurosurg Spine", "Pain Physician", "BMJ", "Lancet")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _author(rng: random.Random) -> str:
    if rng.random() < 0.03:
        return "{" + rng.choice(("World Health Organization", "Cochrane Back Group")) + "}"
    surname = rng.choice(_LATEX_SURNAMES) if rng.random() < 0.1 else rng.choice(_SURNAMES)
    return f"{surname}, {rng.choice(_GIVEN)} {chr(65 + rng.randrange(26))}."


def _key_word(author: str) -> str:
    """The first author's surname in ASCII letters, as reference managers make keys."""
    return re.sub(r"[^A-Za-z]", "", author.split(",")[0].replace("\\", " "))[:12] or "anon"


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def generate_bib(count: int, seed: int = 2025) -> str:
    """``count`` PubMed-like ``@article`` entries as BibTeX text (see the module doc)."""
    rng = random.Random(seed)
    out: list[str] = []
    for number in range(count):
        authors = [_author(rng) for _ in range(min(40, 1 + int(rng.expovariate(1 / 3))))]
        if rng.random() < 0.05:
            authors.append("others")
        title = f"{_words(rng, 4)} {rng.choice(_ACRONYMS)} {_words(rng, 6)}".capitalize()
        year = rng.randint(1980, 2025)
        lines = [
            f"@article{{{_key_word(authors[0])}{year}_{number},",
            f"  author = {{{' and '.join(authors)}}},",
            f"  title = {{{title}}},",
            f"  journal = {{{rng.choice(_JOURNALS)}}},",
            f"  year = {{{year}}},",
            f"  volume = {{{rng.randint(1, 60)}}},",
            f"  number = {{{rng.randint(1, 12)}}},",
            f"  pages = {{{(first := rng.randint(1, 900))}--{first + rng.randint(1, 20)}}},",
            f"  doi = {{10.{rng.randint(1000, 9999)}/bench.{number}}},",
            f"  pmid = {{{30_000_000 + number}}},",
        ]
        if rng.random() < 0.5:
            lines.append(f"  month = {rng.choice(_MONTHS)},")
        if rng.random() < 0.3:
            lines.append(f"  abstract = {{{_words(rng, rng.randint(80, 220)).capitalize()}.}},")
        if rng.random() < 0.2:
            lines.append(f"  url = {{https://example.org/a_b/{number}%20x?id={number}_v1}},")
        lines.append("}\n")
        out.append("\n".join(lines))
    return "\n".join(out)


def generate_claims(
    count: int, references: int, seed: int = 2025, topics: Sequence[Sequence[str]] = ()
) -> tuple[list[Claim], dict[str, Reference]]:
    """``count`` claims citing 3 of ``references`` generated references each.

    Stances are mostly ``supports``; every citation reports events of n for one of two
    outcomes, so claims get intervals, pooled estimates and certainty ratings, the most
    work the table does per claim. With ``topics`` (the sentences of each PubMed record
    that :func:`generate_records` will give reference number ``i``, ``topics[i % len]``),
    a claim is a sentence of one topic and cites three references of that topic, so the
    abstracts it cites do mention it, as in a real evidence table.
    """
    rng = random.Random(seed)
    refs: dict[str, Reference] = {}
    by_topic: dict[int, list[str]] = {}
    for number in range(references):
        key = f"ref{number}"
        authors = tuple(
            Name(rng.choice(_SURNAMES), rng.choice(_GIVEN)) for _ in range(rng.randint(1, 6))
        )
        refs[key] = Reference(
            key,
            "article",
            title=_words(rng, 10).capitalize(),
            authors=authors,
            year=rng.randint(1990, 2025),
            journal=rng.choice(_JOURNALS),
            volume=str(rng.randint(1, 60)),
            pages=f"{rng.randint(1, 900)}-{rng.randint(901, 999)}",
            pmid=str(30_000_000 + number),
            doi=f"10.5555/bench.{number}",
        )
        by_topic.setdefault(number % len(topics) if topics else 0, []).append(key)
    stances = (Stance.SUPPORTS, Stance.SUPPORTS, Stance.CONTRADICTS, Stance.MIXED)
    claims = []
    for number in range(count):
        topic = rng.choice(list(by_topic))
        pool = by_topic[topic]
        sentences = topics[topic] if topics else ()
        citations = []
        for key in rng.sample(pool, min(3, len(pool))):
            n = rng.randint(10, 500)
            citations.append(
                Citation(
                    key,
                    stance=rng.choice(stances),
                    finding=_words(rng, 8),
                    n=n,
                    events=rng.randint(0, n),
                    outcome=rng.choice(("pain relief", "fusion")),
                )
            )
        text = rng.choice(sentences) if sentences else _words(rng, 15).capitalize() + "."
        claims.append(Claim(f"claim-{number}", text, tuple(citations)))
    return claims, refs


def generate_records(
    references: dict[str, Reference], templates: list[PubMedRecord]
) -> dict[str, PubMedRecord]:
    """A PubMed record for each reference, cycling through real ``templates`` with the
    reference's PMID, DOI, title, journal and year put in (so nothing is a mismatch)."""
    records = {}
    for number, (key, ref) in enumerate(references.items()):
        template = templates[number % len(templates)]
        records[key] = replace(
            template,
            pmid=ref.pmid or "",
            doi=ref.doi,
            title=ref.title,
            journal=ref.journal,
            year=ref.year,
            authors=ref.authors,
        )
    return records
