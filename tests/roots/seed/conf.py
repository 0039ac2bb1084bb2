# A tiny Sphinx project: the seed claims rendered from reST and from MyST Markdown.
extensions = ["myst_parser", "evidence.sphinxext"]
project = "seed"
exclude_patterns = ["_build"]
evidence_bib = "refs.bib"
evidence_cache = False
