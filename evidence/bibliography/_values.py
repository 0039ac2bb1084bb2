"""Values as reference managers export them: names, dates, page ranges and CSL rich text.

Shared by the RIS, CSL-JSON, MEDLINE and EndNote XML readers (through ``_records``); pure
and stdlib-only. May import ``evidence.model``.
"""

from __future__ import annotations

import re

from evidence.model import Name

__all__ = ["html_to_text", "is_et_al", "page_range", "parse_date", "parse_name", "split_von"]


_TAG = re.compile(r"<[^<>]{0,200}>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,10});")


def html_to_text(text: str) -> str:
    """CSL rich text (``<i>``, ``<sup>``, ``<span class="nocase">``) and entities as plain
    text with single spaces: ``"<i>E. coli</i> &amp; mice"`` gives ``"E. coli & mice"``."""
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        import html

        text = html.unescape(text) if _ENTITY.search(text) else text
    return " ".join(text.split())


# --- names -----------------------------------------------------------------------------------

_INITIALS_ONLY = re.compile(r"[A-Z]{1,4}")
_JR = re.compile(r"(?:jr|sr|jnr|snr)\.?|[IVX]{1,4}|\d(?:st|nd|rd|th)", re.IGNORECASE)
_ET_AL = re.compile(r"et\.?\s*al\.?|others|\.\.\.", re.IGNORECASE)
_CORPORATE = re.compile(
    r"\b(?:group|consortium|organi[sz]ation|committee|society|association|collaborat\w*|"
    r"investigators|team|council|network|institute|agency|foundation|project|working|"
    r"task force|centre|center|panel|program(?:me)?|study)\b",
    re.IGNORECASE,
)


def is_et_al(text: str) -> bool:
    """Whether an author value stands for "and others" rather than a person."""
    return _ET_AL.fullmatch(text.strip()) is not None


def split_von(last: str) -> tuple[str, str]:
    """``(von, last)`` by BibTeX's rule, so every reader splits a surname alike: the von
    part runs to the last word that starts in lower case, the final word excluded.

    >>> split_von("van der Maas"), split_von("De la Cruz Valencia"), split_von("Maas")
    (('van der', 'Maas'), ('De la', 'Cruz Valencia'), ('', 'Maas'))
    """
    words = last.split()
    lower = [i for i, word in enumerate(words[:-1]) if word[:1].islower()]
    if not lower:
        return "", " ".join(words)
    return " ".join(words[: lower[-1] + 1]), " ".join(words[lower[-1] + 1 :])


def _expand_initials(text: str) -> str:
    """``PC`` -> ``P. C.`` (MEDLINE's ``AU`` form gives initials run together)."""
    return " ".join(f"{letter}." for letter in text)


def parse_name(text: str) -> Name | None:
    """A person (or a group) from one exported author value, or ``None`` for an empty one.

    Handles ``Last, First``, ``Last, First, Jr.``, ``van der Maas, M``, MEDLINE's
    ``Liliang PC``, ``First Last`` and corporate names (a trailing comma, or words such
    as "Group" or "Consortium").

    >>> parse_name("van der Maas, M")
    Name(last='Maas', first='M', von='van der', jr='', collective=False)
    >>> parse_name("Liliang PC").first
    'P. C.'
    """
    value = " ".join(text.split()).strip()
    if not value:
        return None
    if value.endswith(",") and "," not in value[:-1]:  # EndNote's corporate author
        return Name(value[:-1].strip(), collective=True)
    if "," in value:
        parts = [p.strip() for p in value.split(",")]
        last_part, rest = parts[0], [p for p in parts[1:] if p]
        jr = ""
        if rest and _JR.fullmatch(rest[-1]) and len(rest) > 1:
            jr = rest.pop()  # RIS order: Last, First, Suffix
        elif rest and _JR.fullmatch(rest[0]) and len(rest) > 1:
            jr = rest.pop(0)  # BibTeX order: Last, Jr, First
        first = " ".join(rest)
        if not last_part:
            return Name(first, collective=True) if first else None
        von, last = split_von(last_part)
        return Name(last, first, von, jr)
    words = value.split()
    if len(words) > 4 or _CORPORATE.search(value):
        return Name(value, collective=True)
    if len(words) == 1:
        return Name(value)
    if len(words) <= 3 and _INITIALS_ONLY.fullmatch(words[-1]):
        # MEDLINE ``AU``: surname(s) then initials run together.
        von, last = split_von(" ".join(words[:-1]))
        return Name(last, _expand_initials(words[-1]), von)
    # "Ludwig van Beethoven", "Maria de la Fuente Garcia": the given names run to the first
    # lower-case word, the von part to the last one (BibTeX's rule).
    lower = [i for i, word in enumerate(words[1:-1], start=1) if word[:1].islower()]
    if not lower:
        return Name(words[-1], " ".join(words[:-1]))
    first = " ".join(words[: lower[0]])
    return Name(" ".join(words[lower[-1] + 1 :]), first, " ".join(words[lower[0] : lower[-1] + 1]))


# --- dates and pages -------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_SEASONS = frozenset({"spring", "summer", "autumn", "fall", "winter", "spr", "sum", "fal", "win"})
_WORD = re.compile(r"[A-Za-z]+")
_NUMBER = re.compile(r"\d+")


def parse_date(text: str) -> tuple[int | None, int | None, bool]:
    """``(year, month, understood)`` from an exported date.

    Reads ``2011``, ``2011/04/15``, ``2019/09//undefined`` (Mendeley), ``2024///`` (Ovid),
    ``2011-04``, ``2016 May 28`` and ``2011 Apr-Jun`` (PubMed), ``SEP`` (Web of Science, a
    month alone) and ``Spring 2016``. ``understood`` is false when the text has neither a
    year nor a month (a season alone, ``SPR``, is understood: it has no month), or when a
    month written as a number is not 1-12.

    >>> parse_date("2019/09//undefined"), parse_date("2016 May 28"), parse_date("SEP")
    ((2019, 9, True), (2016, 5, True), (None, 9, True))
    """
    value = text.strip()
    if not value:
        return None, None, True
    found = _YEAR.search(value)
    year = int(found.group(1)) if found else None
    month: int | None = None
    for word in _WORD.findall(value):
        month = _MONTHS.get(word.lower())
        if month is not None:
            break
    else:
        if found is not None:
            rest = value[found.end() :]
            number = _NUMBER.search(rest)
            # Only a number right after the year's separator is a month ("2011/04", not
            # the "15" of "2011 Spring 15").
            if number is not None and rest[: number.start()].strip() in {"/", "-", "."}:
                candidate = int(number.group())
                if not 1 <= candidate <= 12:
                    return year, None, False
                month = candidate
    season = any(word.lower() in _SEASONS for word in _WORD.findall(value))
    return year, month, year is not None or month is not None or season


_END = r"([A-Za-z]?\d+[A-Za-z]?)"
_RANGE = re.compile(rf"^\s*{_END}\s*(?:-{{1,2}}|\u2013|\u2014)\s*{_END}\s*$")


def page_range(first: str, last: str = "") -> str:
    """Pages as BibTeX readers show them: ``565\u2013570`` (an en dash between the ends).

    >>> page_range("565", "570") == "565\u2013570", page_range("565-70"), page_range("e1002")
    (True, '565\u201370', 'e1002')
    """
    first, last = first.strip(), last.strip()
    if last and last != first and not _RANGE.match(first):
        first = f"{first}-{last}"
    found = _RANGE.match(first)
    return f"{found.group(1)}\u2013{found.group(2)}" if found else first
