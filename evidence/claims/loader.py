"""Claims files: YAML, JSON and CSV in, :class:`ClaimSet` out, and back again.

A claims file says, for each statement in a text, which references are cited for it and
what a reviewer found in them. It is the user's interface to the library, so the format
is small, forgiving where forgiveness is safe, and strict where a mistake would change a
verdict. :func:`parse_claims` is pure (text in, records out); :func:`load_claims` reads a
file and calls it; :func:`dump_claims` writes a file that reads back to equal records.

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

Decisions, and why:

* ``stance`` is required on every citation written as a mapping (and in every CSV row
  with a key). Verdicts are computed from stances; a default of ``supports`` would count
  every unread citation as support, which is exactly the mistake this library exists to
  catch, and a silent default of ``unknown`` would hide a forgotten field. The one
  exception is the bare-key shorthand (``citations: [katz2003]``): it can only mean
  "cited here, not yet reviewed", so it reads as ``stance: unknown`` and the claim's
  verdict says *unreviewed*; nobody's citation becomes support without a person saying so.
* Unknown fields and columns are *warnings* (kept in :attr:`ClaimSet.problems`, with a
  "did you mean" when one is close), not errors: spreadsheets carry reviewers' own
  columns, and a file written for a later minor version should still load. A typo cannot
  pass unnoticed where it matters: when it hides a required field (``stnace``), the
  missing-field error names the near miss, and the load fails.
* Values are read as the user typed them. YAML is composed into nodes (safely; no
  object is ever constructed) and scalars are taken from the node text, so ``id: 012``
  is ``"012"``, ``text: no`` is ``"no"`` and a date stays a date string; numbers are read
  as decimal from the same text (``n: 012`` is 12, not YAML 1.1's octal 10). JSON is
  checked by the standard library first (its syntax errors give line and column), then
  a small tokenizer walks the now-valid text to give every value its line.
* Free text is stripped of surrounding whitespace (so YAML's ``>`` and ``|`` blocks do not
  leave a final newline in a claim); inner line breaks are kept.
* YAML tags other than the standard scalar ones (``!!python/...``) and merge keys (``<<``)
  are errors: a claims file is plain data. A tag may not contain ``;`` in any format, so
  that every file can also be written as CSV.
* Duplicate fields in one mapping are errors (YAML and JSON would silently keep the
  last); the same citation twice with the same details is a warning (pooling would
  count it twice).
* Every problem in a file is collected, then one :class:`~evidence.errors.ClaimFileError`
  is raised that lists them all, each as ``path:line: error: ...``. A citation key that
  is not in the bibliography is *not* a problem here: the evidence table reports it.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, TypeAlias, TypeVar, overload

import yaml

from evidence.errors import ClaimFileError, Problem, Severity, SourceLocation
from evidence.model import (
    Certainty,
    CertaintyJudgement,
    Citation,
    Claim,
    RiskOfBias,
    Stance,
    StudyDesign,
)

__all__ = ["FORMATS", "ClaimSet", "dump_claims", "load_claims", "parse_claims"]

#: The formats :func:`parse_claims` and :func:`dump_claims` accept.
FORMATS = ("yaml", "json", "csv")

_FORMAT_ALIASES = {"yaml": "yaml", "yml": "yaml", "json": "json", "csv": "csv", "tsv": "csv"}
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".tsv": "csv"}

_TOP_FIELDS = ("version", "claims", "title", "description")
_CLAIM_FIELDS = ("id", "text", "tags", "citations", "certainty", "note")
_CITATION_FIELDS = (
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
_CERTAINTY_FIELDS = ("level", "reason")
_WHERE_FIELDS_BELONG = {
    **dict.fromkeys(_CITATION_FIELDS, "a citation"),
    **dict.fromkeys(_CLAIM_FIELDS, "a claim"),
    **dict.fromkeys(_CERTAINTY_FIELDS, "certainty"),
}

_CSV_CLAIM_COLUMNS = ("claim_id", "text", "tags", "certainty", "certainty_reason", "claim_note")
_CSV_COLUMNS = _CSV_CLAIM_COLUMNS + _CITATION_FIELDS
_CSV_ALIASES = {"id": "claim_id"}

# Counts larger than this are typing slips (and would make int() of "1e999999" hang).
_MAX_COUNT = 10**10


# --- the claim set ---------------------------------------------------------------------


class ClaimSet(Sequence[Claim]):
    """The claims of one file, in file order: an immutable sequence of :class:`Claim`.

    ``path`` names the file (or the ``source`` given to :func:`parse_claims`);
    ``problems`` holds the warnings that did not stop loading (unknown fields, duplicate
    citations, an empty file). Ids are unique; :meth:`by_id` finds a claim by its id.
    Two claim sets are equal when they hold equal claims, whatever file or format they
    came from (locations never take part in equality, as in the records themselves).

    >>> claims = ClaimSet([Claim("c1", "Pain is common.")], path="claims.yaml")
    >>> claims.by_id("c1").text
    'Pain is common.'
    >>> len(claims), claims.path
    (1, 'claims.yaml')
    """

    __slots__ = ("_claims", "_index", "_path", "_problems", "_title")

    _claims: tuple[Claim, ...]
    _index: dict[str, Claim]
    _path: str
    _problems: tuple[Problem, ...]
    _title: str

    def __init__(
        self,
        claims: Iterable[Claim] = (),
        *,
        path: str = "<string>",
        problems: Iterable[Problem] = (),
        title: str = "",
    ) -> None:
        items = tuple(claims)
        index: dict[str, Claim] = {}
        for claim in items:
            if claim.id in index:
                raise ValueError(f"duplicate claim id {claim.id!r} in a ClaimSet")
            index[claim.id] = claim
        object.__setattr__(self, "_claims", items)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_problems", tuple(problems))
        object.__setattr__(self, "_title", title)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ClaimSet is immutable; cannot set {name!r}")

    @property
    def path(self) -> str:
        """The file the claims came from, as it was named to :func:`load_claims`."""
        return self._path

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Warnings found while loading (errors would have raised ``ClaimFileError``)."""
        return self._problems

    @property
    def title(self) -> str:
        """The file's optional ``title`` ('' when it has none); tables show it as theirs."""
        return self._title

    @property
    def ids(self) -> tuple[str, ...]:
        """The claim ids in file order."""
        return tuple(self._index)

    def by_id(self, claim_id: str) -> Claim:
        """The claim with this id; ``KeyError`` naming the file when there is none."""
        try:
            return self._index[str(claim_id)]
        except KeyError:
            raise KeyError(f"no claim with id {claim_id!r} in {self._path}") from None

    def __len__(self) -> int:
        return len(self._claims)

    @overload
    def __getitem__(self, index: int) -> Claim: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Claim, ...]: ...

    def __getitem__(self, index: int | slice) -> Claim | tuple[Claim, ...]:
        return self._claims[index]

    def __iter__(self) -> Iterator[Claim]:
        return iter(self._claims)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClaimSet):
            return NotImplemented
        return self._claims == other._claims

    def __hash__(self) -> int:
        return hash(self._claims)

    def __repr__(self) -> str:
        warnings = f", {len(self._problems)} warning(s)" if self._problems else ""
        return f"<ClaimSet {self._path!r}: {len(self._claims)} claim(s){warnings}>"


