"""Text helpers shared by the readers and the assessment: sentences and folding.

``sentence_spans`` is linear in the paragraph's length; ``fold`` is the one accent- and
case-folding rule (NFKD, combining marks dropped, casefolded). Pure and stdlib-only.
"""

from __future__ import annotations

import re
import unicodedata


def word_set(text: str) -> frozenset[str]:
    """The white-space separated words of ``text`` (word lists read best as prose)."""
    return frozenset(text.split())


def fold(text: str) -> str:
    """``text`` without accents, case-folded: ``fold("Müller") == "muller"``.

    >>> fold("García-Márquez")
    'garcia-marquez'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed.casefold()  # nothing to drop: skip the per-character loop
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Abbreviations after which a full stop does not end a sentence (compared lower-cased,
# with the full stop).
ABBREVIATIONS = word_set(
    """
    al. e.g. i.e. cf. vs. viz. fig. figs. tab. eq. eqs. ref. refs. no. nos. vol.
    vols. p. pp. ch. chap. sec. sect. suppl. approx. ca. resp. dr. mr. mrs. ms. prof. st.
    jr. sr. inc. ltd. co. corp. dept. univ. ed. eds. min. max. mo. yr. yrs. wk. wks. hr.
    hrs. jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec. u.s. u.k. e.u.
    ph.d. m.d. a.k.a. n.b. op. cit. ibid. approx. avg. est. incl. excl. mg. kg. ml.
    """
)


# --- sentences -----------------------------------------------------------------------------

# A run of sentence punctuation, taken whole (possessive) and only from its first character
# (the look-behind): a regex that may start inside a run, or give characters back, tries
# every suffix of a long run of dots, which made "x" + "." * 16000 + "y" quadratic.
# The look-behind is written after the first character (``[.](?<![.][.])`` is ``(?<![.])[.]``)
# so that the engine skips ahead to sentence punctuation in C.
_BOUNDARY = re.compile(
    r"[.!?\u2026](?<![.!?\u2026][.!?\u2026])[.!?\u2026]*+"
    r"(?P<close>[\"'\u201d\u2019)\]]*+)(?=\s|$)"
)
_INITIAL = re.compile(r"[A-Z]\.")
_NON_SPACE = re.compile(r"\S")
_OPENERS = "\"'\u201c\u2018([*_"
# The longest token that can be an abbreviation or an initial is far shorter than this;
# looking no further back keeps each boundary's work bounded.
_TOKEN_LOOKBACK = 32


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences in ``text[start:end]`` (one paragraph).

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (and closing quotes or brackets) that
    is followed by white space and then a capital letter, a digit, a quote or an opening
    bracket, or by the end; not after an abbreviation (``et al.``, ``e.g.``, ``Fig.``...)
    nor after an initial that is followed by another initial or a name. Spans exclude
    the surrounding white space.

    The work is linear in the length of the paragraph: each boundary looks at a bounded
    number of characters around it, never at the rest of the paragraph.

    >>> text = "Katz et al. found pain in 32%. It was 1.5 times (Fig. 2). Done"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Katz et al. found pain in 32%.', 'It was 1.5 times (Fig. 2).', 'Done']
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _BOUNDARY.finditer(text, start, stop):
        after = match.end()
        found = _NON_SPACE.search(text, after, stop)
        following = found.start() if found is not None else stop
        if following < stop:
            first = text[following]
            if not (first.isupper() or first.isdigit() or first in _OPENERS):
                continue
        if text[match.start()] == "." and _is_abbreviation(
            text, begin, match.start(), following, stop
        ):
            continue
        _add_span(text, begin, after, spans)
        begin = after
    _add_span(text, begin, stop, spans)
    return spans


def _is_abbreviation(text: str, begin: int, dot: int, following: int, stop: int) -> bool:
    floor = max(begin, dot - _TOKEN_LOOKBACK)
    token_start = dot
    while token_start > floor and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start : dot + 1].lstrip("([{\"'\u201c\u2018")
    lowered = token.lower()
    if lowered in ABBREVIATIONS or (lowered.endswith("al.") and lowered[-4:-3] in " t."):
        return True
    if lowered.endswith("et al."):
        return True
    if _INITIAL.fullmatch(token):
        # "P. C. Liliang": an initial followed by another initial, or preceded by one.
        if _INITIAL.match(text, following, stop):
            return True
        return _INITIAL.fullmatch(_previous_word(text, begin, token_start)) is not None
    return False


def _previous_word(text: str, begin: int, position: int) -> str:
    """The white-space delimited word before ``position`` (not before ``begin``), if it
    is short enough to be an initial; else ``""``."""
    end = position
    while end > begin and text[end - 1].isspace():
        end -= 1
    word_start = end
    while word_start > begin and not text[word_start - 1].isspace():
        word_start -= 1
        if end - word_start > 2:
            return ""
    return text[word_start:end]


def _add_span(text: str, begin: int, end: int, spans: list[tuple[int, int]]) -> None:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    if begin < end:
        spans.append((begin, end))


def split_sentences(text: str) -> list[str]:
    """The sentences of a paragraph (or an abstract), white space inside each collapsed.

    >>> split_sentences("We studied 52 patients, e.g. adults. Results were mixed.")
    ['We studied 52 patients, e.g. adults.', 'Results were mixed.']
    """
    return [" ".join(text[a:b].split()) for a, b in sentence_spans(text)]
