"""A reference's abstract, from wherever it is known, and which source gave it.

The support check and the suggestions need an abstract; PubMed is one place to find it,
not the only one. A reference manager's export usually carries it too: BibTeX and
BibLaTeX ``abstract``, Zotero's ``abstractNote``, RIS and MEDLINE ``AB``, CSL-JSON
``abstract``. Readers keep every field of an entry in ``Reference.fields``, so this module
looks there under each of those names (case forgiven) and needs no change to the readers.

Order: the PubMed record's abstract first (it is split into labelled sections, so a
sentence never runs across ``RESULTS:`` and ``CONCLUSIONS:``), then the reference's own
field. ``Abstract.source`` says which was used, in words a table can show:
``PubMed``, ``PubMed (cache)``, ``PubMed (snapshot)`` or ``.bib abstract field``.

>>> from evidence.model import Reference
>>> ref = Reference("k", "article", fields={"Abstract": "We enrolled 52 patients. It worked."})
>>> found = abstract_for(ref, None)
>>> found.source, found.sentences
('.bib abstract field', ('We enrolled 52 patients.', 'It worked.'))
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.model import PubMedRecord, Reference
from evidence.text import split_sentences

__all__ = ["ABSTRACT_FIELDS", "BIB_SOURCE", "Abstract", "abstract_for", "reference_abstract"]

ABSTRACT_FIELDS = ("abstract", "abstractnote", "ab")
"""Field names (compared lower-case) that hold an abstract in reference exports."""

BIB_SOURCE = ".bib abstract field"
"""``Abstract.source`` for an abstract read from the reference's own fields."""


@dataclass(frozen=True, slots=True)
class Abstract:
    """An abstract split into sentences, each with its section label ('' when unlabelled)."""

    sentences: tuple[str, ...]
    sections: tuple[str, ...]
    source: str

    @property
    def text(self) -> str:
        """The sentences joined by spaces."""
        return " ".join(self.sentences)


def reference_abstract(reference: Reference) -> str:
    """The abstract a reference's own fields carry ('' when none does)."""
    for name, value in reference.fields.items():
        if name.lower() in ABSTRACT_FIELDS and value.strip():
            return " ".join(value.split())
    return ""


def abstract_for(
    reference: Reference | None, record: PubMedRecord | None, *, record_source: str = "PubMed"
) -> Abstract | None:
    """The abstract to check a citation against, or ``None`` when no source has one.

    ``record_source`` names where ``record`` came from (``PubMed (snapshot)`` ...).
    """
    if record is not None and record.abstract:
        sentences: list[str] = []
        labels: list[str] = []
        for section in record.abstract:
            for sentence in split_sentences(section.text):
                sentences.append(" ".join(sentence.split()))
                labels.append(section.label)
        if sentences:
            return Abstract(tuple(sentences), tuple(labels), record_source)
    if reference is not None:
        text = reference_abstract(reference)
        if text:
            sentences = [" ".join(s.split()) for s in split_sentences(text)]
            return Abstract(tuple(sentences), ("",) * len(sentences), BIB_SOURCE)
    return None