# --- public functions ------------------------------------------------------------------


def parse_claims(text: str, fmt: str, *, source: str = "<string>") -> ClaimSet:
    """Read claims from ``text`` written in ``fmt`` (``"yaml"``, ``"json"`` or ``"csv"``).

    ``source`` names the text in messages and becomes :attr:`ClaimSet.path`. Raises
    :class:`~evidence.errors.ClaimFileError` listing every problem (each with its line)
    when the text cannot be used; warnings are kept in :attr:`ClaimSet.problems`.

    >>> text = "claims:\\n  - id: 1\\n    text: Pain.\\n    citations: [katz2003]\\n"
    >>> claims = parse_claims(text, "yaml")
    >>> claims[0].id, claims[0].citations[0].stance
    ('1', <Stance.UNKNOWN: 'unknown'>)
    """
    report = _Report(source)
    kind = _format_name(fmt, report)
    if report.errors:
        _fail(report)
    if text.startswith("\ufeff"):  # spreadsheet exports often begin with a byte-order mark
        text = text[1:]
    try:
        if kind == "yaml":
            tree = _tree_from_yaml(text, report)
        elif kind == "json":
            tree = _tree_from_json(text, report)
        else:
            report.csv = True
            tree = _tree_from_csv(text, report)
        claims = _claims_from_tree(tree, report) if tree is not None or not report.errors else []
    except RecursionError:
        report.error(None, "the file is nested too deeply to be a claims file", "syntax")
        claims = []
    if report.errors:
        _fail(report)
    return ClaimSet(claims, path=source, problems=report.sorted_problems(), title=report.title)


