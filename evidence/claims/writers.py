"""The claims writers: records to YAML, JSON and CSV text that reads back to equal records.

Each writer takes the claims (already :func:`normalised`) and the format name asked for
(``"tsv"`` makes the CSV writer separate cells by tabs). :func:`evidence.claims.dump_claims`
reads every output back before returning it, so a writer bug cannot produce a file that
does not load. YAML is written with PyYAML's ``SafeDumper``: literal blocks for multi-line
text, compact ``[a, b]`` tags, and quotes on text a YAML 1.2 tool would take for a number.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import yaml

from evidence.claims.fields import CITATION_FIELDS, CSV_CLAIM_COLUMNS, CSV_COMPARATIVE_COLUMNS
from evidence.claims.tree import Node
from evidence.claims.yaml_fast import fast_yaml
from evidence.claims.yaml_reader import YAML_PREFIX
from evidence.comparative import BinaryArms, ContinuousArms
from evidence.model import Certainty, CertaintyJudgement, Citation, Claim, RiskOfBias, Stance
from evidence.spreadsheet import neutralise


def normalised(claim: Claim) -> Claim:
    """The claim as it reads back from a file: text fields stripped, as the reader does.

    A claim whose text is already stripped (every claim ``evidence extract`` makes) is
    returned as it is: ``dataclasses.replace`` on it would build an equal copy, and at
    20,000 claims the copies cost more than writing them.
    """
    citations = tuple(c if _clean_citation(c) else _stripped_citation(c) for c in claim.citations)
    certainty = claim.certainty
    if (
        all(new is old for new, old in zip(citations, claim.citations, strict=True))
        and _bare(claim.id)
        and _bare(claim.text)
        and _bare(claim.note)
        and _bare(claim.source)
        and all(_bare(tag) for tag in claim.tags)
        and (certainty is None or _bare(certainty.reason))
    ):
        return claim
    if certainty is not None:
        certainty = CertaintyJudgement(certainty.level, certainty.reason.strip())
    return replace(
        claim,
        id=claim.id.strip(),
        text=claim.text.strip(),
        tags=tuple(tag.strip() for tag in claim.tags),
        note=claim.note.strip(),
        source=claim.source.strip(),
        certainty=certainty,
        citations=citations,
    )


def _bare(text: str) -> bool:
    """Whether ``text`` has no white space to strip (an empty text has none)."""
    return not text or not (text[0].isspace() or text[-1].isspace())


def _clean_citation(c: Citation) -> bool:
    return (
        _bare(c.key)
        and _bare(c.finding)
        and _bare(c.outcome)
        and _bare(c.locator)
        and _bare(c.quote)
        and _bare(c.note)
        and (c.design is None or _bare(c.design))
        and _bare(c.arm_labels[0])
        and _bare(c.arm_labels[1])
    )


def _stripped_citation(c: Citation) -> Citation:
    return replace(
        c,
        key=c.key.strip(),
        finding=c.finding.strip(),
        outcome=c.outcome.strip(),
        locator=c.locator.strip(),
        quote=c.quote.strip(),
        note=c.note.strip(),
        design=c.design.strip() if c.design is not None else None,
        arm_labels=(c.arm_labels[0].strip(), c.arm_labels[1].strip()),
    )


def _citation_fields(citation: Citation) -> dict[str, Any]:
    """The citation's fields in file order (``fields.CITATION_FIELDS``), empty ones left out.

    Each field is the :class:`~evidence.model.Citation` attribute of the same name, so a
    new field needs no change here unless its value is written differently.
    """
    fields: dict[str, Any] = {}
    for name in CITATION_FIELDS:
        value = getattr(citation, name)
        if name == "stance":
            value = Stance(value).value
        elif name == "risk_of_bias" and value is not None:
            value = RiskOfBias(value).label
        if name in ("key", "stance") or (value is not None and value != ""):
            fields[name] = value
    fields.update(_comparative_fields(citation))
    return fields


def _arm(citation: Citation, index: int) -> dict[str, Any]:
    """One arm (0 treatment, 1 control) as the claims file writes it."""
    arm: dict[str, Any] = {}
    if isinstance(citation.arms, BinaryArms):
        counts = citation.arms.cells
        arm = {"events": counts[2 * index], "n": counts[2 * index] + counts[2 * index + 1]}
    elif isinstance(citation.arms, ContinuousArms):
        a = citation.arms
        arm = (
            {"mean": a.treatment_mean, "sd": a.treatment_sd, "n": a.treatment_n}
            if index == 0
            else {"mean": a.control_mean, "sd": a.control_sd, "n": a.control_n}
        )
    if citation.arm_labels[index]:
        arm["label"] = citation.arm_labels[index]
    return arm


def _comparative_fields(citation: Citation) -> dict[str, Any]:
    """``measure``, ``arms`` and ``effect`` (issue 18), nested as YAML and JSON write them."""
    fields: dict[str, Any] = {}
    if citation.measure is not None:
        fields["measure"] = citation.measure.value
    if citation.arms is not None:
        fields["arms"] = {"treatment": _arm(citation, 0), "control": _arm(citation, 1)}
    effect = citation.effect
    if effect is not None:
        fields["effect"] = {
            "measure": effect.measure.value,
            "estimate": effect.estimate,
            "lower": effect.lower,
            "upper": effect.upper,
        }
        if effect.confidence != 0.95:
            fields["effect"]["confidence"] = effect.confidence
    return fields


def _comparative_cells(citation: Citation | None) -> dict[str, str]:
    """The same numbers as CSV's flat ``t_``/``c_`` and effect columns."""
    if citation is None:
        return {}
    fields = _comparative_fields(citation)
    cells: dict[str, Any] = {}
    if "measure" in fields:
        cells["measure"] = fields["measure"]
    for arm, values in fields.get("arms", {}).items():
        for name, value in values.items():
            cells[f"{arm[0]}_{name}"] = value
    for name, value in fields.get("effect", {}).items():
        cells[name] = value
    return {name: str(value) for name, value in cells.items()}


