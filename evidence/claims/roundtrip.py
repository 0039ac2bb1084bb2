"""Write one reviewer decision back into a claims file, changing nothing else.

``evidence review`` saves each decision the moment it is made, so the claims file must
come out as its author left it: comments, key order, quoting, folded text and line breaks
of every other claim untouched, and the diff in git one citation long.

How: the file is read with ruamel.yaml's round-trip loader (the one YAML library that
keeps comments and the position of every node; PyYAML drops both), the citation is found
by claim id and position, and only that citation's lines are replaced by the citation
re-written with its new fields. A full re-dump was measured and rejected: ruamel.yaml
re-flows every multi-line plain scalar (``text:`` of the claims ``evidence extract``
writes) and would touch most lines of the file.

Before anything is written, the new text is read back with the project's own loader
(:func:`evidence.claims.parse_claims`): it must load without errors, give the
citation its new values and leave every other claim equal; otherwise nothing is written
and :class:`~evidence.errors.ClaimFileError` says why. The write itself is atomic
(:func:`evidence._files.atomic_write_text`), so a kill at any moment leaves either the old
file or the new one.

JSON claims files are re-written whole (JSON has no comments to keep), two-space indented
like ``evidence extract`` writes them. CSV files are refused: review them as YAML.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from evidence._files import atomic_write_text
from evidence.claims.load import parse_claims
from evidence.errors import ClaimFileError, SourceLocation
from evidence.model import Citation

__all__ = ["set_citation_fields"]

Value = str | int | None


def set_citation_fields(
    path: str | os.PathLike[str],
    claim_id: str,
    index: int,
    changes: Mapping[str, Value],
    *,
    encoding: str = "utf-8",
) -> None:
    """Set fields of the ``index``-th citation (from 0) of claim ``claim_id`` in ``path``.

    A value of ``None`` removes the field. A bare-key citation (``- katz2003``) becomes a
    mapping. Raises :class:`~evidence.errors.ClaimFileError` when the claim or citation is
    not there, the format cannot be written back, or the result would not load as before.
    """
    target = Path(path)
    text = target.read_text(encoding=encoding)
    suffix = target.suffix.lower()
    if suffix == ".json":
        fmt, new = "json", _json_edit(text, claim_id, index, changes, target)
    elif suffix in (".yaml", ".yml", ""):
        fmt, new = "yaml", _yaml_edit(text, claim_id, index, changes, target)
    else:
        raise ClaimFileError(
            f"decisions are written back to YAML or JSON claims files, not {suffix}; "
            "convert it with 'evidence extract' or keep the claims in YAML",
            location=SourceLocation(str(target)),
        )
    _verify(text, new, fmt, target, claim_id, index, changes)
    atomic_write_text(target, new, encoding=encoding)


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quoting are kept
    yaml.preserve_quotes = True
    yaml.width = 88  # as evidence.claims.writers wraps
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def _find(
    document: Any, claim_id: str, index: int, where: Path
) -> tuple[CommentedSeq, int, CommentedSeq, int, CommentedMap]:
    """The claims list, the claim's position, its citations list, and the claim."""
    claims = document.get("claims") if isinstance(document, Mapping) else None
    if not isinstance(claims, list):
        raise ClaimFileError("the file has no 'claims' list", location=SourceLocation(str(where)))
    for position, claim in enumerate(claims):
        if isinstance(claim, Mapping) and str(claim.get("id")) == claim_id:
            citations = claim.get("citations")
            if not isinstance(citations, list) or not 0 <= index < len(citations):
                raise ClaimFileError(
                    f"claim '{claim_id}' has no citation number {index + 1}",
                    location=SourceLocation(str(where)),
                )
            return claims, position, citations, index, claim  # type: ignore[return-value]
    raise ClaimFileError(f"no claim with id '{claim_id}'", location=SourceLocation(str(where)))


