"""A citation's comparative numbers in a claims file: two-arm counts or means, or an effect.

YAML and JSON nest them (``arms: {treatment: {events, n}, control: {...}}``, ``effect:
{measure, estimate, lower, upper}``); CSV flattens them into the columns of
``evidence.claims.fields.CSV_COMPARATIVE_COLUMNS`` (``t_events``, ``c_n``, ``estimate``...).
Both are read here into the records of :mod:`evidence.comparative`, whose builders check
the numbers (negative counts, events above the total, an interval that does not contain its
estimate, a ratio at or below 0...); every fault is reported at its line with the builder's
problem code. What this module adds is the shape: which fields go together, a measure that
fits the numbers, and no mixing of arms with a reported effect or with single-arm
``n``/``events`` (a citation describes one analysis, and silently preferring one set of
numbers would hide the other).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple, Protocol

from evidence.claims.fields import (
    ARM_FIELDS,
    ARMS_FIELDS,
    EFFECT_FIELDS,
    MAX_COUNT,
)
from evidence.claims.tree import Map, Node, Report, Scalar, describe
from evidence.comparative import (
    BinaryArms,
    ContinuousArms,
    EffectDataError,
    Measure,
    ReportedEffect,
    binary_arms,
    continuous_arms,
    normalise_measure,
    reported_effect,
)

__all__ = ["Comparative", "read_comparative"]


class Comparative(NamedTuple):
    """What a citation carries besides single-arm counts (all empty when nothing is given)."""

    arms: BinaryArms | ContinuousArms | None = None
    effect: ReportedEffect | None = None
    measure: Measure | None = None
    arm_labels: tuple[str, str] = ("", "")


class _Getter(Protocol):
    def get(self, name: str) -> Node | None: ...


FieldsOf = Callable[[Map, Sequence[str], str], _Getter]
"""Checks a mapping's fields (duplicates, unknown names) and gives them by name."""


def _present(node: Node | None) -> bool:
    return node is not None and not (
        isinstance(node, Scalar) and (node.text is None or not node.text.strip())
    )


def _number(node: Node | None, what: str, report: Report, *, whole: bool = False) -> object:
    """The number typed, as ``int`` (whole) or ``float``; ``None`` when absent or wrong."""
    if not _present(node) or node is None:
        return None
    if not isinstance(node, Scalar) or node.text is None:
        report.error(node.line, f"{what} must be a number, not {describe(node)}", "bad-number")
        return None
    typed = node.text.strip()
    try:
        value = Decimal(typed)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        report.error(node.line, f"{what} must be a number, not {typed!r}", "bad-number")
        return None
    if whole:
        if abs(value) > MAX_COUNT:
            report.error(node.line, f"{what} is implausibly large ({typed})", "bad-number")
            return None
        if value != value.to_integral_value():
            report.error(node.line, f"{what} must be a whole number, not {typed!r}", "bad-number")
            return None
        return int(value)  # negative counts are left to the builder, which says why
    return float(value)


def _label(node: Node | None, what: str, report: Report) -> str:
    if node is None or (isinstance(node, Scalar) and node.text is None):
        return ""
    if not isinstance(node, Scalar):
        report.error(node.line, f"{what} must be text, not {describe(node)}", "wrong-type")
        return ""
    return (node.text or "").strip()


def _measure(node: Node | None, what: str, report: Report) -> Measure | None:
    if not _present(node) or node is None:
        return None
    if not isinstance(node, Scalar) or node.text is None:
        report.error(
            node.line, f"{what} must be a word such as RR, not {describe(node)}", "wrong-type"
        )
        return None
    try:
        return normalise_measure(node.text.strip())
    except ValueError as exc:
        report.error(node.line, f"{what}: {exc}", "effect-unknown-measure")
        return None


def _relay(exc: EffectDataError, line: int, report: Report) -> None:
    # The builders locate every problem at one place; the line here is the field's.
    for problem in exc.problems:
        report.error(line, problem.message, problem.code or "bad-number")


