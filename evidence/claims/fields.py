"""The claims file format: every field, column and accepted value, in one place.

A new field is added here (and read in ``evidence.claims.build``, written in
``evidence.claims.writers``); readers of each format need no change, because they only
turn text into a tree of mappings, lists and scalars.

Format reference (YAML; JSON has the same structure)::

    version: 1                      # optional; only 1 exists
    title: Sacroiliac joint pain    # optional, free (so is description)
    claims:
      - id: sij-after-fusion        # required, unique; numbers are read as typed ("012")
        text: >                     # required; surrounding whitespace is dropped
          The sacroiliac joint is a common source of pain after lumbar fusion.
        tags: [diagnosis, fusion]   # optional list of labels (no ';' inside a label)
        certainty:                  # optional GRADE judgement by a person
          level: low                #   high | moderate | low | very low
          reason: two small uncontrolled studies   # required with a level
        note: free text             # optional
        source: review.md:12        # optional: where `evidence extract` found the claim
        citations:                  # optional; empty or absent = an uncited claim
          - key: liliang2011        # required: the BibTeX key
            stance: supports        # required: supports | contradicts | mixed |
                                    #   background | unknown (= not yet reviewed)
            finding: 21 of 52 had SIJ pain on dual blocks    # optional words
            n: 52                   # optional whole numbers >= 0, events <= n
            events: 21
            outcome: SIJ pain       # optional label: studies with the same one are pooled
            locator: p. 567         # optional page, table or figure
            quote: "..."            # optional passage
            design: prospective cohort   # optional override (StudyDesign values or labels)
            risk_of_bias: some concerns  # optional: low | some concerns | high
            note: free text         # optional
          - katz2003                # shorthand: a bare key means stance: unknown

CSV (and tab- or semicolon-separated text) is long form, as reviewers keep spreadsheets:
one row per claim x citation. Columns (case, spaces and hyphens in names are forgiven;
``id`` may stand for ``claim_id``): ``claim_id``, ``text``, ``tags`` (separated by ``;``),
``certainty``, ``certainty_reason``, ``claim_note`` (the claim's note), then the citation
columns ``key``, ``stance``, ``finding``, ``n``, ``events``, ``outcome``, ``locator``,
``quote``, ``design``, ``risk_of_bias``, ``note`` (the citation's note). Rows with the same
id are one claim: claim columns are given once or repeated exactly (a different repeated
value is an error). A row with an empty ``key`` adds no citation, so a claim whose only
row has no key is uncited. A row with neither id nor text continues the claim above.
Messages give the file line where a row starts (quoted cells may span lines).
"""

from __future__ import annotations

import re
from types import MappingProxyType

from evidence.model import Certainty, RiskOfBias, Stance, StudyDesign

# The fields each mapping may hold; any other is an unknown-field warning.
TOP_FIELDS = ("version", "claims", "title", "description")
CLAIM_FIELDS = ("id", "text", "tags", "citations", "certainty", "note", "source")
CITATION_FIELDS = (
    "key",
    "stance",
    "finding",
    "n",
    "events",
    "outcome",
    "locator",
    "quote",
    "design",
    "risk_of_bias",
    "note",
)
CERTAINTY_FIELDS = ("level", "reason")

# --- comparative numbers (issue 18; read in evidence.claims.comparative) ---------------
# Beside the fields above a citation may carry two-arm numbers or a reported effect:
#   measure: RR                    # optional beside arms: RR | OR | RD (counts), MD | SMD
#   arms:                          #   (means); default RR for counts, MD for means
#     treatment: {events: 4, n: 123, label: vaccinated}   # or {mean: 5.1, sd: 1.2, n: 40}
#     control: {events: 11, n: 139, label: unvaccinated}
#   effect: {measure: HR, estimate: 0.8, lower: 0.6, upper: 1.1, confidence: 0.95}
# A citation has arms or an effect, never both, and neither beside single-arm n/events.
COMPARATIVE_FIELDS = ("measure", "arms", "effect")
ARMS_FIELDS = ("treatment", "control")
ARM_FIELDS = ("events", "n", "mean", "sd", "label")
EFFECT_FIELDS = ("measure", "estimate", "lower", "upper", "confidence")
# CSV flattens them: t_ is the treatment arm, c_ the control arm; estimate, lower, upper
# and confidence make a reported effect whose measure is the measure column.
CSV_COMPARATIVE_COLUMNS = (
    "measure",
    "t_events",
    "t_n",
    "c_events",
    "c_n",
    "t_mean",
    "t_sd",
    "c_mean",
    "c_sd",
    "t_label",
    "c_label",
    "estimate",
    "lower",
    "upper",
    "confidence",
)
CSV_COMPARATIVE_ALIASES = {
    f"{arm}_{name}": f"{arm[0]}_{name}"
    for arm in ("treatment", "control")
    for name in ("events", "n", "mean", "sd", "label")
}
# --- end of comparative numbers ---------------------------------------------------------
# Where a field in the wrong mapping belongs ("check the indentation").
WHERE_FIELDS_BELONG = MappingProxyType(
    {
        **dict.fromkeys(CITATION_FIELDS + COMPARATIVE_FIELDS, "a citation"),
        **dict.fromkeys(CLAIM_FIELDS, "a claim"),
        **dict.fromkeys(CERTAINTY_FIELDS, "certainty"),
    }
)

# CSV is long form: the claim's columns, then one citation's.
CSV_CLAIM_COLUMNS = ("claim_id", "text", "tags", "certainty", "certainty_reason", "claim_note")
CSV_CITATION_COLUMNS = CITATION_FIELDS + CSV_COMPARATIVE_COLUMNS
CSV_COLUMNS = CSV_CLAIM_COLUMNS + CSV_CITATION_COLUMNS
CSV_ALIASES = MappingProxyType({"id": "claim_id", **CSV_COMPARATIVE_ALIASES})

# Counts larger than this are typing slips (and would make int() of "1e999999" hang).
MAX_COUNT = 10**10

# The words each closed field accepts, as messages list them.
STANCES = tuple(s.value for s in Stance)
LEVELS = tuple(c.label for c in Certainty)
RISKS = tuple(r.label for r in RiskOfBias)
DESIGNS = tuple(d.value for d in StudyDesign)


_PLAIN_NAME = re.compile(r"[a-z0-9_]+")


def field_name(raw: str) -> str:
    """Field and column names forgive case, spaces and hyphens: ``Risk of bias``."""
    if _PLAIN_NAME.fullmatch(raw):
        return raw  # already a name (the usual case): nothing to strip, lower or join
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


def column_name(header: str) -> str:
    """A CSV header cell as a column name: forgiving like :func:`field_name`, with aliases."""
    name = field_name(header)
    return CSV_ALIASES.get(name, name)
