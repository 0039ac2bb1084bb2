"""Person names in BibTeX ``author`` and ``editor`` fields: split into First, von, Last, Jr.

The rules are BibTeX's, as pybtex implements them (``tests/test_references.py`` checks the
two agree on every name of the real exports): ``and`` outside braces separates names, commas
separate a name's parts, a word starting in lower case starts the "von" part, and a name in
one brace group is a collective author. They are written out here because building pybtex
``Person`` objects is a third of pybtex's parse time. What real exports get wrong (names
separated by commas, ``et al.`` spelled out) is read as meant and noted. Stage 2: imports
``evidence.errors``, ``evidence.model`` and the LaTeX decoder beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from evidence.bibliography.latex import LatexDecoder, decode_latex, needs_decoding
from evidence.errors import Severity
from evidence.model import Name

__all__ = ["Decode", "NameNote", "NameSplitter", "ends_with_others", "parse_names"]

#: How a name's LaTeX becomes text: :func:`~evidence.bibliography.latex.decode_latex`, or a
#: reader's own :class:`~evidence.bibliography.latex.LatexDecoder`.
Decode = Callable[[str], str]

_ERROR = Severity.ERROR
_WARNING = Severity.WARNING


@dataclass(frozen=True, slots=True)
class NameNote:
    """Something odd about an author or editor list: what was done, and how bad it is."""

    message: str
    severity: Severity


def _top_level_splitter(separator: str) -> Callable[[str], list[str]]:
    """A function splitting text at ``separator`` where it is outside braces."""
    plain = re.compile(separator, re.IGNORECASE)
    combined = re.compile(rf"(\{{)|(\}})|{separator}", re.IGNORECASE)

    def split(text: str) -> list[str]:
        if "{" not in text:
            return plain.split(text)
        parts: list[str] = []
        depth = 0
        start = 0
        for match in combined.finditer(text):
            if match.group(1):
                depth += 1
            elif match.group(2):
                depth = max(depth - 1, 0)
            elif depth == 0:
                parts.append(text[start : match.start()])
                start = match.end()
        parts.append(text[start:])
        return parts

    return split


_split_and = _top_level_splitter(r"(?:^|\s+)and(?:\s+|$)")
_split_commas = _top_level_splitter(r",")
_split_words_raw = _top_level_splitter(r"(?:\\ |\s|(?<!\\)~)+")
_ET_AL = re.compile(r"et\.?,?\s*a\.?\s*l\.?|et\s+al\.?", re.IGNORECASE)
_JR = re.compile(r"(?:jr|sr|jnr|snr)\.?|[IVX]+|\d+(?:st|nd|rd|th)\.?", re.IGNORECASE)
_INITIALS = re.compile(r"(?:[A-Z]\.?(?:-?[A-Z]\.?)*[\s.]*)+")


def _words(text: str) -> list[str]:
    return [w for w in _split_words_raw(text) if w]


def _is_von(word: str) -> bool:
    """Whether a name word counts as lower case for BibTeX (starts the "von" part)."""
    first = word[0]
    if first.isupper():
        return False
    if first.islower():
        return True
    depth = 0
    for index, char in enumerate(word):
        if char == "{":
            depth += 1
            if depth == 1 and word[index + 1 : index + 2] == "\\":
                return _special_is_lower(word, index + 2)
        elif char == "}":
            depth -= 1
        elif depth == 0 and char.isalpha():
            return char.islower()
    return False


def _special_is_lower(word: str, start: int) -> bool:
    # ``{\'e}`` is lower case, ``{\"O}`` upper; a control word alone (``{\O}``, ``{\ss}``)
    # counts as upper case, as in pybtex.
    in_control_word = True
    for char in word[start:]:
        if char == "}":
            return False
        if in_control_word:
            if not char.isalpha():
                in_control_word = False
        elif char.isalpha():
            return char.islower()
    return False


def _split_von_last(words: list[str]) -> tuple[list[str], list[str]]:
    """von and Last parts: von runs to the last lower-case word before the final word."""
    for index in range(len(words) - 2, -1, -1):
        if _is_von(words[index]):
            return words[: index + 1], words[index + 1 :]
    return [], words


def _is_one_group(text: str) -> bool:
    """``{World Health Organization}``: one brace group spanning the whole text."""
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return True


def _name_from_parts(parts: list[str], decode: Decode, plain: bool = False) -> Name:
    """A name from its comma-separated parts (one, two or three of them).

    ``plain`` says the text has no braces, commands or ties, so words split on spaces and
    need no decoding: the common case, kept fast.
    """
    split = str.split if plain else _words
    join: Callable[[list[str]], str] = " ".join if plain else lambda w: decode(" ".join(w))
    if len(parts) == 1:
        words = split(parts[0])
        index = next((i for i, w in enumerate(words) if _is_von(w)), len(words))
        first, von_last = words[:index], words[index:]
        if not von_last and first:
            von_last = [first.pop()]
        von, last = _split_von_last(von_last)
        return Name(last=join(last), first=join(first), von=join(von))
    von, last = _split_von_last(split(parts[0]))
    jr = split(parts[1]) if len(parts) == 3 else []
    return Name(last=join(last), first=join(split(parts[-1])), von=join(von), jr=join(jr))


_OTHERS = re.compile(r"\band\s+(?:others|et\.?\s*al\.?)\s*$", re.IGNORECASE)


def ends_with_others(text: str) -> bool:
    """True when an author list ends ``and others``: the list is not complete (et al.)."""
    return _OTHERS.search(text) is not None


def parse_names(
    text: str, decode: Decode = decode_latex
) -> tuple[tuple[Name, ...], list[NameNote]]:
    """Split an ``author``/``editor`` value into names, with notes on anything odd.

    ``and others`` is dropped (the raw field keeps it); a name in one brace group is a
    collective author; ``American College of Surgeons,`` (EndNote's corporate form) too.
    ``decode`` turns each part's LaTeX into text (a reader passes its own decoder).

    >>> names, notes = parse_names(r"M{\\"u}ller, Hans and {World Health Organization}")
    >>> [str(n) for n in names], notes
    (['Hans Müller', 'World Health Organization'], [])
    """
    names: list[Name] = []
    notes: list[NameNote] = []
    plain = not needs_decoding(text)
    for piece in _split_and(text):
        name = piece.strip()
        if not name:
            if text.strip():
                notes.append(_EMPTY_NAME)
            continue
        found, noted = _read_name(name, plain, decode)
        names += found
        notes += noted
    return tuple(names), notes


_EMPTY_NAME = NameNote("an empty name (two 'and' in a row?) was skipped", _WARNING)
_NOTHING: tuple[NameNote, ...] = ()


def _read_name(
    name: str, plain: bool, decode: Decode
) -> tuple[tuple[Name, ...], tuple[NameNote, ...]]:
    """The names (usually one) in ``name``, the text between two ``and``; ``plain`` says
    the whole field has nothing to decode."""
    if not plain and _is_one_group(name):
        return (Name(last=decode(name), collective=True),), _NOTHING
    if name[:2].lower() == "et" and _ET_AL.fullmatch(name):
        return (), (NameNote(f"'{name}' read as 'and others'; write 'and others'", _WARNING),)
    parts = [p.strip() for p in (name.split(",") if plain else _split_commas(name))]
    if len(parts) == 2 and parts[1]:
        return (_name_from_parts(parts, decode, plain),), _NOTHING  # "Last, First": most names
    if len(parts) == 1 and name.lower() == "others":
        return (), _NOTHING
    if len(parts) == 2 and len(_words(parts[0])) > 1:
        return (Name(last=decode(parts[0]), collective=True),), _NOTHING
    if len(parts) < 3 or (len(parts) == 3 and _JR.fullmatch(parts[1])):
        return (_name_from_parts(parts, decode, plain),), _NOTHING
    recovered, note = _split_comma_list(name, parts, decode)
    if note is None:  # "Last, Jr, First" after all
        return (_name_from_parts(parts, decode, plain),), _NOTHING
    return tuple(recovered), (note,)


class NameSplitter:
    """:func:`parse_names` for one load, splitting each distinct name once.

    A bibliography names the same people again and again (the 7,166-entry Zotero export
    has 42,153 names, 23,650 of them distinct; generated files far fewer): a reader owns
    one splitter per load, which keeps what each name between ``and`` gave -- the names
    (frozen, so shared), the notes, and the LaTeX commands the decoder could not read, so
    that a name read again reports them again. The memory goes with the splitter.
    """

    __slots__ = ("_decoder", "_read")

    def __init__(self, decoder: LatexDecoder) -> None:
        self._decoder = decoder
        self._read: dict[str, tuple[tuple[Name, ...], tuple[NameNote, ...], tuple[str, ...]]] = {}

    def parse(self, text: str) -> tuple[tuple[Name, ...], list[NameNote]]:
        """``parse_names(text, decoder.decode)``, the same result."""
        names: list[Name] = []
        notes: list[NameNote] = []
        memory = self._read
        unknown = self._decoder.unknown
        for piece in _split_and(text):
            name = piece.strip()
            if not name:
                if text.strip():
                    notes.append(_EMPTY_NAME)
                continue
            known = memory.get(name)
            if known is None:
                known = self._learn(name)
            names += known[0]
            if known[1]:
                notes += known[1]
            if known[2]:
                unknown += known[2]
        return tuple(names), notes

    def _learn(self, name: str) -> tuple[tuple[Name, ...], tuple[NameNote, ...], tuple[str, ...]]:
        # Whether the whole field is plain does not change how one name reads: a name with
        # nothing to decode reads the same either way, and a name with something to decode
        # is never in a plain field. So the name alone is the key, and is itself asked.
        unknown = self._decoder.unknown
        before = len(unknown)
        found, notes = _read_name(name, not needs_decoding(name), self._decoder.decode)
        learnt = self._read[name] = (found, notes, tuple(unknown[before:]))
        del unknown[before:]  # parse() adds them, as for a name read before
        return learnt


def _split_comma_list(
    text: str, parts: list[str], decode: Decode
) -> tuple[list[Name], NameNote | None]:
    """Names from ``Miller, D., Firby, J.`` or ``Ann Lee, Bo Chen``: commas for ``and``.

    Three parts whose middle is not a "Jr" are split only when each is clearly a whole
    name; otherwise (note ``None``) they are BibTeX's "von Last, Jr, First".
    """
    segments = [p for p in parts if p]
    if all(_is_one_group(s) or len(_words(s)) > 1 for s in segments) and not any(
        _INITIALS.fullmatch(s) for s in segments
    ):
        names = [
            Name(last=decode(s), collective=True)
            if _is_one_group(s)
            else _name_from_parts([s], decode)
            for s in segments
        ]
        how = "each part between commas as one name"
    elif len(segments) % 2 == 0 and all(
        _INITIALS.fullmatch(s) or len(_words(s)) <= 2 for s in segments[1::2]
    ):
        names = [
            _name_from_parts([last, first], decode)
            for last, first in zip(segments[::2], segments[1::2], strict=True)
        ]
        how = "as 'Last, First' pairs"
    elif len(parts) == 3:
        return [], None
    else:
        names = [_name_from_parts([parts[0], parts[1], " ".join(parts[2:])], decode)]
        listed = f"'{text}'"
        return names, NameNote(
            f"too many commas in {listed}; it could not be split into names and was read as "
            f"one ('{names[0]}'). Separate names with 'and'",
            _ERROR,
        )
    listed = "; ".join(str(n) for n in names)
    return names, NameNote(
        f"names separated by commas instead of 'and' in '{text}'; read {how}: {listed}. "
        "Separate names with 'and'",
        _ERROR,
    )


# --- LaTeX -> Unicode --------------------------------------------------------------------
