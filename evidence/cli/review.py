"""``evidence review``: walk the unreviewed citations in the terminal, one key per decision.

For each citation whose stance is still ``unknown`` it shows the claim and where it came
from, the study (design, year, PMID and DOI links), the abstract's best sentences with the
claim's words highlighted, and the counts the abstract suggests; then one key decides:

====  =====================================================================
s     supports              c  contradicts         m  mixed
b     background (cited for context, takes no side)
a     accept the suggested numbers (events and n, the sentence as the quote, and the
      stated design when the study has none)
e     edit the numbers (type ``21/52``, ``52``, or nothing to clear them)
n     add a note        k or space  skip        p  back        q  quit      ?  help
====  =====================================================================

Every decision is written to the claims file at once (:mod:`evidence.claims.roundtrip`:
atomic, comments and order kept, only that citation's lines change), so Ctrl-C or a lost
ssh connection loses nothing, and running the command again resumes at the first citation
still unreviewed. Keys are read one at a time from a terminal (cbreak mode, restored on
exit); from a pipe, one line per key. Colour and bold are used only on a terminal, never
when ``NO_COLOR`` is set or ``TERM`` is ``dumb``; without them the claim's words are
marked ``*like this*``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from evidence.assess.abstracts import abstract_for
from evidence.assess.suggest import Suggestion, suggest
from evidence.assess.support import terms
from evidence.claims.roundtrip import Value, set_citation_fields
from evidence.cli.steps import EXIT_OK, pipeline_for, plural, say_unreachable, snapshot_of
from evidence.model import Citation, Claim, Stance

if TYPE_CHECKING:
    from evidence.studies import Study
    from evidence.table import EvidenceTable

STANCE_KEYS = {
    "s": Stance.SUPPORTS,
    "c": Stance.CONTRADICTS,
    "m": Stance.MIXED,
    "b": Stance.BACKGROUND,
}
HELP = (
    "s supports  c contradicts  m mixed  b background  a accept numbers  e edit numbers  "
    "n note  k skip  p back  q quit"
)


@dataclass
class Item:
    """One citation to review: where it is, what it says, what the abstract suggests."""

    claim: Claim
    index: int
    citation: Citation
    row: dict[str, Any]
    study: Study | None
    suggestion: Suggestion | None
    stance: Stance = Stance.UNKNOWN
    numbers: str = ""


class Screen:
    """Output with optional colour: ANSI only on a terminal without NO_COLOR or TERM=dumb."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.colour = (
            out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM", "") != "dumb"
        )

    def style(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def mark(self, word: str) -> str:
        """A claim word in an abstract sentence: bold yellow, or ``*word*`` without colour."""
        return self.style(word, "1;33") if self.colour else f"*{word}*"

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from evidence.errors import ClaimFileError, SourceLocation

    if Path(args.claims).suffix.lower() not in (".yaml", ".yml", ".json", ""):
        raise ClaimFileError(
            "evidence review writes decisions back to YAML or JSON claims files; keep the "
            "claims in YAML to review them",
            location=SourceLocation(args.claims),
        )
    claims, table = _table(args)
    items = _items(claims, table)
    screen = Screen(sys.stdout)
    if not items:
        screen.say(f"{args.claims}: every citation is reviewed; nothing to do")
        return EXIT_OK
    screen.say(
        f"{args.claims}: {plural(len(items), 'citation')} to review. "
        "Each decision is saved at once; q quits, ? shows the keys."
    )
    with _keys(sys.stdin) as read_key:
        _loop(items, args.claims, screen, read_key)
    decided = sum(item.stance is not Stance.UNKNOWN for item in items)
    screen.say(f"{plural(decided, 'decision')} saved in {args.claims}; run again to resume")
    return EXIT_OK


def _table(args: argparse.Namespace) -> tuple[Sequence[Claim], EvidenceTable]:
    from evidence.pipeline import cited_references
    from evidence.table import build_table

    pipeline = pipeline_for(args)
    claims = pipeline.claims(args.claims)
    if not args.bib:  # nothing to read about the studies, but the decisions can be made
        return claims, build_table(claims, {})
    references = pipeline.bibliography(args.bib)
    snapshot = snapshot_of(args, pipeline)
    collection = pipeline.studies(cited_references(claims, references), snapshot=snapshot)
    say_unreachable(collection)
    return claims, build_table(claims, references, studies=collection)


def _items(claims: Sequence[Claim], table: EvidenceTable) -> list[Item]:
    """The citations still at stance ``unknown``, in file order, with their suggestions."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for record in table.evidence.to_dict("records"):
        row = {str(name): value for name, value in record.items()}
        rows.setdefault(str(row["claim_id"]), []).append(row)
    items = []
    for claim in claims:
        for index, (citation, row) in enumerate(
            zip(claim.citations, rows.get(claim.id, []), strict=False)
        ):
            if citation.stance is not Stance.UNKNOWN:
                continue
            study = table.studies.get(row["key"])
            abstract = (
                abstract_for(study.reference, study.record, record_source=row["abstract_source"])
                if study is not None
                else None
            )
            offered = (
                suggest(claim.text, abstract, title=study.title) if abstract and study else None
            )
            items.append(Item(claim, index, citation, row, study, offered))
    return items


def _loop(items: list[Item], path: str, screen: Screen, read_key: Callable[..., str]) -> None:
    position = 0
    while 0 <= position < len(items):
        item = items[position]
        _show(item, position, len(items), screen)
        key = read_key("decision [s/c/m/b a e n k p q ?]: ")
        if key in ("q", "\x04", ""):
            return
        if key in STANCE_KEYS:
            item.stance = STANCE_KEYS[key]
            _save(path, item, {"stance": item.stance.value}, screen, f"saved: {item.stance.value}")
            position += 1
        elif key == "a":
            _accept(path, item, screen)
        elif key == "e":
            _edit(path, item, screen, read_key)
        elif key == "n":
            note = read_key("note (Enter to keep none): ", line=True)
            if note.strip():
                _save(path, item, {"note": note.strip()}, screen, "saved: note")
        elif key in ("k", " "):
            position += 1
        elif key == "p":
            position = max(0, position - 1)
        else:
            screen.say(HELP)


def _save(path: str, item: Item, changes: dict[str, Value], screen: Screen, said: str) -> None:
    set_citation_fields(path, item.claim.id, item.index, changes)
    screen.say(screen.style(said, "32"))


def _accept(path: str, item: Item, screen: Screen) -> None:
    offered = item.suggestion
    count = offered.numbers or offered.sample_size if offered else None
    if offered is None or count is None:
        screen.say("no numbers to accept: use e to type them")
        return
    changes: dict[str, Value] = {"events": count.events, "n": count.n, "quote": count.sentence}
    if offered.design is not None and item.row.get("design") in (None, "", "unknown"):
        changes["design"] = offered.design.value
    item.numbers = f"{count.events}/{count.n}" if count.events is not None else f"n = {count.n}"
    _save(path, item, changes, screen, f"saved: numbers {item.numbers}")


_NUMBERS = re.compile(r"^\s*(?:(\d+)\s*/\s*)?(\d+)\s*$")


def _edit(path: str, item: Item, screen: Screen, read_key: Callable[..., str]) -> None:
    text = read_key("events/n (e.g. 21/52, or 52 for n alone, empty to clear): ", line=True)
    if not text.strip():
        _save(path, item, {"events": None, "n": None}, screen, "saved: numbers cleared")
        item.numbers = ""
        return
    match = _NUMBERS.match(text)
    if match is None or (match[1] and int(match[1]) > int(match[2])):
        screen.say(f"not numbers this tool can store: {text.strip()!r} (events <= n)")
        return
    events = int(match[1]) if match[1] else None
    item.numbers = f"{events}/{match[2]}" if events is not None else f"n = {match[2]}"
    _save(path, item, {"events": events, "n": int(match[2])}, screen, f"saved: {item.numbers}")


def _show(item: Item, position: int, total: int, screen: Screen) -> None:
    claim, row = item.claim, item.row
    screen.say()
    where = f" ({claim.location})" if claim.location else ""
    source = getattr(claim, "source", None)
    origin = f"; from {source}" if source else ""
    screen.say(screen.style(f"[{position + 1}/{total}] claim {claim.id}{where}{origin}", "1"))
    screen.say(f"  {claim.text}")
    design = str(row.get("design") or "unknown").replace("-", " ")
    year = row.get("year")
    year_text = f", {year}" if year is not None and str(year) != "<NA>" else ""
    screen.say(screen.style(f"study: {row['study']} [{row['key']}] - {design}{year_text}", "1"))
    links = []
    if row.get("pmid"):
        links.append(f"PMID {row['pmid']} https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/")
    if row.get("doi"):
        links.append(f"DOI https://doi.org/{row['doi']}")
    if links:
        screen.say("  " + "  ".join(links))
    status = item.stance.value if item.stance is not Stance.UNKNOWN else "not yet reviewed"
    screen.say(f"  decision so far: {status}{f'; numbers {item.numbers}' if item.numbers else ''}")
    offered = item.suggestion
    if offered is None:
        screen.say("  no abstract known for this study (add an abstract field, or fetch PubMed)")
        return
    flag = "" if offered.mentions else " - does NOT appear to mention the claim"
    screen.say(f"  abstract ({offered.abstract_source}), best sentences{flag}:")
    wanted = set(terms(claim.text))
    for number, ranked in enumerate(offered.sentences, start=1):
        screen.say(f"  {number}. {_highlight(ranked.text, wanted, screen)}")
    label = screen.style("suggestion, not reviewed", "36")
    if offered.counts:
        for count in offered.counts:
            screen.say(f"  {label}: {count.label}  <- {count.sentence[:90]}")
    if offered.design is not None:
        screen.say(f"  {label}: design {offered.design.label} ({offered.design_basis})")


_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")


def _highlight(sentence: str, wanted: set[str], screen: Screen) -> str:
    """``sentence`` with each word whose terms the claim shares marked."""

    def mark(match: re.Match[str]) -> str:
        word = match.group(0)
        return screen.mark(word) if set(terms(word)) & wanted else word

    return _WORD.sub(mark, sentence)


@contextmanager
def _keys(stream: TextIO) -> Iterator[Callable[..., str]]:
    """A reader of one key (or, with ``line=True``, one line) from ``stream``.

    On a terminal the keys are read in cbreak mode, one character at a time with no Enter
    (Ctrl-C still interrupts), and the terminal is restored however the loop ends.
    """
    if not stream.isatty():

        def read_line(prompt: str, line: bool = False) -> str:
            sys.stdout.write(prompt)
            sys.stdout.flush()
            text = stream.readline()
            return text.rstrip("\n") if line else text.strip()[:1] or ("" if not text else "?")

        yield read_line
        return
    import termios
    import tty

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)

    def read_key(prompt: str, line: bool = False) -> str:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        if line:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            try:  # the terminal's own line editing; os.read returns one line
                return os.read(fd, 4096).decode("utf-8", "replace").rstrip("\r\n")
            finally:
                tty.setcbreak(fd)
        key = os.read(fd, 1).decode("utf-8", "replace")
        sys.stdout.write(key if key.isprintable() else "")
        sys.stdout.write("\n")
        return key.lower()

    try:
        tty.setcbreak(fd)
        yield read_key
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