def load_claims(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    encoding: str = "utf-8",
) -> ClaimSet:
    """Read a claims file; the format comes from the suffix unless ``format`` is given.

    Suffixes: ``.yaml``/``.yml``, ``.json``, ``.csv``/``.tsv``. Raises
    :class:`~evidence.errors.ClaimFileError` when the file cannot be read or decoded, its
    format is unknown, or it has problems (all of them listed, each with its line).
    """
    source = os.fspath(path)
    report = _Report(source)
    if format is not None:
        kind = _format_name(format, report)
    else:
        kind = _SUFFIXES.get(Path(source).suffix.lower(), "")
        if not kind:
            report.error(
                None,
                f"cannot tell the format of {Path(source).name!r} from its suffix; name it "
                f"{', '.join(_SUFFIXES)}, or pass format= (one of: {', '.join(FORMATS)})",
                "unknown-format",
            )
    if report.errors:
        _fail(report)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        report.error(None, f"cannot read the claims file: {exc.strerror or exc}", "unreadable")
        _fail(report)
    try:
        text = data.decode(encoding)
    except LookupError:
        report.error(None, f"unknown text encoding {encoding!r}", "encoding")
        _fail(report)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(
            line,
            f"the file is not valid {encoding} text (byte {data[exc.start]:#04x}); "
            f"save it as UTF-8, or pass the encoding it was saved in",
            "encoding",
        )
        _fail(report)
    return parse_claims(text, kind, source=source)


def dump_claims(claims: Iterable[Claim], fmt: str = "yaml") -> str:
    """Write claims as a claims file in ``fmt`` that :func:`parse_claims` reads back equal.

    ``fmt`` is ``"yaml"`` (the default), ``"json"`` or ``"csv"`` (``"tsv"`` writes the
    same table separated by tabs).

    Free text is written stripped of surrounding whitespace, as it would be read; stance
    ``unknown``, uncited claims, Unicode, line breaks and text that looks like YAML
    syntax are all written faithfully. Raises ``ValueError`` when the claims could not be
    loaded from any file (duplicate ids, an empty text or key, ``events > n``, a tag
    containing ``;``...): the output is read back before it is returned, so a file this
    function writes always loads.

    >>> text = dump_claims([Claim("c1", "Pain: common.", (Citation("k", Stance.UNKNOWN),))])
    >>> parse_claims(text, "yaml")[0].text
    'Pain: common.'
    """
    report = _Report("<dump_claims>")
    kind = _format_name(fmt, report)
    if report.errors:
        raise ValueError(report.problems[0].message)
    items = tuple(_normalised(claim) for claim in claims)
    if kind == "yaml":
        text = _write_yaml(items)
    elif kind == "json":
        text = _write_json(items)
    else:
        text = _write_csv(items, "\t" if fmt.strip().lower().lstrip(".") == "tsv" else ",")
    try:
        back = parse_claims(text, kind, source=f"<dump_claims {kind}>")
    except ClaimFileError as exc:
        details = "\n".join(p.message for p in exc.problems)
        raise ValueError(f"these claims cannot be written as a claims file:\n{details}") from None
    for wrote, read in zip(items, back, strict=True):
        if wrote != read:  # a writer bug, not bad input; say which claim shows it
            raise ValueError(f"claim {wrote.id!r} would not read back unchanged from {kind}")
    return text


# --- problems --------------------------------------------------------------------------