def read_comparative(
    get: Callable[[str], Node | None],
    line: int,
    what: str,
    report: Report,
    fields_of: FieldsOf,
) -> Comparative:
    """The comparative numbers of one citation (``get`` gives its fields by name).

    ``line`` is the citation's; ``what`` names it in messages. Problems go to ``report``;
    parts with problems come back empty.
    """
    flat = report.csv
    errors = report.errors
    measure_node = get("measure")
    measure = _measure(measure_node, f"the measure of {what}", report)
    if flat:
        arm_nodes = {
            arm: {name: get(f"{arm[0]}_{name}") for name in ARM_FIELDS} for arm in ARMS_FIELDS
        }
        has_arms = any(_present(n) for fields in arm_nodes.values() for n in fields.values())
        effect_nodes = {name: get(name) for name in EFFECT_FIELDS if name != "measure"}
        has_effect = any(_present(n) for n in effect_nodes.values())
        arms_line = effect_line = line
    else:
        arm_nodes, has_arms, arms_line = _nested_arms(get("arms"), what, report, fields_of)
        effect_nodes, has_effect, effect_line, own_measure = _nested_effect(
            get("effect"), what, report, fields_of
        )
        if own_measure is not None:
            measure_node = own_measure
    single = [name for name in ("n", "events") if _present(get(name))]
    if has_arms and has_effect:
        report.error(
            line,
            f"{what} gives both two-arm numbers and a reported effect; keep the one the "
            "analysis should use (the effect can be computed from the arms)",
            "effect-mixed",
        )
        return Comparative()
    if (has_arms or has_effect) and single:
        kind = "two-arm numbers" if has_arms else "a reported effect"
        report.error(
            line,
            f"{what} gives {kind} beside single-arm {' and '.join(single)}; single-arm "
            "counts are for proportions: move them into the arms, or remove them",
            "effect-mixed",
        )
        return Comparative()
    if report.errors > errors:
        return Comparative()
    if has_arms:
        return _arms(arm_nodes, measure, arms_line, what, report)
    if has_effect:
        effect_measure = _measure(measure_node, f"the measure of {what}", report)
        if not flat and measure is not None and effect_measure not in (None, measure):
            report.error(
                line,
                f"{what}: the measure beside the effect ({measure}) differs from the "
                f"effect's own ({effect_measure}); give it once",
                "effect-measure-mismatch",
            )
            return Comparative()
        return _effect(effect_nodes, effect_measure, effect_line, what, report)
    if measure is not None and measure_node is not None:
        report.error(
            measure_node.line,
            f"{what} names a measure ({measure}) but gives no arms or effect to compute it from",
            "effect-incomplete",
        )
    return Comparative()


def _nested_arms(
    node: Node | None, what: str, report: Report, fields_of: FieldsOf
) -> tuple[dict[str, dict[str, Node | None]], bool, int]:
    empty: dict[str, dict[str, Node | None]] = {}
    if not _present(node) or node is None:
        return empty, False, 0
    if not isinstance(node, Map):
        report.error(
            node.line,
            f"the arms of {what} must be a mapping with 'treatment' and 'control', "
            f"not {describe(node)}",
            "wrong-type",
        )
        return empty, False, node.line
    arms = fields_of(node, ARMS_FIELDS, f"the arms of {what}")
    found: dict[str, dict[str, Node | None]] = {}
    for arm in ARMS_FIELDS:
        arm_node = arms.get(arm)
        if arm_node is None:
            report.error(node.line, f"the arms of {what} have no {arm!r} arm", "effect-incomplete")
            continue
        if not isinstance(arm_node, Map):
            report.error(
                arm_node.line,
                f"the {arm} arm of {what} must be a mapping such as {{events: 4, n: 123}}, "
                f"not {describe(arm_node)}",
                "wrong-type",
            )
            continue
        fields = fields_of(arm_node, ARM_FIELDS, f"the {arm} arm")
        found[arm] = {name: fields.get(name) for name in ARM_FIELDS}
    return found, True, node.line


