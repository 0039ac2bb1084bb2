"""From a claims tree to :class:`~evidence.model.Claim` records, every problem located.

Every reader (``evidence.claims.yaml_reader``, ``evidence.claims.json_reader``,
``evidence.claims.csv_reader``) gives a tree of ``evidence.claims.tree`` nodes;
``claims_from_tree`` checks it against the fields of ``evidence.claims.fields``
and builds the records, reporting each problem at its line.

Decisions, and why:

* ``stance`` is required on every citation written as a mapping (and in every CSV row
  with a key). Verdicts are computed from stances; a default of ``supports`` would count
  every unread citation as support, which is exactly the mistake this library exists to
  catch, and a silent default of ``unknown`` would hide a forgotten field. The one
  exception is the bare-key shorthand (``citations: [katz2003]``): it can only mean
  "cited here, not yet reviewed", so it reads as ``stance: unknown`` and the claim's
  verdict says *unreviewed*; nobody's citation becomes support without a person saying so.
* Unknown fields and columns are *warnings* (kept in ``ClaimSet.problems``, with a
  "did you mean" when one is close), not errors: spreadsheets carry reviewers' own
  columns, and a file written for a later minor version should still load. A typo cannot
  pass unnoticed where it matters: when it hides a required field (``stnace``), the
  missing-field error names the near miss, and the load fails.
* Numbers are read as decimal from the text as typed (``n: 012`` is 12).
* Free text is stripped of surrounding whitespace (so YAML's ``>`` and ``|`` blocks do not
  leave a final newline in a claim); inner line breaks are kept.
* A tag may not contain ``;`` in any format, so that every file can also be written as CSV.
* Duplicate fields in one mapping are errors (YAML and JSON would silently keep the
  last); the same citation twice with the same details is a warning (pooling would
  count it twice).
* A citation key that is not in the bibliography is *not* a problem here: the evidence
  table reports it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import TypeVar

from evidence.claims.comparative import read_comparative
from evidence.claims.fields import (
    CERTAINTY_FIELDS,
    CITATION_FIELDS,
    CLAIM_FIELDS,
    COMPARATIVE_FIELDS,
    CSV_COMPARATIVE_COLUMNS,
    DESIGNS,
    LEVELS,
    MAX_COUNT,
    RISKS,
    STANCES,
    TOP_FIELDS,
    WHERE_FIELDS_BELONG,
    field_name,
)
from evidence.claims.tree import Map, Node, Report, Scalar, Seq, closest, describe
from evidence.model import (
    Certainty,
    CertaintyJudgement,
    Citation,
    Claim,
    RiskOfBias,
    Stance,
    StudyDesign,
)

_E = TypeVar("_E", bound=Enum)
_STANCE_VALUES = MappingProxyType({stance.value: stance for stance in Stance})


class _Fields:
    """The fields of one mapping, by normalised name, after duplicate and unknown checks."""

    def __init__(self, node: Map, allowed: Sequence[str], what: str, report: Report) -> None:
        self.node = node
        self.found: dict[str, tuple[int, Node]] = {}
        self.unknown: list[tuple[str, str, int]] = []  # normalised, as typed, line
        for raw, line, value in node.items:
            name = field_name(raw)
            if name in allowed:
                if name in self.found:
                    first = self.found[name][0]
                    report.error(
                        line,
                        f"the field {raw!r} appears twice in this {what} (first at line {first})",
                        "duplicate-field",
                    )
                else:
                    self.found[name] = (line, value)
                continue
            self.unknown.append((name, raw, line))
            guess = closest(name, allowed)
            if guess:
                hint = f" (did you mean {guess!r}?)"
            elif name in WHERE_FIELDS_BELONG:
                hint = f" ({name!r} belongs in {WHERE_FIELDS_BELONG[name]}; check the indentation)"
            else:
                hint = ""
            report.warn(line, f"unknown field {raw!r} in {what}{hint}", "unknown-field")

    def get(self, name: str) -> Node | None:
        entry = self.found.get(name)
        return entry[1] if entry else None

    def typo_hint(self, name: str) -> str:
        """`` (is 'stnace' at line 12 a typo?)`` when an unknown field is close to ``name``."""
        for normal, raw, line in self.unknown:
            if difflib.get_close_matches(name, [normal], n=1, cutoff=0.6):
                return f" (is {raw!r} at line {line} a typo?)"
        return ""


def _text(node: Node | None, what: str, report: Report) -> str:
    """An optional free-text value: ``""`` when absent, empty or the wrong type."""
    if node is None:
        return ""
    if isinstance(node, Scalar):
        return (node.text or "").strip()
    report.error(node.line, f"{what} must be text, not {describe(node)}", "wrong-type")
    return ""


def _required_text(fields: _Fields, name: str, what: str, report: Report) -> str | None:
    node = fields.get(name)
    if node is None:
        hint = fields.typo_hint(name)
        report.error(fields.node.line, f"{what} has no {name!r}{hint}", "missing-field")
        return None
    if not isinstance(node, Scalar):
        report.error(
            node.line,
            f"the {name!r} of {what} must be text, not {describe(node)}",
            "wrong-type",
        )
        return None
    value = (node.text or "").strip()
    if not value:
        report.error(node.line, f"the {name!r} of {what} is empty", "missing-field")
        return None
    return value


def _choice(
    node: Node | None,
    parse: Callable[[str], _E],
    accepted: Sequence[str],
    what: str,
    where: str,
    report: Report,
) -> _E | None:
    """A value from a closed list, with the list (and a near miss) in the message."""
    if node is None:
        return None
    if not isinstance(node, Scalar):
        report.error(node.line, f"{what} must be one word, not {describe(node)}", "wrong-type")
        return None
    if node.text is None or not node.text.strip():
        return None
    try:
        return parse(node.text)
    except ValueError:
        typed = node.text.strip()
        guess = closest(field_name(typed).replace("_", " "), accepted)
        hint = f" (did you mean {guess!r}?)" if guess else ""
        report.error(
            node.line,
            f"unknown {what} {typed!r} in {where}; use one of: {', '.join(accepted)}{hint}",
            "bad-value",
        )
        return None


def _design(text: str) -> StudyDesign:
    # US spelling and common names ("RCT", "meta-analysis") are read by StudyDesign.from_text.
    return StudyDesign.from_text(text)


# Plain decimal notation only: no YAML 1.1 octal (012), hex, underscores, inf or nan.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _count(node: Node | None, what: str, report: Report) -> int | None:
    """A non-negative whole number read from the text as typed (always decimal)."""
    if node is None:
        return None
    if not isinstance(node, Scalar):
        report.error(node.line, f"{what} must be a number, not {describe(node)}", "bad-number")
        return None
    if node.text is None or not node.text.strip():
        return None
    typed = node.text.strip()
    if not _DECIMAL.fullmatch(typed):
        report.error(node.line, f"{what} must be a whole number, not {typed!r}", "bad-number")
        return None
    number = Decimal(typed)
    if number < 0:
        report.error(node.line, f"{what} cannot be negative ({typed})", "bad-number")
        return None
    if number > MAX_COUNT:
        report.error(node.line, f"{what} is implausibly large ({typed})", "bad-number")
        return None
    if number != number.to_integral_value():
        report.error(
            node.line, f"{what} must be a whole number, not a fraction ({typed})", "bad-number"
        )
        return None
    return int(number)


def claims_from_tree(root: Node | None, report: Report) -> list[Claim]:
    """The claims without errors, in file order; every problem goes to ``report``."""
    if root is None:
        report.error(
            None,
            "the file is empty; a claims file is a mapping with a 'claims' list"
            if not report.csv
            else "the file is empty; the first row must name the columns (claim_id, text, key, "
            "stance...)",
            "empty",
        )
        return []
    if not isinstance(root, Map):
        report.error(
            root.line,
            f"the top level must be a mapping with a 'claims' list (start the file with "
            f"'claims:'), not {describe(root)}",
            "top-level",
        )
        return []
    fields = _Fields(root, TOP_FIELDS, "the top level", report)
    title = fields.get("title")
    if isinstance(title, Scalar) and title.text:
        report.title = " ".join(title.text.split())
    version = fields.get("version")
    if version is not None and not (isinstance(version, Scalar) and version.text in ("1", None)):
        report.error(
            version.line,
            f"unsupported claims file version {describe(version)}; this library reads version 1",
            "version",
        )
    items = fields.get("claims")
    if items is None:
        report.error(
            root.line,
            f"no 'claims' list at the top level{fields.typo_hint('claims')}; "
            "list the claims under 'claims:'",
            "top-level",
        )
        return []
    if isinstance(items, Scalar) and items.text is None:
        items = Seq(items.line)
    if not isinstance(items, Seq):
        report.error(
            items.line, f"'claims' must be a list of claims, not {describe(items)}", "wrong-type"
        )
        return []
    if not items.items:
        report.warn(items.line, "the file has no claims", "no-claims")

    claims: list[Claim] = []
    first_line: dict[str, int] = {}
    for number, item in enumerate(items.items, start=1):
        claim_id, claim = _claim(item, number, report)
        if claim_id is not None and claim_id in first_line:
            report.error(
                item.line,
                f"duplicate claim id {claim_id!r} (first defined at line {first_line[claim_id]}); "
                "ids must be unique",
                "duplicate-id",
            )
        elif claim_id is not None:
            first_line[claim_id] = item.line
            if claim is not None:
                claims.append(claim)
    return claims


def _claim(node: Node, number: int, report: Report) -> tuple[str | None, Claim | None]:
    """The claim's id (when it has a usable one) and the claim (when it has no errors)."""
    if not isinstance(node, Map):
        report.error(
            node.line,
            f"claim {number} must be a mapping with 'id' and 'text', not {describe(node)}",
            "wrong-type",
        )
        return None, None
    errors = report.errors
    fields = _Fields(node, CLAIM_FIELDS, "claim", report)
    claim_id = _required_text(fields, "id", f"claim {number}", report)
    what = f"claim {claim_id!r}" if claim_id else f"claim {number}"
    text = _required_text(fields, "text", what, report)
    tags = _tags(fields.get("tags"), what, report)
    certainty = _certainty(fields.get("certainty"), what, report)
    note = _text(fields.get("note"), f"the note of {what}", report)
    source = _text(fields.get("source"), f"the source of {what}", report)
    citations: list[Citation] = []
    cited = fields.get("citations")
    if isinstance(cited, Seq):
        for item in cited.items:
            citation = _citation(item, what, report)
            if citation is not None:
                citations.append(citation)
        _warn_duplicate_citations(citations, what, report)
    elif cited is not None and not (isinstance(cited, Scalar) and cited.text is None):
        report.error(
            cited.line,
            f"the citations of {what} must be a list (e.g. citations: [katz2003]), "
            f"not {describe(cited)}",
            "wrong-type",
        )
    if report.errors > errors or claim_id is None or text is None:
        return claim_id, None
    return claim_id, Claim(
        id=claim_id,
        text=text,
        citations=tuple(citations),
        tags=tags,
        certainty=certainty,
        note=note,
        location=report.at(node.line),
        source=source,
    )


