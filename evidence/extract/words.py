"""Word lists and name patterns that tell citation markers from the numbers and names of prose.

Shared by the marker finder (which numbers and names can be markers), the reference-list
parser (author names) and the claim ids (which words to leave out). Constants only.
"""

from __future__ import annotations

from evidence.text import word_set

__all__ = [
    "FUNCTION_WORDS",
    "MONTHS_AND_NON_NAMES",
    "NAME",
    "NAME_PARTICLES",
    "NUMBER_WORDS",
    "UNITS",
    "YEAR",
]

# Function words: a number right after one is a quantity, not a citation ("in 2003",
# "of 52", "to 2", "were 21").
FUNCTION_WORDS = word_set(
    """
    a about above across after against ago all almost also am among an and any approximately
    are around as at be been before being below between beyond both but by can could did do
    does during each either every except few for from had has have having her his if in
    including into is it its just least less more most my near nearly neither no nor not of
    off on once only or other our over per plus roughly several since so some than that the
    their them then there these they this those through till to too toward towards under
    until up upon us versus via was we were what when where which while who whom whose why
    will with within without would you your only just about nearly over around aged age
    ages top first last next remaining another
    """
)

# Words that take a number ("Figure 2", "group 3", "day 4"): a number after one of them
# is part of the phrase.
NUMBER_WORDS = word_set(
    """
    figure figures fig figs table tables tab eq eqs equation equations section sections sec
    chapter chapters ch chap page pages p pp appendix supplement box panel step steps stage
    stages grade grades type types phase phases level levels class classes group groups
    arm arms cohort cohorts day days week weeks wk month months year years yr hour hours hr
    minute minutes min second seconds visit visits dose doses cycle cycles score scores
    version v no nos number numbers item items question questions line lines case cases
    patient patients subject subjects participant participants trial trials study studies
    experiment experiments model models lead leads factor factors chromosome chromosomes
    exon exons codon codons round rounds wave waves session sessions block blocks site sites
    ward wards bed beds room rooms floor level series volume vol issue part parts point
    points rank ranks tier tiers category categories criterion criteria rule rules lane
    lanes slide slides sample samples specimen specimens image images scan scans test tests
    mark marks set sets unit units region regions zone zones tooth teeth vertebra segment
    segments gen generation dimension dimensions file files supplemental material materials
    """
)

# The words of NUMBER_WORDS that label what follows them ("Figure (2)", "step (1)",
# "day 4"): a number after one is never a citation. The others ("trials", "groups",
# "patients") take a number in "group 3" but are followed by citations in "trials (7, 8)".
LABEL_WORDS = word_set(
    """
    figure figures fig figs table tables tab eq eqs equation equations section sections sec
    chapter chapters ch chap page pages p pp appendix supplement box panel step steps stage
    stages grade grades type types phase phases level levels class classes day days week
    weeks wk month months year years yr hour hours hr minute minutes min second seconds
    visit visits dose doses cycle cycles score scores version v no nos number numbers item
    items question questions line lines round rounds wave waves session sessions point
    points rank ranks tier tiers category categories criterion criteria rule rules slide
    slides image images chromosome chromosomes exon exons codon codons lead leads gen
    generation dimension dimensions vol volume issue part parts tooth teeth vertebra bed
    beds room rooms floor lane lanes ward wards file files
    """
)

# Labels a list of numbers still follows ("Figures (2, 3)", "Table 1,2"): never citations.
FIGURE_WORDS = word_set(
    """
    figure figures fig figs table tables tab eq eqs equation equations section sections sec
    chapter chapters ch chap page pages p pp appendix supplement box panel step steps
    """
)

# Words right after a number that make it a quantity: "(7) mg", "12 November".
UNITS_AFTER = word_set(
    """
    mg g kg mcg µg μg ng ml l dl mmol mol iu u % percent mm cm m km h hr hrs min s sec
    years year yrs months month weeks week days day hours hour minutes times fold x
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """
)

# Capitalised words that start "(September 2012)" or "(Table 2003)": never an author.
MONTHS_AND_NON_NAMES = word_set(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn fall winter table
    figure fig appendix version phase class grade stage type study trial group step since
    in from until before after during between circa about the a an this that these those
    and or but see also e.g i.e cf eg ie year years vol volume issue page pages chapter
    section edition ed note notes published updated accessed retrieved revised
    """
)

# Units and statistics a superscript digit follows as a power ("m²", "kg/m²", "Chi²"),
# not as a citation.
UNITS = word_set(
    """
    m cm mm km nm um µm μm ft in mi s ms m/s kg/m g kg l dl ml yd px pt mile miles sq
    chi tau eta rho sigma omega lambda beta alpha gamma delta
    """
)

NAME_PARTICLES = r"(?:(?:van|von|de|der|den|da|di|la|le|du|del|dos|ter|ten|al|el|mc)\s+)*"
NAME = rf"{NAME_PARTICLES}[A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u024f-]*[\w\u00c0-\u024f]"
YEAR = r"(?:1[6-9]\d\d|20\d\d)[a-z]?"