def _nested_effect(
    node: Node | None, what: str, report: Report, fields_of: FieldsOf
) -> tuple[dict[str, Node | None], bool, int, Node | None]:
    if not _present(node) or node is None:
        return {}, False, 0, None
    if not isinstance(node, Map):
        report.error(
            node.line,
            f"the effect of {what} must be a mapping with measure, estimate, lower and "
            f"upper, not {describe(node)}",
            "wrong-type",
        )
        return {}, False, node.line, None
    fields = fields_of(node, EFFECT_FIELDS, f"the effect of {what}")
    values = {name: fields.get(name) for name in EFFECT_FIELDS if name != "measure"}
    return values, True, node.line, fields.get("measure")


def _arms(
    nodes: dict[str, dict[str, Node | None]],
    measure: Measure | None,
    line: int,
    what: str,
    report: Report,
) -> Comparative:
    flat = report.csv
    if set(nodes) != set(ARMS_FIELDS):
        return Comparative()  # a missing arm was reported

    def name(arm: str, field: str) -> str:
        return f"{arm[0]}_{field}" if flat else f"{arm} {field}"

    def where(arm: str, field: str) -> int:
        node = nodes[arm][field]
        return node.line if node is not None else line

    labels = (
        _label(nodes["treatment"]["label"], f"the treatment label of {what}", report),
        _label(nodes["control"]["label"], f"the control label of {what}", report),
    )
    means = any(_present(nodes[a][f]) for a in ARMS_FIELDS for f in ("mean", "sd"))
    counts = any(_present(nodes[a]["events"]) for a in ARMS_FIELDS)
    if means and counts:
        report.error(
            line,
            f"{what} gives both events and means in its arms; counts make RR, OR or RD, "
            "means make MD or SMD: keep one kind",
            "effect-mixed",
        )
        return Comparative()
    needed = ("mean", "sd", "n") if means else ("events", "n")
    missing = [name(a, f) for a in ARMS_FIELDS for f in needed if not _present(nodes[a][f])]
    if missing:
        report.error(line, f"{what} has no {', '.join(missing)}", "effect-incomplete")
        return Comparative()
    if measure is not None and (measure.continuous if not means else not measure.continuous):
        kind = "means" if means else "counts"
        report.error(
            line,
            f"{what}: the measure {measure} ({measure.label}) cannot be computed from "
            f"two-arm {kind}; use {'MD or SMD' if means else 'RR, OR or RD'}",
            "effect-measure-mismatch",
        )
        return Comparative()
    errors = report.errors
    values = {
        (a, f): _number(nodes[a][f], name(a, f) + f" of {what}", report, whole=f in ("events", "n"))
        for a in ARMS_FIELDS
        for f in needed
    }
    if report.errors > errors:
        return Comparative()
    try:
        if means:
            arms: BinaryArms | ContinuousArms = continuous_arms(
                *(values[a, f] for a in ARMS_FIELDS for f in needed), label=what
            )
        else:
            arms = binary_arms(*(values[a, f] for a in ARMS_FIELDS for f in needed), label=what)
    except EffectDataError as exc:
        _relay(exc, where("treatment", "n"), report)
        return Comparative()
    return Comparative(arms=arms, measure=measure, arm_labels=labels)


def _effect(
    nodes: dict[str, Node | None],
    measure: Measure | None,
    line: int,
    what: str,
    report: Report,
) -> Comparative:
    if measure is None:
        report.error(
            line,
            f"the effect of {what} has no measure; name it (RR, OR, HR, RD, MD or SMD)",
            "effect-incomplete",
        )
        return Comparative()
    missing = [name for name in ("estimate", "lower", "upper") if not _present(nodes[name])]
    if missing:
        report.error(
            line,
            f"the effect of {what} has no {', '.join(missing)}; give the estimate and both "
            "ends of its confidence interval",
            "effect-incomplete",
        )
        return Comparative()
    errors = report.errors
    numbers = {n: _number(nodes[n], f"the {n} of {what}", report) for n in nodes}
    if report.errors > errors:
        return Comparative()
    confidence = numbers["confidence"] if numbers["confidence"] is not None else 0.95
    try:
        effect = reported_effect(
            measure,
            numbers["estimate"],
            numbers["lower"],
            numbers["upper"],
            confidence=confidence,
            label=what,
        )
    except EffectDataError as exc:
        _relay(exc, line, report)
        return Comparative()
    return Comparative(effect=effect)
