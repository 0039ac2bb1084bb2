"""Comparative numbers a citation can carry, as frozen records, checked where they are read.

A comparative study reports one of three kinds of numbers, always *treatment compared with
control*:

- :class:`BinaryArms`: events and totals in each arm (a 2x2 table);
- :class:`ContinuousArms`: mean, standard deviation and total in each arm;
- :class:`ReportedEffect`: an effect as the paper prints it, with its confidence interval
  (RR, OR, HR, RD, MD or SMD), e.g. "RR 0.49 (95% CI 0.34 to 0.70)".

The builders :func:`binary_arms`, :func:`continuous_arms` and :func:`reported_effect` check
the numbers, collect every problem of one set, and raise :class:`EffectDataError` (an
:class:`~evidence.errors.InputError`) once with all of them, each at the ``location`` the
caller passes (the claims file and line): counts that are not whole numbers, negative, or
with events above the total; an empty arm; SDs that are negative or not numbers (or both
0); an interval that does not contain its estimate or has no width; a ratio (or ratio
bound) at or below zero. :func:`normalise_measure` accepts the spellings papers use ("risk
ratio", "relative risk", "RR", "odds ratio", "Hedges' g", "weighted mean difference", ...)
and lists the known measures when it does not recognise one.

These records sit at the level of :mod:`evidence.model` (they import only the errors) so
that the claims loader can build them and a citation can carry them; what they mean as
effect sizes, and pooling, is computed in ``evidence.assess.effects`` and
``evidence.assess.meta``. Standard library only.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import SupportsIndex

from evidence.errors import InputError, Problem, SourceLocation

__all__ = [
    "BinaryArms",
    "ContinuousArms",
    "EffectData",
    "EffectDataError",
    "Measure",
    "ReportedEffect",
    "binary_arms",
    "continuous_arms",
    "normalise_measure",
    "reported_effect",
]


class EffectDataError(InputError):
    """Numbers for an effect cannot be used; ``.problems`` lists every fault with its place."""


class Measure(StrEnum):
    """An effect measure, comparing a treatment arm with a control arm."""

    RR = "RR"
    OR = "OR"
    HR = "HR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"

    def __str__(self) -> str:
        return self.value

    @property
    def is_ratio(self) -> bool:
        """Ratios (RR, OR, HR) are analysed as logs and shown on a log axis; 1 is no effect."""
        return self in (Measure.RR, Measure.OR, Measure.HR)

    @property
    def null_value(self) -> float:
        """The value meaning "no difference" on the natural scale: 1 for ratios, else 0."""
        return 1.0 if self.is_ratio else 0.0

    @property
    def label(self) -> str:
        """The measure spelled out, as a table heading or axis label."""
        return _LABELS[self]

    @property
    def binary(self) -> bool:
        """Whether two-arm counts give this measure (RR, OR, RD)."""
        return self in (Measure.RR, Measure.OR, Measure.RD)

    @property
    def continuous(self) -> bool:
        """Whether two-arm means and SDs give this measure (MD, SMD)."""
        return self in (Measure.MD, Measure.SMD)

    def to_natural(self, value: float) -> float:
        """A value on the analysis scale (log for ratios) back on the scale people read."""
        return math.exp(value) if self.is_ratio else value


_LABELS = {
    Measure.RR: "risk ratio",
    Measure.OR: "odds ratio",
    Measure.HR: "hazard ratio",
    Measure.RD: "risk difference",
    Measure.MD: "mean difference",
    Measure.SMD: "standardised mean difference (Hedges' g)",
}

# Folded spellings (see _fold) -> measure. "ARR"/"absolute risk reduction" are left out on
# purpose: they are the risk difference with its sign flipped, and guessing the sign would
# silently invert an effect.
_SPELLINGS: dict[str, Measure] = {
    "rr": Measure.RR,
    "risk ratio": Measure.RR,
    "relative risk": Measure.RR,
    "relative risk ratio": Measure.RR,
    "risk ratios": Measure.RR,
    "or": Measure.OR,
    "odds ratio": Measure.OR,
    "odds ratios": Measure.OR,
    "hr": Measure.HR,
    "hazard ratio": Measure.HR,
    "hazard ratios": Measure.HR,
    "rd": Measure.RD,
    "risk difference": Measure.RD,
    "absolute risk difference": Measure.RD,
    "ard": Measure.RD,
    "md": Measure.MD,
    "mean difference": Measure.MD,
    "raw mean difference": Measure.MD,
    "difference in means": Measure.MD,
    "wmd": Measure.MD,
    "weighted mean difference": Measure.MD,
    "smd": Measure.SMD,
    "standardised mean difference": Measure.SMD,
    "standardized mean difference": Measure.SMD,
    "hedges g": Measure.SMD,
    "hedgess g": Measure.SMD,
    "hedges's g": Measure.SMD,
    "g": Measure.SMD,
    "cohens d": Measure.SMD,
    "cohen d": Measure.SMD,
}


def _fold(text: str) -> str:
    lowered = text.casefold().replace("\u2019", "").replace("'", "").replace("`", "")
    return " ".join(re.sub(r"[-_./]+", " ", lowered).split())


def normalise_measure(text: str | Measure) -> Measure:
    """The :class:`Measure` a spelling names, case and punctuation aside.

    "Risk ratio (RR)" works too: the words and the abbreviation in brackets are tried in
    turn. Anything unknown raises ``ValueError`` listing the measures that are known, for
    the caller to turn into a located problem.

    >>> normalise_measure("Relative risk"), normalise_measure("Hedges' g")
    (<Measure.RR: 'RR'>, <Measure.SMD: 'SMD'>)
    """
    if isinstance(text, Measure):
        return text
    if not isinstance(text, str):
        raise ValueError(f"an effect measure must be text such as 'RR', not {text!r}")
    candidates = [text]
    bracket = re.fullmatch(r"\s*(.*?)\s*\(([^()]*)\)\s*", text)
    if bracket:
        candidates += [bracket.group(1), bracket.group(2)]
    for candidate in candidates:
        found = _SPELLINGS.get(_fold(candidate))
        if found is not None:
            return found
    known = ", ".join(f"{m.value} ({m.label})" for m in Measure)
    raise ValueError(f"unknown effect measure {text!r}: use one of {known}")


@dataclass(frozen=True, slots=True)
class BinaryArms:
    """Events and totals in the treatment and control arms (a 2x2 table).

    Build it with :func:`binary_arms`, which checks the numbers.
    """

    treatment_events: int
    treatment_n: int
    control_events: int
    control_n: int

    @property
    def cells(self) -> tuple[int, int, int, int]:
        """``(a, b, c, d)``: events and non-events under treatment, then under control."""
        return (
            self.treatment_events,
            self.treatment_n - self.treatment_events,
            self.control_events,
            self.control_n - self.control_events,
        )

    @property
    def has_zero_cell(self) -> bool:
        """Whether any of the four cells is zero (the 0.5 correction then applies)."""
        return 0 in self.cells

    @property
    def double_zero(self) -> bool:
        """No events in either arm, or events in everybody in both arms."""
        a, b, c, d = self.cells
        return (a == 0 and c == 0) or (b == 0 and d == 0)

    def __str__(self) -> str:
        return (
            f"{self.treatment_events}/{self.treatment_n} vs {self.control_events}/{self.control_n}"
        )


@dataclass(frozen=True, slots=True)
class ContinuousArms:
    """Mean, standard deviation and total in the treatment and control arms.

    Build it with :func:`continuous_arms`, which checks the numbers.
    """

    treatment_mean: float
    treatment_sd: float
    treatment_n: int
    control_mean: float
    control_sd: float
    control_n: int

    def __str__(self) -> str:
        return (
            f"{self.treatment_mean:g} (SD {self.treatment_sd:g}, n={self.treatment_n}) vs "
            f"{self.control_mean:g} (SD {self.control_sd:g}, n={self.control_n})"
        )


@dataclass(frozen=True, slots=True)
class ReportedEffect:
    """An effect as the paper prints it: measure, estimate and confidence interval.

    Ratios are on their natural scale (RR 0.49, not its log). Build it with
    :func:`reported_effect`, which checks the numbers.
    """

    measure: Measure
    estimate: float
    lower: float
    upper: float
    confidence: float = 0.95

    def __str__(self) -> str:
        pct = f"{100 * self.confidence:g}"
        return f"{self.measure} {self.estimate:g} ({pct}% CI {self.lower:g} to {self.upper:g})"


EffectData = BinaryArms | ContinuousArms | ReportedEffect
"""Any of the three kinds of numbers a comparative citation can carry."""


class _Collector:
    """Problems of one set of numbers, all located at the same place."""

    def __init__(self, location: SourceLocation | None, label: str) -> None:
        self.location = location or SourceLocation("<effect>")
        self.prefix = f"{label}: " if label else ""
        self.problems: list[Problem] = []

    def add(self, message: str, code: str) -> None:
        self.problems.append(Problem(self.location, self.prefix + message, code=code))

    def count(self, value: object, what: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, SupportsIndex):
            self.add(f"{what} must be a whole number, not {value!r}", "effect-not-integer")
            return None
        number = operator.index(value)
        if number < 0:
            self.add(f"{what} cannot be negative ({number})", "effect-negative-count")
            return None
        return number

    def number(self, value: object, what: str) -> float | None:
        # numbers.Real covers int, float and numpy's scalars; bool is a Real but never a count.
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self.add(f"{what} must be a number, not {value!r}", "effect-not-number")
            return None
        number = float(value)
        if not math.isfinite(number):
            self.add(f"{what} must be a finite number, not {value!r}", "effect-not-number")
            return None
        return number

    def raise_if_any(self, what: str) -> None:
        if self.problems:
            count = len(self.problems)
            raise EffectDataError(
                f"{what}: {count} problem{'s' if count > 1 else ''}",
                location=self.location,
                problems=self.problems,
            )


def binary_arms(
    treatment_events: object,
    treatment_n: object,
    control_events: object,
    control_n: object,
    *,
    location: SourceLocation | None = None,
    label: str = "",
) -> BinaryArms:
    """Checked two-arm counts, or :class:`EffectDataError` listing every problem.

    ``label`` (a citation key, say) starts each message; ``location`` places it.

    >>> binary_arms(4, 123, 11, 139)
    BinaryArms(treatment_events=4, treatment_n=123, control_events=11, control_n=139)
    """
    check = _Collector(location, label)
    arms: list[int] = []
    for name, events, total in (
        ("treatment", treatment_events, treatment_n),
        ("control", control_events, control_n),
    ):
        e = check.count(events, f"{name} events")
        n = check.count(total, f"{name} total (n)")
        if n is not None and n == 0:
            check.add(f"the {name} arm is empty (n = 0)", "effect-empty-arm")
        elif e is not None and n is not None and e > n:
            check.add(
                f"{name} events ({e}) are more than the {name} total ({n})",
                "effect-events-above-total",
            )
        arms += [e or 0, n or 0]
    check.raise_if_any("unusable two-arm counts")
    return BinaryArms(*arms)


def continuous_arms(
    treatment_mean: object,
    treatment_sd: object,
    treatment_n: object,
    control_mean: object,
    control_sd: object,
    control_n: object,
    *,
    location: SourceLocation | None = None,
    label: str = "",
) -> ContinuousArms:
    """Checked two-arm means, SDs and totals, or :class:`EffectDataError` with every problem.

    Each arm needs at least 2 participants (an SD of one value means nothing) and an SD
    that is a number not below 0; the two SDs cannot both be 0.
    """
    check = _Collector(location, label)
    values: list[float | int] = []
    sds: list[float | None] = []
    for name, mean, sd, total in (
        ("treatment", treatment_mean, treatment_sd, treatment_n),
        ("control", control_mean, control_sd, control_n),
    ):
        m = check.number(mean, f"{name} mean")
        s = check.number(sd, f"{name} SD")
        n = check.count(total, f"{name} total (n)")
        if s is not None and s < 0:
            check.add(f"{name} SD cannot be negative ({s:g})", "effect-negative-sd")
        if n is not None and n < 2:
            check.add(f"the {name} arm needs at least 2 participants, not {n}", "effect-small-arm")
        values += [m or 0.0, s or 0.0, n or 0]
        sds.append(s)
    if sds == [0.0, 0.0]:
        check.add("both SDs are 0: the arms have no spread to compare", "effect-zero-sd")
    check.raise_if_any("unusable two-arm means")
    tm, ts, tn, cm, cs, cn = values
    return ContinuousArms(float(tm), float(ts), int(tn), float(cm), float(cs), int(cn))


def reported_effect(
    measure: object,
    estimate: object,
    lower: object,
    upper: object,
    *,
    confidence: object = 0.95,
    location: SourceLocation | None = None,
    label: str = "",
) -> ReportedEffect:
    """A checked reported effect, or :class:`EffectDataError` listing every problem.

    The measure is normalised (:func:`normalise_measure`); ratios and their bounds must be
    above 0; the interval must contain the estimate and have some width. ``confidence``
    may be given as a fraction (0.95) or a percentage (95).

    >>> print(reported_effect("relative risk", 0.49, 0.34, 0.70))
    RR 0.49 (95% CI 0.34 to 0.7)
    """
    check = _Collector(location, label)
    kind: Measure | None = None
    try:
        kind = normalise_measure(measure)  # type: ignore[arg-type]
    except ValueError as exc:
        check.add(str(exc), "effect-unknown-measure")
    est = check.number(estimate, "estimate")
    low = check.number(lower, "lower bound")
    high = check.number(upper, "upper bound")
    level = check.number(confidence, "confidence level")
    if level is not None:
        if 1.0 < level < 100.0:
            level /= 100.0  # 95 means 95%
        if not 0.0 < level < 1.0:
            check.add(
                f"confidence level must be between 0 and 1 (or 0 and 100%), not {confidence!r}",
                "effect-bad-confidence",
            )
            level = None
    if kind is not None and kind.is_ratio:
        for name, value in (("estimate", est), ("lower bound", low), ("upper bound", high)):
            if value is not None and value <= 0:
                check.add(
                    f"a ratio ({kind.label}) cannot be 0 or below, but the {name} is {value:g}",
                    "effect-ratio-not-positive",
                )
    if est is not None and low is not None and high is not None:
        if low > high:
            check.add(
                f"the lower bound ({low:g}) is above the upper bound ({high:g})",
                "effect-interval-reversed",
            )
        elif low == high:
            check.add(f"the interval has no width ({low:g} to {high:g})", "effect-interval-empty")
        elif not low <= est <= high:
            check.add(
                f"the interval {low:g} to {high:g} does not contain the estimate {est:g}",
                "effect-outside-interval",
            )
    check.raise_if_any("unusable reported effect")
    if kind is None or est is None or low is None or high is None or level is None:
        raise EffectDataError("unusable reported effect")  # unreachable: each None raised above
    return ReportedEffect(kind, est, low, high, level)