class _Report:
    """The problems found in one input, and the path they are reported against."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.errors = 0
        self.csv = False  # messages name CSV columns instead of YAML fields
        self.title = ""  # the file's optional title, kept for the table it feeds

    def error(self, line: int | None, message: str, code: str, column: int | None = None) -> None:
        self.errors += 1
        self.problems.append(Problem(SourceLocation(self.source, line, column), message, code))

    def warn(self, line: int | None, message: str, code: str) -> None:
        where = SourceLocation(self.source, line)
        self.problems.append(Problem(where, message, code, Severity.WARNING))

    def at(self, line: int | None) -> SourceLocation:
        return SourceLocation(self.source, line)

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: p.location.line or 0)


def _fail(report: _Report) -> NoReturn:
    count = report.errors
    raise ClaimFileError(
        f"cannot load claims: {count} error{'s' if count != 1 else ''}",
        location=SourceLocation(report.source),
        problems=report.sorted_problems(),
    )


def _format_name(fmt: str, report: _Report) -> str:
    kind = _FORMAT_ALIASES.get(fmt.strip().lower().lstrip("."), "")
    if not kind:
        report.error(
            None,
            f"unknown claims format {fmt!r}; use one of: {', '.join(FORMATS)}",
            "unknown-format",
        )
    return kind


def _closest(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


# --- a neutral tree with lines: what YAML, JSON and CSV are first turned into ----------


@dataclass(slots=True)
class _Scalar:
    text: str | None  # None: an explicit null, or an empty CSV cell
    line: int


@dataclass(slots=True)
class _Map:
    line: int
    items: list[tuple[str, int, _Node]] = field(default_factory=list)  # name, key line, value


@dataclass(slots=True)
class _Seq:
    line: int
    items: list[_Node] = field(default_factory=list)


_Node: TypeAlias = "_Scalar | _Map | _Seq"


def _describe(node: _Node) -> str:
    if isinstance(node, _Map):
        return "a mapping"
    if isinstance(node, _Seq):
        return "a list"
    if node.text is None:
        return "nothing"
    shown = node.text if len(node.text) <= 40 else node.text[:37] + "..."
    return f"the text {shown!r}"


# --- YAML ------------------------------------------------------------------------------

_YAML_PREFIX = "tag:yaml.org,2002:"
_YAML_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp", "value"}
_YAML_HINTS = {
    "mapping values are not allowed here": (
        "a value that contains ': ' must be quoted, e.g. text: \"Pain: common\""
    ),
    "that cannot start any token": "quote values that start with @ or `",
    "found character '\\t'": "indent with spaces, not tabs",
}


def _tree_from_yaml(text: str, report: _Report) -> _Node | None:
    try:
        # The pure-Python SafeLoader gives the same marks and messages everywhere; compose()
        # builds nodes only, so no tag can make it construct an object.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        hint = next((h for k, h in _YAML_HINTS.items() if k in what), "")
        message = f"invalid YAML: {what}" + (f" ({exc.context})" if exc.context else "")
        report.error(
            mark.line + 1 if mark else None,
            message + (f"; {hint}" if hint else ""),
            "syntax",
            column=mark.column + 1 if mark else None,
        )
        return None
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        mark = getattr(exc, "position", None)
        line = text.count("\n", 0, mark) + 1 if isinstance(mark, int) else None
        report.error(line, f"invalid YAML: {exc}", "syntax")
        return None
    if root is None:
        return None
    return _from_yaml_node(root, report, {})


def _from_yaml_node(node: yaml.Node, report: _Report, seen: dict[int, _Node]) -> _Node:
    # Aliases share node objects; converting each once keeps alias bombs linear and lets
    # a self-referring alias end instead of recursing forever.
    if id(node) in seen:
        return seen[id(node)]
    line = node.start_mark.line + 1
    short = node.tag[len(_YAML_PREFIX) :] if node.tag.startswith(_YAML_PREFIX) else ""
    tag = f"!!{short}" if short else node.tag  # as the user wrote it, in the usual case
    if isinstance(node, yaml.ScalarNode):
        if short not in _YAML_SCALAR_TAGS:
            report.error(line, f"the YAML tag {tag!r} is not allowed in a claims file", "yaml-tag")
        scalar = _Scalar(None if short == "null" else str(node.value), line)
        seen[id(node)] = scalar
        return scalar
    if isinstance(node, yaml.SequenceNode):
        if short != "seq":
            report.error(line, f"the YAML tag {tag!r} is not allowed in a claims file", "yaml-tag")
        seq = _Seq(line)
        seen[id(node)] = seq
        seq.items.extend(_from_yaml_node(item, report, seen) for item in node.value)
        return seq
    if short != "map" or not isinstance(node, yaml.MappingNode):
        report.error(line, f"the YAML tag {tag!r} is not allowed in a claims file", "yaml-tag")
    mapping = _Map(line)
    seen[id(node)] = mapping
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        key_line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode):
            report.error(
                key_line, "a field name must be a plain word, not a list or mapping", "key"
            )
        elif key.tag == _YAML_PREFIX + "merge":
            report.error(
                key_line,
                "YAML merge keys ('<<') are not supported in claims files; write the fields out",
                "yaml-merge",
            )
        else:
            mapping.items.append((str(key.value), key_line, _from_yaml_node(value, report, seen)))
    return mapping


# --- JSON ------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\n]+)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<word>-?Infinity|NaN|true|false|null)
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
      | (?P<mark>[{}\[\]:,])""",
    re.VERBOSE,
)


def _tree_from_json(text: str, report: _Report) -> _Node | None:
    if not text.strip():
        return None
    try:
        # Only the syntax is checked here; numbers stay text (a 5,000-digit integer would
        # otherwise hit Python's int-size limit with a bare ValueError).
        json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        report.error(exc.lineno, f"invalid JSON: {exc.msg}", "syntax", column=exc.colno)
        return None
    # The text is valid JSON now, so a tokenizer that only understands valid JSON is
    # enough to give every value the line it starts on.
    tokens: list[tuple[str, str, int]] = []
    line = 1
    for match in _JSON_TOKEN.finditer(text):
        kind = match.lastgroup or ""
        if kind == "space":
            line += match.group().count("\n")
        else:
            tokens.append((kind, match.group(), line))
    return _JsonReader(tokens).value()


