# The directive beside sphinxcontrib-bibtex: the table's .bib is bibtex_bibfiles.
extensions = ["sphinxcontrib.bibtex", "evidence.sphinxext"]
project = "bibtex"
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
evidence_cache = False