class _Tags(list[str]):
    """Tags, written in YAML's compact flow style: ``tags: [a, b]``."""


def document_of(claims: Sequence[Claim], flow_tags: bool) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for claim in claims:
        item: dict[str, Any] = {"id": claim.id, "text": claim.text}
        if claim.tags:
            item["tags"] = _Tags(claim.tags) if flow_tags else list(claim.tags)
        if claim.certainty is not None:
            item["certainty"] = {
                "level": Certainty(claim.certainty.level).label,
                "reason": claim.certainty.reason,
            }
        if claim.note:
            item["note"] = claim.note
        if claim.source:
            item["source"] = claim.source
        item["citations"] = [_citation_fields(c) for c in claim.citations]
        items.append(item)
    return {"version": 1, "claims": items}


class _YamlWriter(yaml.SafeDumper):
    """SafeDumper that indents lists under their key and writes line breaks as blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_LOOKS_NUMERIC = re.compile(
    r"[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+"
)


def _yaml_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # A literal block keeps multi-line text readable; the emitter falls back to a quoted
    # style by itself when a block cannot hold the text exactly.
    if any(mark in text for mark in "\x85\u2028\u2029"):
        # YAML 1.1 line breaks that PyYAML's single-quoted and block styles mangle;
        # the double-quoted style writes them as escapes.
        style: str | None = '"'
    elif "\n" in text:
        style = "|"
    elif _LOOKS_NUMERIC.fullmatch(text):
        style = "'"  # read as typed here, but YAML 1.2 tools would see a number
    else:
        style = None
    return dumper.represent_scalar(YAML_PREFIX + "str", text, style=style)


def _yaml_tags(dumper: yaml.SafeDumper, tags: _Tags) -> yaml.SequenceNode:
    return dumper.represent_sequence(YAML_PREFIX + "seq", tags, flow_style=True)


_YamlWriter.add_representer(str, _yaml_str)
_YamlWriter.add_representer(_Tags, _yaml_tags)

_YAML_HEADER = (
    "# Claims file (evidence, format version 1).\n"
    "# stance: supports | contradicts | mixed | background | unknown (not yet reviewed)\n"
)


def write_yaml(claims: Sequence[Claim], name: str = "yaml") -> str:
    """A YAML claims file, with a comment header naming the stances."""
    return yaml_and_tree(claims)[0]


def yaml_and_tree(claims: Sequence[Claim]) -> tuple[str, Node | None]:
    """The YAML claims file, and the tree it reads as when the fast path wrote it.

    The fast path (:mod:`evidence.claims.yaml_fast`) writes the bytes PyYAML would, for
    the claims it can; the others are dumped by PyYAML, with no tree (``None``: read the
    text back to get it).
    """
    document = document_of(claims, flow_tags=True)
    fast = fast_yaml(document, _YAML_HEADER)
    if fast is not None:
        return fast
    return pyyaml_text(document), None


def pyyaml_text(document: dict[str, Any]) -> str:
    """The claims document as PyYAML writes it, header first (what the fast path matches)."""
    body = yaml.dump(
        document,
        Dumper=_YamlWriter,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=88,
    )
    return _YAML_HEADER + body


def write_json(claims: Sequence[Claim], name: str = "json") -> str:
    """A JSON claims file, indented by two spaces, Unicode written as is."""
    return json.dumps(document_of(claims, flow_tags=False), ensure_ascii=False, indent=2) + "\n"


_CSV_WRITE_ORDER = CSV_CLAIM_COLUMNS + CITATION_FIELDS


def write_csv(claims: Sequence[Claim], name: str = "csv") -> str:
    """A long-form CSV claims file (tab-separated when ``name`` is ``"tsv"``)."""
    delimiter = "\t" if name == "tsv" else ","
    buffer = io.StringIO()
    # The default "\r\n" row ending (RFC 4180) also makes the writer quote cells holding a
    # lone "\r"; with "\n" such a cell would be written bare and split the row.
    writer = csv.writer(buffer, delimiter=delimiter)
    # The comparative columns only when some citation has such numbers, so that files
    # without them keep the columns they always had.
    comparative = any(
        c.arms is not None or c.effect is not None or c.measure is not None
        for claim in claims
        for c in claim.citations
    )
    extra = CSV_COMPARATIVE_COLUMNS if comparative else ()
    writer.writerow(_CSV_WRITE_ORDER + extra)
    for claim in claims:
        # Claim columns go on the claim's first row only, so an edit happens in one place.
        head: list[str] = [
            claim.id,
            claim.text,
            "; ".join(claim.tags),
            Certainty(claim.certainty.level).label if claim.certainty else "",
            claim.certainty.reason if claim.certainty else "",
            claim.note,
        ]
        rest = [claim.id, "", "", "", "", ""]
        citations = claim.citations or (None,)
        for index, citation in enumerate(citations):
            fields = _citation_fields(citation) if citation is not None else {}
            cells = [str(fields.get(column, "")) for column in CITATION_FIELDS]
            flat = _comparative_cells(citation)
            cells += [flat.get(column, "") for column in extra]
            # No cell a spreadsheet would run as a formula (the reader undoes the quote).
            writer.writerow([neutralise(cell) for cell in (head if index == 0 else rest) + cells])
    return buffer.getvalue()