class _JsonReader:
    """Recursive descent over the tokens of a valid JSON text."""

    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def value(self) -> _Node:
        kind, token, line = self.take()
        if token == "{":
            mapping = _Map(line)
            while self.tokens[self.pos][1] != "}":
                _, name, key_line = self.take()
                self.take()  # ':'
                mapping.items.append((json.loads(name), key_line, self.value()))
                if self.tokens[self.pos][1] == ",":
                    self.take()
            self.take()
            return mapping
        if token == "[":
            seq = _Seq(line)
            while self.tokens[self.pos][1] != "]":
                seq.items.append(self.value())
                if self.tokens[self.pos][1] == ",":
                    self.take()
            self.take()
            return seq
        if kind == "string":
            return _Scalar(json.loads(token), line)
        # Numbers and words are kept as typed, so "id": 1.50 is the id "1.50".
        return _Scalar(None if token == "null" else token, line)


# --- CSV -------------------------------------------------------------------------------


def _field_name(raw: str) -> str:
    """Field and column names forgive case, spaces and hyphens: ``Risk of bias``."""
    return re.sub(r"[\s\-]+", "_", raw.strip().lower())


def _column_name(header: str) -> str:
    name = _field_name(header)
    return _CSV_ALIASES.get(name, name)


def _sniff_delimiter(text: str) -> str:
    # The header is made of known names, so the delimiter is the one that splits the
    # first line into the most of them: comma, tab (.tsv) or semicolon (Excel in many
    # European locales).
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_score = ",", -1
    for delimiter in (",", "\t", ";"):
        cells = [_column_name(cell.strip().strip('"')) for cell in first.split(delimiter)]
        score = sum(cell in _CSV_COLUMNS for cell in cells)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@dataclass(slots=True)
class _CsvClaim:
    line: int
    claim_id: str
    cells: dict[str, tuple[str, int]] = field(default_factory=dict)  # column: text, line
    citations: list[_Node] = field(default_factory=list)


def _tags_of_cell(cell: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in cell.split(";") if tag.strip())