def _tags(node: Node | None, what: str, report: Report) -> tuple[str, ...]:
    if node is None or (isinstance(node, Scalar) and node.text is None):
        return ()
    if not isinstance(node, Seq):
        report.error(
            node.line,
            f"the tags of {what} must be a list (e.g. tags: [diagnosis, fusion]), "
            f"not {describe(node)}",
            "wrong-type",
        )
        return ()
    tags: list[str] = []
    for item in node.items:
        tag = item.text.strip() if isinstance(item, Scalar) and item.text else ""
        if not isinstance(item, Scalar):
            report.error(item.line, f"a tag of {what} must be text, not {describe(item)}", "tag")
        elif not tag:
            report.error(item.line, f"{what} has an empty tag", "tag")
        elif ";" in tag:
            report.error(
                item.line,
                f"the tag {tag!r} of {what} contains ';', which separates tags in CSV; "
                "split it into separate tags",
                "tag",
            )
        else:
            tags.append(tag)
    return tuple(tags)


def _certainty(node: Node | None, what: str, report: Report) -> CertaintyJudgement | None:
    if node is None or (isinstance(node, Scalar) and node.text is None):
        return None
    reason_name = "certainty_reason" if report.csv else "reason"
    if isinstance(node, Scalar):
        report.error(
            node.line,
            f"the certainty of {what} needs a reason as well as a level: write "
            f"certainty: {{level: {(node.text or '').strip()}, reason: ...}}",
            "certainty-reason",
        )
        return None
    if isinstance(node, Seq):
        report.error(
            node.line,
            f"the certainty of {what} must be a mapping with level and reason, not a list",
            "wrong-type",
        )
        return None
    fields = _Fields(node, CERTAINTY_FIELDS, "certainty", report)
    level_node = fields.get("level")
    level = _choice(level_node, Certainty.parse, LEVELS, "certainty level", what, report)
    if level_node is None or (
        isinstance(level_node, Scalar) and not (level_node.text or "").strip()
    ):
        report.error(
            node.line,
            f"the certainty of {what} has no level; use one of: {', '.join(LEVELS)}",
            "missing-field",
        )
    reason_node = fields.get("reason")
    reason = _text(reason_node, f"the certainty reason of {what}", report)
    if not reason and (reason_node is None or isinstance(reason_node, Scalar)):
        report.error(
            node.line,
            f"the certainty of {what} has no {reason_name}{fields.typo_hint('reason')}; "
            "a GRADE judgement must say why",
            "certainty-reason",
        )
        return None
    if level is None:
        return None
    return CertaintyJudgement(Certainty(level), reason)


