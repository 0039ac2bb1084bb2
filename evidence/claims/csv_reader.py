"""The CSV claims reader: long-form rows (one per claim x citation) to a claims tree.

Comma-, tab- and semicolon-separated text are all read (the delimiter is the one that
splits the header into the most known column names). Rows with the same id are grouped
into one claim, whose claim columns must agree; the result is the same tree a YAML file
with the same claims gives, so :mod:`evidence.claims.build` checks both alike. The
columns are listed in :mod:`evidence.claims.fields`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from evidence.claims.fields import (
    CSV_CITATION_COLUMNS,
    CSV_CLAIM_COLUMNS,
    CSV_COLUMNS,
    column_name,
)
from evidence.claims.tree import Map, Node, Report, Scalar, Seq, closest
from evidence.spreadsheet import restore


def _sniff_delimiter(text: str) -> str:
    # The header is made of known names, so the delimiter is the one that splits the
    # first line into the most of them: comma, tab (.tsv) or semicolon (Excel in many
    # European locales).
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_score = ",", -1
    for delimiter in (",", "\t", ";"):
        cells = [column_name(cell.strip().strip('"')) for cell in first.split(delimiter)]
        score = sum(cell in CSV_COLUMNS for cell in cells)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@dataclass(slots=True)
class _CsvClaim:
    line: int
    claim_id: str
    cells: dict[str, tuple[str, int]] = field(default_factory=dict)  # column: text, line
    citations: list[Node] = field(default_factory=list)


def _tags_of_cell(cell: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in cell.split(";") if tag.strip())


def read_csv(text: str, report: Report) -> Node | None:
    """The tree of a CSV claims file; ``None`` when it is empty or cannot be read."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True
    )
    rows: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        report.error(
            end + 1,
            f"invalid CSV in the row starting here: {exc} (is a quoted cell left open?)",
            "syntax",
        )
        return None
    if not rows:
        return None

    header_line, header = rows[0]
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = column_name(raw)
        if not name:
            continue
        if name in columns:
            report.error(header_line, f"the column {raw.strip()!r} appears twice", "csv-header")
        elif name in CSV_COLUMNS:
            columns[name] = index
        else:
            guess = closest(name, CSV_COLUMNS)
            hint = f" (did you mean {guess!r}?)" if guess else ""
            report.warn(
                header_line, f"unknown column {raw.strip()!r}{hint}; it is ignored", "unknown-field"
            )
    for required in ("claim_id", "text"):
        if required not in columns:
            report.error(
                header_line,
                f"the header has no {required!r} column; the first row must name the "
                f"columns: {', '.join(CSV_COLUMNS)}",
                "csv-header",
            )
    if "key" in columns and "stance" not in columns:
        report.error(
            header_line,
            "the header has a 'key' column but no 'stance' column; add one and write "
            "supports, contradicts, mixed, background or unknown (not yet reviewed)",
            "csv-header",
        )
    if report.errors:
        return None

    groups: dict[str, _CsvClaim] = {}
    current: _CsvClaim | None = None
    for line, cells in rows[1:]:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            report.error(
                line,
                f"this row has {len(cells)} cells but the header has {len(header)} columns; "
                "quote cells that contain the separator",
                "csv-row",
            )
            continue
        # A cell the library wrote as "'=..." (spreadsheet formula neutralised) reads back.
        value = {name: restore(cells[i]) if i < len(cells) else "" for name, i in columns.items()}
        claim_id = value["claim_id"].strip()
        if claim_id:
            group = groups.setdefault(claim_id, _CsvClaim(line, claim_id))
        elif current is not None and not value["text"].strip():
            group = current  # neither id nor text: the row adds a citation to the claim above
        else:
            report.error(line, "this row has no claim id; give every claim an id", "missing-field")
            continue
        current = group
        for name in CSV_CLAIM_COLUMNS[1:]:
            cell = value.get(name, "").strip()
            if not cell:
                continue
            if name not in group.cells:
                group.cells[name] = (cell, line)
                continue
            first, first_line = group.cells[name]
            same = _tags_of_cell(first) == _tags_of_cell(cell) if name == "tags" else first == cell
            if not same:
                report.error(
                    line,
                    f"claim {group.claim_id!r}: {name} differs from the one at line "
                    f"{first_line}; give it once, or repeat it exactly",
                    "csv-conflict",
                )
        key = value.get("key", "").strip()
        citation_cells = [n for n in CSV_CITATION_COLUMNS if n in value and value[n].strip()]
        if key:
            group.citations.append(
                Map(
                    line,
                    [
                        (name, line, Scalar(value[name] if value[name].strip() else None, line))
                        for name in CSV_CITATION_COLUMNS
                        if name in value
                    ],
                )
            )
        elif citation_cells:
            report.error(
                line,
                f"this row of claim {group.claim_id!r} fills {', '.join(citation_cells)} but "
                "has no key; write the citation's key, or leave the citation columns empty",
                "missing-field",
            )

    claims = Seq(header_line)
    for group in groups.values():
        claim = Map(group.line, [("id", group.line, Scalar(group.claim_id, group.line))])
        given = group.cells
        if "text" in given:
            claim.items.append(("text", given["text"][1], Scalar(*given["text"])))
        if "tags" in given:
            tags_text, tags_line = given["tags"]
            tags = [Scalar(tag, tags_line) for tag in _tags_of_cell(tags_text)]
            claim.items.append(("tags", tags_line, Seq(tags_line, list(tags))))
        if "certainty" in given or "certainty_reason" in given:
            level_line = min(given[n][1] for n in ("certainty", "certainty_reason") if n in given)
            judgement = Map(level_line)
            for column, name in (("certainty", "level"), ("certainty_reason", "reason")):
                if column in given:
                    judgement.items.append((name, given[column][1], Scalar(*given[column])))
            claim.items.append(("certainty", level_line, judgement))
        if "claim_note" in given:
            claim.items.append(("note", given["claim_note"][1], Scalar(*given["claim_note"])))
        claim.items.append(("citations", group.line, Seq(group.line, group.citations)))
        claims.items.append(claim)
    return Map(header_line, [("claims", header_line, claims)])