def _tree_from_csv(text: str, report: _Report) -> _Node | None:
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
        name = _column_name(raw)
        if not name:
            continue
        if name in columns:
            report.error(header_line, f"the column {raw.strip()!r} appears twice", "csv-header")
        elif name in _CSV_COLUMNS:
            columns[name] = index
        else:
            guess = _closest(name, _CSV_COLUMNS)
            hint = f" (did you mean {guess!r}?)" if guess else ""
            report.warn(
                header_line, f"unknown column {raw.strip()!r}{hint}; it is ignored", "unknown-field"
            )
    for required in ("claim_id", "text"):
        if required not in columns:
            report.error(
                header_line,
                f"the header has no {required!r} column; the first row must name the "
                f"columns: {', '.join(_CSV_COLUMNS)}",
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
        value = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
        claim_id = value["claim_id"].strip()
        if claim_id:
            group = groups.setdefault(claim_id, _CsvClaim(line, claim_id))
        elif current is not None and not value["text"].strip():
            group = current  # neither id nor text: the row adds a citation to the claim above
        else:
            report.error(line, "this row has no claim id; give every claim an id", "missing-field")
            continue
        current = group
        for name in _CSV_CLAIM_COLUMNS[1:]:
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
        citation_cells = [n for n in _CITATION_FIELDS if n in value and value[n].strip()]
        if key:
            group.citations.append(
                _Map(
                    line,
                    [
                        (name, line, _Scalar(value[name] if value[name].strip() else None, line))
                        for name in _CITATION_FIELDS
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

    claims = _Seq(header_line)
    for group in groups.values():
        claim = _Map(group.line, [("id", group.line, _Scalar(group.claim_id, group.line))])
        given = group.cells
        if "text" in given:
            claim.items.append(("text", given["text"][1], _Scalar(*given["text"])))
        if "tags" in given:
            tags_text, tags_line = given["tags"]
            tags = [_Scalar(tag, tags_line) for tag in _tags_of_cell(tags_text)]
            claim.items.append(("tags", tags_line, _Seq(tags_line, list(tags))))
        if "certainty" in given or "certainty_reason" in given:
            level_line = min(given[n][1] for n in ("certainty", "certainty_reason") if n in given)
            judgement = _Map(level_line)
            for column, name in (("certainty", "level"), ("certainty_reason", "reason")):
                if column in given:
                    judgement.items.append((name, given[column][1], _Scalar(*given[column])))
            claim.items.append(("certainty", level_line, judgement))
        if "claim_note" in given:
            claim.items.append(("note", given["claim_note"][1], _Scalar(*given["claim_note"])))
        claim.items.append(("citations", group.line, _Seq(group.line, group.citations)))
        claims.items.append(claim)
    return _Map(header_line, [("claims", header_line, claims)])


# --- from the tree to records ----------------------------------------------------------

_E = TypeVar("_E", bound=Enum)


class _Fields:
    """The fields of one mapping, by normalised name, after duplicate and unknown checks."""

    def __init__(self, node: _Map, allowed: Sequence[str], what: str, report: _Report) -> None:
        self.node = node
        self.found: dict[str, tuple[int, _Node]] = {}
        self.unknown: list[tuple[str, str, int]] = []  # normalised, as typed, line
        for raw, line, value in node.items:
            name = _field_name(raw)
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
            guess = _closest(name, allowed)
            if guess:
                hint = f" (did you mean {guess!r}?)"
            elif name in _WHERE_FIELDS_BELONG:
                hint = f" ({name!r} belongs in {_WHERE_FIELDS_BELONG[name]}; check the indentation)"
            else:
                hint = ""
            report.warn(line, f"unknown field {raw!r} in {what}{hint}", "unknown-field")

    def get(self, name: str) -> _Node | None:
        entry = self.found.get(name)
        return entry[1] if entry else None

    def typo_hint(self, name: str) -> str:
        """`` (is 'stnace' at line 12 a typo?)`` when an unknown field is close to ``name``."""
        for normal, raw, line in self.unknown:
            if difflib.get_close_matches(name, [normal], n=1, cutoff=0.6):
                return f" (is {raw!r} at line {line} a typo?)"
        return ""


def _text(node: _Node | None, what: str, report: _Report) -> str:
    """An optional free-text value: ``""`` when absent, empty or the wrong type."""
    if node is None:
        return ""
    if isinstance(node, _Scalar):
        return (node.text or "").strip()
    report.error(node.line, f"{what} must be text, not {_describe(node)}", "wrong-type")
    return ""


def _required_text(fields: _Fields, name: str, what: str, report: _Report) -> str | None:
    node = fields.get(name)
    if node is None:
        hint = fields.typo_hint(name)
        report.error(fields.node.line, f"{what} has no {name!r}{hint}", "missing-field")
        return None
    if not isinstance(node, _Scalar):
        report.error(
            node.line,
            f"the {name!r} of {what} must be text, not {_describe(node)}",
            "wrong-type",
        )
        return None
    value = (node.text or "").strip()
    if not value:
        report.error(node.line, f"the {name!r} of {what} is empty", "missing-field")
        return None
    return value


def _choice(
    node: _Node | None,
    parse: Callable[[str], _E],
    accepted: Sequence[str],
    what: str,
    where: str,
    report: _Report,
) -> _E | None:
    """A value from a closed list, with the list (and a near miss) in the message."""
    if node is None:
        return None
    if not isinstance(node, _Scalar):
        report.error(node.line, f"{what} must be one word, not {_describe(node)}", "wrong-type")
        return None
    if node.text is None or not node.text.strip():
        return None
    try:
        return parse(node.text)
    except ValueError:
        typed = node.text.strip()
        guess = _closest(_field_name(typed).replace("_", " "), accepted)
        hint = f" (did you mean {guess!r}?)" if guess else ""
        report.error(
            node.line,
            f"unknown {what} {typed!r} in {where}; use one of: {', '.join(accepted)}{hint}",
            "bad-value",
        )
        return None


def _design(text: str) -> StudyDesign:
    # US spelling is the norm in many journals; the vocabulary itself is British.
    spelled = re.sub(r"randomiz", "randomis", text, flags=re.IGNORECASE)
    return StudyDesign(StudyDesign.parse(spelled).value)


# Plain decimal notation only: no YAML 1.1 octal (012), hex, underscores, inf or nan.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _count(node: _Node | None, what: str, report: _Report) -> int | None:
    """A non-negative whole number read from the text as typed (always decimal)."""
    if node is None:
        return None
    if not isinstance(node, _Scalar):
        report.error(node.line, f"{what} must be a number, not {_describe(node)}", "bad-number")
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
    if number > _MAX_COUNT:
        report.error(node.line, f"{what} is implausibly large ({typed})", "bad-number")
        return None
    if number != number.to_integral_value():
        report.error(
            node.line, f"{what} must be a whole number, not a fraction ({typed})", "bad-number"
        )
        return None
    return int(number)


_STANCES = tuple(s.value for s in Stance)
_LEVELS = tuple(c.label for c in Certainty)
_RISKS = tuple(r.label for r in RiskOfBias)
_DESIGNS = tuple(d.value for d in StudyDesign)


def _claims_from_tree(root: _Node | None, report: _Report) -> list[Claim]:
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
    if not isinstance(root, _Map):
        report.error(
            root.line,
            f"the top level must be a mapping with a 'claims' list (start the file with "
            f"'claims:'), not {_describe(root)}",
            "top-level",
        )
        return []
    fields = _Fields(root, _TOP_FIELDS, "the top level", report)
    title = fields.get("title")
    if isinstance(title, _Scalar) and title.text:
        report.title = " ".join(title.text.split())
    version = fields.get("version")
    if version is not None and not (isinstance(version, _Scalar) and version.text in ("1", None)):
        report.error(
            version.line,
            f"unsupported claims file version {_describe(version)}; this library reads version 1",
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
    if isinstance(items, _Scalar) and items.text is None:
        items = _Seq(items.line)
    if not isinstance(items, _Seq):
        report.error(
            items.line, f"'claims' must be a list of claims, not {_describe(items)}", "wrong-type"
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


def _claim(node: _Node, number: int, report: _Report) -> tuple[str | None, Claim | None]:
    """The claim's id (when it has a usable one) and the claim (when it has no errors)."""
    if not isinstance(node, _Map):
        report.error(
            node.line,
            f"claim {number} must be a mapping with 'id' and 'text', not {_describe(node)}",
            "wrong-type",
        )
        return None, None
    errors = report.errors
    fields = _Fields(node, _CLAIM_FIELDS, "claim", report)
    claim_id = _required_text(fields, "id", f"claim {number}", report)
    what = f"claim {claim_id!r}" if claim_id else f"claim {number}"
    text = _required_text(fields, "text", what, report)
    tags = _tags(fields.get("tags"), what, report)
    certainty = _certainty(fields.get("certainty"), what, report)
    note = _text(fields.get("note"), f"the note of {what}", report)
    citations: list[Citation] = []
    cited = fields.get("citations")
    if isinstance(cited, _Seq):
        for item in cited.items:
            citation = _citation(item, what, report)
            if citation is not None:
                citations.append(citation)
        _warn_duplicate_citations(citations, what, report)
    elif cited is not None and not (isinstance(cited, _Scalar) and cited.text is None):
        report.error(
            cited.line,
            f"the citations of {what} must be a list (e.g. citations: [katz2003]), "
            f"not {_describe(cited)}",
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
    )


def _tags(node: _Node | None, what: str, report: _Report) -> tuple[str, ...]:
    if node is None or (isinstance(node, _Scalar) and node.text is None):
        return ()
    if not isinstance(node, _Seq):
        report.error(
            node.line,
            f"the tags of {what} must be a list (e.g. tags: [diagnosis, fusion]), "
            f"not {_describe(node)}",
            "wrong-type",
        )
        return ()
    tags: list[str] = []
    for item in node.items:
        tag = item.text.strip() if isinstance(item, _Scalar) and item.text else ""
        if not isinstance(item, _Scalar):
            report.error(item.line, f"a tag of {what} must be text, not {_describe(item)}", "tag")
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


def _certainty(node: _Node | None, what: str, report: _Report) -> CertaintyJudgement | None:
    if node is None or (isinstance(node, _Scalar) and node.text is None):
        return None
    reason_name = "certainty_reason" if report.csv else "reason"
    if isinstance(node, _Scalar):
        report.error(
            node.line,
            f"the certainty of {what} needs a reason as well as a level: write "
            f"certainty: {{level: {(node.text or '').strip()}, reason: ...}}",
            "certainty-reason",
        )
        return None
    if isinstance(node, _Seq):
        report.error(
            node.line,
            f"the certainty of {what} must be a mapping with level and reason, not a list",
            "wrong-type",
        )
        return None
    fields = _Fields(node, _CERTAINTY_FIELDS, "certainty", report)
    level_node = fields.get("level")
    level = _choice(level_node, Certainty.parse, _LEVELS, "certainty level", what, report)
    if level_node is None or (
        isinstance(level_node, _Scalar) and not (level_node.text or "").strip()
    ):
        report.error(
            node.line,
            f"the certainty of {what} has no level; use one of: {', '.join(_LEVELS)}",
            "missing-field",
        )
    reason_node = fields.get("reason")
    reason = _text(reason_node, f"the certainty reason of {what}", report)
    if not reason and (reason_node is None or isinstance(reason_node, _Scalar)):
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


def _citation(node: _Node, claim: str, report: _Report) -> Citation | None:
    if isinstance(node, _Scalar):
        bare = (node.text or "").strip()
        if not bare:
            report.error(node.line, f"{claim} has an empty citation", "missing-field")
            return None
        # The shorthand: a bare key says only "cited here"; see the module docstring.
        return Citation(key=bare, stance=Stance.UNKNOWN, location=report.at(node.line))
    if isinstance(node, _Seq):
        report.error(
            node.line,
            f"a citation of {claim} must be a key or a mapping with 'key' and 'stance', not a list",
            "wrong-type",
        )
        return None
    errors = report.errors
    fields = _Fields(node, _CITATION_FIELDS, "citation", report)
    key = _required_text(fields, "key", f"a citation of {claim}", report)
    what = f"citation {key!r} of {claim}" if key else f"a citation of {claim}"
    stance_node = fields.get("stance")
    stance = _choice(stance_node, Stance.parse, _STANCES, "stance", what, report)
    if stance_node is None or (
        isinstance(stance_node, _Scalar) and not (stance_node.text or "").strip()
    ):
        report.error(
            node.line,
            f"{what} has no stance{fields.typo_hint('stance')}; write one of: "
            f"{', '.join(_STANCES)} (unknown = not yet reviewed)",
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
    design = _choice(fields.get("design"), _design, _DESIGNS, "study design", what, report)
    risk = _choice(
        fields.get("risk_of_bias"), RiskOfBias.parse, _RISKS, "risk of bias", what, report
    )
    finding, outcome, locator, quote, note = (
        _text(fields.get(name), f"the {name} of {what}", report)
        for name in ("finding", "outcome", "locator", "quote", "note")
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
    )


def _warn_duplicate_citations(citations: list[Citation], what: str, report: _Report) -> None:
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


# --- writing ---------------------------------------------------------------------------


def _normalised(claim: Claim) -> Claim:
    """The claim as it reads back from a file: text fields stripped, as the reader does."""
    citations = tuple(
        replace(
            c,
            key=c.key.strip(),
            finding=c.finding.strip(),
            outcome=c.outcome.strip(),
            locator=c.locator.strip(),
            quote=c.quote.strip(),
            note=c.note.strip(),
            design=c.design.strip() if c.design is not None else None,
        )
        for c in claim.citations
    )
    certainty = claim.certainty
    if certainty is not None:
        certainty = CertaintyJudgement(certainty.level, certainty.reason.strip())
    return replace(
        claim,
        id=claim.id.strip(),
        text=claim.text.strip(),
        tags=tuple(tag.strip() for tag in claim.tags),
        note=claim.note.strip(),
        certainty=certainty,
        citations=citations,
    )


def _citation_fields(citation: Citation) -> dict[str, Any]:
    fields: dict[str, Any] = {"key": citation.key, "stance": Stance(citation.stance).value}
    for name in ("finding", "n", "events", "outcome", "locator", "quote", "design"):
        value = getattr(citation, name)
        if value is not None and value != "":
            fields[name] = value
    if citation.risk_of_bias is not None:
        fields["risk_of_bias"] = RiskOfBias(citation.risk_of_bias).label
    if citation.note:
        fields["note"] = citation.note
    return fields


class _Tags(list[str]):
    """Tags, written in YAML's compact flow style: ``tags: [a, b]``."""


def _document(claims: Sequence[Claim], flow_tags: bool) -> dict[str, Any]:
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
    return dumper.represent_scalar(_YAML_PREFIX + "str", text, style=style)


def _yaml_tags(dumper: yaml.SafeDumper, tags: _Tags) -> yaml.SequenceNode:
    return dumper.represent_sequence(_YAML_PREFIX + "seq", tags, flow_style=True)


_YamlWriter.add_representer(str, _yaml_str)
_YamlWriter.add_representer(_Tags, _yaml_tags)

_YAML_HEADER = (
    "# Claims file (evidence, format version 1).\n"
    "# stance: supports | contradicts | mixed | background | unknown (not yet reviewed)\n"
)


def _write_yaml(claims: Sequence[Claim]) -> str:
    body = yaml.dump(
        _document(claims, flow_tags=True),
        Dumper=_YamlWriter,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=88,
    )
    return _YAML_HEADER + body


def _write_json(claims: Sequence[Claim]) -> str:
    return json.dumps(_document(claims, flow_tags=False), ensure_ascii=False, indent=2) + "\n"


_CSV_WRITE_ORDER = _CSV_CLAIM_COLUMNS + _CITATION_FIELDS


def _write_csv(claims: Sequence[Claim], delimiter: str) -> str:
    buffer = io.StringIO()
    # The default "\r\n" row ending (RFC 4180) also makes the writer quote cells holding a
    # lone "\r"; with "\n" such a cell would be written bare and split the row.
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(_CSV_WRITE_ORDER)
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
            cells = [str(fields.get(name, "")) for name in _CITATION_FIELDS]
            writer.writerow((head if index == 0 else rest) + cells)
    return buffer.getvalue()