def _yaml_edit(
    text: str, claim_id: str, index: int, changes: Mapping[str, Value], where: Path
) -> str:
    yaml = _yaml()
    try:
        document = yaml.load(text)
    except YAMLError as error:
        raise ClaimFileError(
            f"the file could not be read back for writing: {error}",
            location=SourceLocation(str(where)),
        ) from error
    claims, position, citations, index, claim = _find(document, claim_id, index, where)
    item = citations[index]
    if not isinstance(item, CommentedMap):
        item = CommentedMap([("key", str(item))])
    _keep_only_line_end_comments(item)
    for name, value in changes.items():
        if value is None:
            item.pop(name, None)
        else:
            item[name] = value
    lines = text.splitlines(keepends=True)
    if citations.fa.flow_style():
        return _rewrite_flow_list(lines, document, claims, position, citations, index, item, claim)
    start, column = citations.lc.item(index)
    dash = lines[start].rfind("-", 0, column + 1)
    if dash < 0 or lines[start][dash:column].strip() != "-":
        raise ClaimFileError(
            f"claim '{claim_id}': citation {index + 1} is not a '- ' list item this tool can "
            "rewrite in place (a flow list?); write the decision by hand",
            location=SourceLocation(str(where), start + 1),
        )
    end = _end_line(lines, start, document, claims, position, citations, index, claim)
    buffer = io.StringIO()
    yaml.dump([item], buffer)
    indent = lines[start][:dash]
    # ruamel.yaml leaves a space at the end of a line where it wraps a plain scalar; YAML
    # drops such spaces when it folds the lines, so they go (the read-back check guards it).
    emitted = [line.rstrip(" ") for line in buffer.getvalue().splitlines()]
    # Comments and blank lines after the citation stay where they are in the file (the
    # region ends before them); ruamel.yaml hands them to the citation, so drop its copy.
    while emitted and (not emitted[-1].strip() or emitted[-1].lstrip().startswith("#")):
        emitted.pop()
    body = "".join((indent + line if line.strip() else line) + "\n" for line in emitted)
    if lines[start][:dash].strip():  # "- - key": the item shares its line with a parent dash
        raise ClaimFileError(
            f"claim '{claim_id}': citation {index + 1} shares its line with another item",
            location=SourceLocation(str(where), start + 1),
        )
    return "".join(lines[:start]) + body + "".join(lines[end:])


def _rewrite_flow_list(
    lines: list[str],
    document: CommentedMap,
    claims: CommentedSeq,
    position: int,
    citations: CommentedSeq,
    index: int,
    item: CommentedMap,
    claim: CommentedMap,
) -> str:
    """A decision in ``citations: [a, b]``: the claim's citations become a block list (the
    decided citation needs its own lines), written where the flow list was."""
    start, column = claim.lc.key("citations")
    end = _end_line(lines, start, document, claims, position, citations, -1, claim)
    block = CommentedSeq([item if i == index else c for i, c in enumerate(citations)])
    block.fa.set_block_style()
    buffer = io.StringIO()
    yaml = _yaml()
    yaml.indent(mapping=2, sequence=4, offset=2)  # "citations:" then "  - key: ..."
    yaml.dump(CommentedMap([("citations", block)]), buffer)
    emitted = [line.rstrip(" ") for line in buffer.getvalue().splitlines()]
    prefix = lines[start][:column]  # "    " or "  - " when citations is the claim's first key
    body = "".join(
        (prefix if i == 0 else " " * column) + line + "\n" for i, line in enumerate(emitted)
    )
    return "".join(lines[:start]) + body + "".join(lines[end:])


def _keep_only_line_end_comments(item: CommentedMap) -> None:
    """Drop the whole-line comments ruamel.yaml attached after the citation's values.

    Those lines lie after the citation in the file and stay there (see :func:`_end_line`);
    left attached, they would be written again inside the citation once a field is added
    after them. A comment at the end of a value's own line is kept with it.
    """
    for name, slots in list(item.ca.items.items()):
        token = slots[2] if len(slots) > 2 else None
        if token is None:
            continue
        first, newline, _ = token.value.partition("\n")
        if "#" in first:
            token.value = first + newline
        else:
            slots[2] = None
            if not any(slots):
                del item.ca.items[name]


