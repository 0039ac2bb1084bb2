r"""LaTeX in field values as plain Unicode: accents, special letters, symbols, dashes, quotes.

:func:`decode_latex` decodes one value; :class:`LatexDecoder` does the same and remembers
the rare commands it had to look up in latexcodec, so a reader owns one for a parse (a
module-level memo would be state shared by every caller). The tables here cover what real
exports contain; latexcodec (a maintained codec made for this job) is the fallback table for
other commands (``\times``, ``\alpha``). Stage 2: imports nothing else of ``evidence``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import Any, cast

__all__ = ["LatexDecoder", "decode_latex", "needs_decoding", "verbatim"]

_NEEDS_DECODING = re.compile(r"[\\{}~$]|--|``|''")
_ACCENT_MARKS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "d": "\u0323",
    "b": "\u0331",
    "k": "\u0328",
    "r": "\u030a",
}
# ``\'e``, ``\'{e}``, ``\' e``, ``\'{\i}``, ``\'\i``, ``\c c``, ``\c{c}``; letter-named
# accents (``\u``, ``\c``...) must not run into a longer command name such as ``\url``.
_ACCENT = re.compile(
    r"""\\(?:(['`^"~=.])|([uvHcdbkr])(?![A-Za-z]))\s*"""
    r"""(?:\{\s*(\\[ij](?![A-Za-z])|[^\W\d_]?)\s*\}|(\\[ij])(?![A-Za-z])\ ?|([^\W\d_]))"""
)
# Math accents (``$\bar{x}$``, ``$\tilde{O}(n)$``) become the combining mark on each
# character of their argument: dropping them changes a meaning (x̄ is a mean).
_MATH_ACCENT_MARKS = {
    "bar": "\u0304",
    "overline": "\u0305",
    "hat": "\u0302",
    "widehat": "\u0302",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "dot": "\u0307",
    "ddot": "\u0308",
    "vec": "\u20d7",
    "check": "\u030c",
    "breve": "\u0306",
    "acute": "\u0301",
    "grave": "\u0300",
    "mathring": "\u030a",
}
_MATH_ACCENT = re.compile(
    r"\\(" + "|".join(_MATH_ACCENT_MARKS) + r")(?![A-Za-z])\s*(?:"
    r"\{\s*\\math[a-z]+\s*\{\s*([^{}\\$]{1,4}?)\s*\}\s*\}"  # \tilde{\mathcal{O}}
    r"|\{\s*(\\[A-Za-z]+)\s*\}"  # \hat{\beta}
    r"|\{\s*([^{}\\$]{1,4}?)\s*\}"  # \bar{x}, \overline{AB}
    r"|([A-Za-z0-9]))"  # \dot x
)
_DOTLESS = {"i": "\u0131", "j": "\u0237"}
_DOTLESS_BEFORE_COMMAND = re.compile(r"\\([ij])(?=\\)")
_LETTERS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "\u0131",  # dotless i
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
    "SS": "SS",
    "textendash": "\u2013",
    "textemdash": "—",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textregistered": "®",
    "texttrademark": "™",
    "textcopyright": "©",
    "textdegree": "°",
    "textmu": "µ",
    "textbullet": "•",
    "textunderscore": "_",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "S": "§",
    "P": "¶",
    "pounds": "£",
    "euro": "€",
    "texteuro": "€",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "relax": "",
    "protect": "",
    # Neither latexcodec nor pylatexenc knows these; real titles use them.
    "slash": "/",
    "vphantom": "",  # Zotero writes {\vphantom} for an invisible strut: nothing to show
    "hphantom": "",
    "hyphen": "-",  # biblatex's breakable hyphen
    "varGamma": "\u0393",
    "I": "\u0130",  # {\I}lhan Polat (SciPy): Turkish dotted capital I, as exports mean it
    "textbraceleft": "\ue000",  # hidden from brace stripping, like \{
    "textbraceright": "\ue001",
    "textdollar": "\ue002",
    "textbackslash": "\ue007",
    "backslash": "\ue007",
    "textasciitilde": "\ue003",
}
# Commands whose argument is the text (fonts, emphasis, case protection): dropped, the
# argument kept. Any other command followed by ``{`` is looked up as a symbol first, so
# ``7\texttimes{}7`` keeps its operator.
_KEEP_ARGUMENT = frozenset(
    {
        "emph",
        "textit",
        "textbf",
        "textsc",
        "textsf",
        "texttt",
        "textrm",
        "textup",
        "textsl",
        "textnormal",
        "textmd",
        "mathrm",
        "mathit",
        "mathbf",
        "mathsf",
        "mathtt",
        "mathcal",
        "mathbb",
        "mathfrak",
        "boldsymbol",
        "bm",
        "uppercase",
        "lowercase",
        "MakeUppercase",
        "MakeLowercase",
        "mbox",
        "hbox",
        "text",
        "textsuperscript",
        "textsubscript",
        "enquote",
        "url",
        "path",
        "nolinkurl",
        "ensuremath",
        "underline",
        "uline",
        "it",
        "bf",
        "sc",
        "em",
        "rm",
        "sf",
        "tt",
        "sl",
        "up",
        "small",
        "large",
        "Large",
        "footnotesize",
        "normalsize",
        "tiny",
        "huge",
        "Huge",
    }
)
# Commands whose argument is not text (sort keys, labels, links): dropped with it.
_DROP_ARGUMENT = re.compile(r"\\(?:noopsort|sortnoop|SortNoop|nocite|label|cite|href)\s*\{[^{}]*\}")
_COMMAND_WORD = re.compile(r"\\([A-Za-z]+)[ \t]*")
_CONTROL_SYMBOL = re.compile(r"\\([^A-Za-z])")
_CONTROL_SYMBOLS = {" ": " ", ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "\\": " "}
_MATH = re.compile(r"(?<!\\)\$([^$]*)\$")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUPERSCRIPT = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
_SCRIPT = re.compile(r"([_^])(?:\{([0-9+\-=()]+)\}|([0-9+\-=()]))")
# Escaped braces and dollars survive brace stripping and math as private-use characters.
_HIDE = {"{": "\ue000", "}": "\ue001", "$": "\ue002"}
_URL_HIDE = {"~": "\ue003", "-": "\ue004", "`": "\ue005", "'": "\ue006", "\\": "\ue007"}
_PROTECT_URL = str.maketrans({**{"$": "\ue002"}, **_URL_HIDE})
_UNHIDE = str.maketrans({v: k for k, v in (_HIDE | _URL_HIDE).items()})
_URL_COMMAND = re.compile(r"\\url\s*\{([^{}]*)\}")
# str.translate looks each character up in a dict once the text is not ASCII: dropping
# braces with two replace() calls, and unhiding only text that holds a hidden character,
# gives the same text in a tenth of the time (it was a fifth of decoding a Zotero export).
_HIDDEN = re.compile("[\ue000-\ue007]")
_LATEX_ESCAPE = re.compile(r"\\([_%&#$])")


def decode_latex(text: str) -> str:
    r"""LaTeX as plain Unicode for display, protective braces dropped, spaces collapsed.

    >>> decode_latex(r'M{\"u}ller and Garc\'{\i}a, {\O}ster, Stra{\ss}e \& {DNA} 1--2')
    'Müller and García, Øster, Straße & DNA 1–2'
    >>> decode_latex(r"\emph{In vivo} TNF-$\alpha$ in {Cu$_2$O}")
    'In vivo TNF-α in Cu₂O'

    ``~`` becomes a plain space (easier to search and compare than a no-break space).
    A symbol command is decoded (latexcodec, then pylatexenc, for the long tail); a
    command with an argument keeps the argument; one nobody knows stays visible as written.
    """  # noqa: RUF002  (the examples show real Unicode output)
    if _NEEDS_DECODING.search(text) is None:
        return text
    return LatexDecoder().decode(text)


def needs_decoding(text: str) -> bool:
    """Whether ``text`` holds anything :func:`decode_latex` would change."""
    return _NEEDS_DECODING.search(text) is not None


def verbatim(text: str) -> str:
    r"""A URL, DOI or path as meant: ``a\_b{\#}c`` is ``a_b#c``; nothing else changes."""
    if "\\" in text:
        text = _LATEX_ESCAPE.sub(r"\1", text)
    return text.replace("{", "").replace("}", "") if "{" in text else text


class LatexDecoder:
    """:func:`decode_latex` with a memory of latexcodec's answers for rare commands.

    A reader owns one for a parse, so a file that writes ``\\times`` in 3,000 titles asks
    latexcodec once; the memory goes with the decoder.
    """

    __slots__ = ("_symbols", "unknown")

    def __init__(self) -> None:
        self._symbols: dict[str, str] = {}
        #: The commands no table knew, in order, since the owner last cleared it (the
        #: BibTeX reader reports them once per entry as ``latex-unknown``).
        self.unknown: list[str] = []

    def decode(self, text: str) -> str:
        """``text`` decoded as :func:`decode_latex` does."""
        if _NEEDS_DECODING.search(text) is None:
            return text
        if "\\" in text:
            text = self._decode_commands(text)
        if "$" in text:
            text = _MATH.sub(_math, text)
        if "-" in text:
            text = text.replace("---", "\u2014").replace("--", "\u2013")
        if "`" in text or "'" in text:
            text = text.replace("``", "“").replace("''", "”")
        text = text.replace("~", " ").replace("{", "").replace("}", "")
        if _HIDDEN.search(text) is not None:
            text = text.translate(_UNHIDE)
        return " ".join(text.split())

    def _decode_commands(self, text: str) -> str:
        if "\\url" in text:
            # \url{...} is verbatim: its ~, -, $ and quotes are literal (escapes like \# aside).
            text = _URL_COMMAND.sub(lambda m: verbatim(m.group(1)).translate(_PROTECT_URL), text)
        for char, hidden in _HIDE.items():
            text = text.replace("\\" + char, hidden)
        text = _LATEX_ESCAPE.sub(r"\1", text)
        if "\\" in text:
            text = _MATH_ACCENT.sub(_math_accent, text)
            # A dotless i or j right before another command (``G\i\^rgel``, as some exports
            # write it) is the letter itself; the accent pass must not glue it to what follows.
            text = _DOTLESS_BEFORE_COMMAND.sub(lambda m: _DOTLESS[m.group(1)], text)
        for _ in range(3):  # nested accents, inside first: \d{\^e} is ệ
            accented = _ACCENT.sub(_accent, text)
            if accented == text:
                break
            text = accented
        text = _DROP_ARGUMENT.sub("", text)
        text = _COMMAND_WORD.sub(self._command, text)
        if "\\" in text:
            text = _CONTROL_SYMBOL.sub(lambda m: _CONTROL_SYMBOLS.get(m.group(1), m.group(1)), text)
        return text

    def _command(self, match: re.Match[str]) -> str:
        name = match.group(1)
        known = _LETTERS.get(name)
        if known is not None:
            return known
        if name in _KEEP_ARGUMENT:
            return ""  # \emph{...}, \textit{...}: keep the argument
        symbol = self._symbols.get(name)
        if symbol is None:
            symbol = self._symbols[name] = _latexcodec_symbol(name) or _pylatexenc_symbol(name)
        if symbol:
            return symbol
        if match.string.startswith("{", match.end()) and not match.string.startswith(
            "{}", match.end()
        ):
            return ""  # a command with an argument no one knows: the argument is the text
        # Nobody knows it: keep it visible as written (hidden from the control-symbol pass)
        # and let the reader report it, rather than close up the text around a gap.
        self.unknown.append(name)
        return "\ue007" + name + " "


def _math_accent(match: re.Match[str]) -> str:
    mark = _MATH_ACCENT_MARKS[match.group(1)]
    command = match.group(3)
    if command is not None:
        base = decode_latex(command)  # \hat{\beta}: the symbol, then its mark
    else:
        base = next(g for g in (match.group(2), match.group(4), match.group(5)) if g is not None)
    return unicodedata.normalize("NFC", "".join(c + mark for c in base if not c.isspace()))


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENT_MARKS[match.group(1) or match.group(2)]
    base = match.group(3) if match.group(3) is not None else (match.group(4) or match.group(5))
    if not base:
        return ""
    if base.startswith("\\"):
        base = base[1]  # an accent on a dotless i or j means an accented i or j
    return unicodedata.normalize("NFC", base + mark)


def _latexcodec_symbol(name: str) -> str:
    """latexcodec's Unicode for a rare command (``\\times``, ``\\alpha``), or nothing."""
    import latexcodec  # noqa: F401  (registers "ulatex"; here: only rare commands need it)

    # latexcodec decodes text to text; typeshed only knows bytes -> text decoders.
    decode = cast(Any, codecs.decode)
    for form in ("\\" + name, "$\\" + name + "$"):  # Greek letters are known in math only
        try:
            decoded = str(decode(form, "ulatex")).strip()
        except (UnicodeDecodeError, ValueError):
            continue
        if "\\" not in decoded and "$" not in decoded:
            return decoded
    return ""


def _pylatexenc_symbol(name: str) -> str:
    """pylatexenc's text for a symbol command latexcodec does not know (``\\textonehalf``,
    ``\\textperthousand``), or nothing. Only plain replacement strings count: a macro
    pylatexenc renders through a function or a pattern takes arguments."""
    from pylatexenc.latex2text import get_default_latex_context_db  # only for rare commands

    spec = get_default_latex_context_db().get_macro_spec(name)
    replacement = getattr(spec, "simplify_repl", None)
    if isinstance(replacement, str) and "%" not in replacement and spec.macroname != "":
        return replacement.replace("{", "\ue000").replace("}", "\ue001")
    return ""


def _math(match: re.Match[str]) -> str:
    return _SCRIPT.sub(_script, match.group(1))


def _script(match: re.Match[str]) -> str:
    digits = match.group(2) or match.group(3)
    table = _SUBSCRIPT if match.group(1) == "_" else _SUPERSCRIPT
    return digits.translate(table)