def _citation(node: Node, claim: str, report: Report) -> Citation | None:
    if isinstance(node, Scalar):
        bare = (node.text or "").strip()
        if not bare:
            report.error(node.line, f"{claim} has an empty citation", "missing-field")
            return None
        # The shorthand: a bare key says only "cited here"; see the module docstring.
        return Citation(key=bare, stance=Stance.UNKNOWN, location=report.at(node.line))
    if isinstance(node, Seq):
        report.error(
            node.line,
            f"a citation of {claim} must be a key or a mapping with 'key' and 'stance', not a list",
            "wrong-type",
        )
        return None
    errors = report.errors
    extra = CSV_COMPARATIVE_COLUMNS if report.csv else COMPARATIVE_FIELDS
    fields = _Fields(node, CITATION_FIELDS + extra, "citation", report)
    key = _required_text(fields, "key", f"a citation of {claim}", report)
    what = f"citation {key!r} of {claim}" if key else f"a citation of {claim}"
    stance_node = fields.get("stance")
    # A stance written as its value (as every writer does) needs no forgiving parse.
    typed = stance_node.text if isinstance(stance_node, Scalar) else None
    exact = _STANCE_VALUES.get(typed) if typed is not None else None
    stance = (
        exact
        if exact is not None
        else _choice(stance_node, Stance.parse, STANCES, "stance", what, report)
    )
    if stance_node is None or (
        isinstance(stance_node, Scalar) and not (stance_node.text or "").strip()
    ):
        report.error(
            node.line,
            f"{what} has no stance{fields.typo_hint('stance')}; write one of: "
            f"{', '.join(STANCES)} (unknown = not yet reviewed)",
            "missing-field",
        )
    n = _count(fields.get("n"), f"n of {what}", report)
    events = _count(fields.get("events"), f"events of {what}", report)
    if n is not None and events is not None and events > n:
        events_node = fields.get("events")
        report.error(
            events_node.line if events_node else node.line,
            f"{what}: events ({events}) cannot exceed n ({n})",
            "events-exceed-n",
        )
    design = _choice(fields.get("design"), _design, DESIGNS, "study design", what, report)
    risk = _choice(
        fields.get("risk_of_bias"), RiskOfBias.parse, RISKS, "risk of bias", what, report
    )
    finding, outcome, locator, quote, note = (
        _text(fields.get(name), f"the {name} of {what}", report)
        for name in ("finding", "outcome", "locator", "quote", "note")
    )
    numbers = read_comparative(
        fields.get,
        node.line,
        what,
        report,
        lambda inner, allowed, where: _Fields(inner, allowed, where, report),
    )
    if report.errors > errors or key is None or stance is None:
        return None
    return Citation(
        key=key,
        stance=Stance(stance),
        n=n,
        events=events,
        design=design.value if design is not None else None,
        risk_of_bias=RiskOfBias(risk) if risk is not None else None,
        finding=finding,
        outcome=outcome,
        locator=locator,
        quote=quote,
        note=note,
        location=report.at(node.line),
        arms=numbers.arms,
        effect=numbers.effect,
        measure=numbers.measure,
        arm_labels=numbers.arm_labels,
    )


def _warn_duplicate_citations(citations: list[Citation], what: str, report: Report) -> None:
    # The same study twice with the same numbers would be counted twice when pooled.
    seen: dict[Citation, Citation] = {}
    for citation in citations:
        if citation in seen:
            first = seen[citation].location
            line = citation.location.line if citation.location else None
            where = f" (same as line {first.line})" if first and first.line else ""
            report.warn(
                line,
                f"{what} cites {citation.key!r} twice with the same details{where}; "
                "it would be counted twice",
                "duplicate-citation",
            )
        else:
            seen[citation] = citation