def _end_line(
    lines: list[str],
    start: int,
    document: CommentedMap,
    claims: CommentedSeq,
    position: int,
    citations: CommentedSeq,
    index: int,
    claim: CommentedMap,
) -> int:
    """The first line after the citation: the next citation, the claim's next key, the next
    claim, the document's next key, or the end; trailing blank lines stay outside."""
    candidates = [len(lines)]
    if index >= 0 and index + 1 < len(citations):
        candidates.append(citations.lc.item(index + 1)[0])
    keys = list(claim)
    after = keys[keys.index("citations") + 1 :] if "citations" in keys else []
    candidates += [claim.lc.key(k)[0] for k in after]
    if position + 1 < len(claims):
        candidates.append(claims.lc.item(position + 1)[0])
    top = list(document)
    candidates += [document.lc.key(k)[0] for k in top[top.index("claims") + 1 :]]
    end = min(c for c in candidates if c > start)
    # Blank lines and whole-line comments before the next node belong to what follows.
    while end - 1 > start and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    return end


def _json_edit(
    text: str, claim_id: str, index: int, changes: Mapping[str, Value], where: Path
) -> str:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ClaimFileError(
            f"the file could not be read back for writing: {error}",
            location=SourceLocation(str(where)),
        ) from error
    claims = document.get("claims") if isinstance(document, dict) else None
    for claim in claims if isinstance(claims, list) else []:
        if isinstance(claim, dict) and str(claim.get("id")) == claim_id:
            citations = claim.get("citations")
            if isinstance(citations, list) and 0 <= index < len(citations):
                item = citations[index]
                if not isinstance(item, dict):
                    item = citations[index] = {"key": str(item)}
                for name, value in changes.items():
                    if value is None:
                        item.pop(name, None)
                    else:
                        item[name] = value
                return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    raise ClaimFileError(
        f"no citation number {index + 1} on a claim with id '{claim_id}'",
        location=SourceLocation(str(where)),
    )


def _unmet(citation: Citation, changes: Mapping[str, Value]) -> str:
    """'' when ``citation`` holds every value of ``changes``, else what differs."""
    for name, wanted in changes.items():
        have = getattr(citation, name, None)
        have = have.value if isinstance(have, Enum) else have
        if isinstance(have, str) and isinstance(wanted, str):
            have, wanted = " ".join(have.split()), " ".join(wanted.split())
        if wanted is None and have in ("", None):
            continue
        if have != wanted:
            return f"{name} reads back as {have!r}, not {wanted!r}"
    return ""


def _verify(
    old: str,
    new: str,
    fmt: str,
    where: Path,
    claim_id: str,
    index: int,
    changes: Mapping[str, Value],
) -> None:
    """Refuse to write a file that would not load as before with the change made."""
    before = parse_claims(old, fmt, source=str(where))
    try:
        after = parse_claims(new, fmt, source=str(where))
    except ClaimFileError as error:
        raise ClaimFileError(
            f"the decision was not written: the file would not load ({error.message})",
            location=SourceLocation(str(where)),
        ) from error
    # Compared without line numbers: a citation that grows moves the lines below it.
    known = {(p.code, p.message) for p in before.problems}
    fresh = [p for p in after.problems if (p.code, p.message) not in known]
    problem = ""
    if fresh:
        problem = "; ".join(str(p) for p in fresh)
    elif [c.id for c in before] != [c.id for c in after]:
        problem = "the claims changed"
    else:
        for old_claim, new_claim in zip(before, after, strict=True):
            if old_claim.id != claim_id:
                if old_claim != new_claim:
                    problem = f"claim '{old_claim.id}' changed"
                continue
            olds, news = list(old_claim.citations), list(new_claim.citations)
            if len(olds) != len(news) or olds[:index] + olds[index + 1 :] != (
                news[:index] + news[index + 1 :]
            ):
                problem = f"another citation of claim '{claim_id}' changed"
            elif old_claim.text != new_claim.text:
                problem = f"the text of claim '{claim_id}' changed"
            else:
                problem = _unmet(news[index], changes)
    if problem:
        raise ClaimFileError(
            f"the decision was not written: the file would not read back as expected ({problem})",
            location=SourceLocation(str(where)),
        )
