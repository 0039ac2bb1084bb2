# A tiny Sphinx project whose claims have every kind of problem the directive reports.
# The test writes pubmed.json (the real record of a retracted study) before building.
extensions = ["evidence.sphinxext"]
project = "problems"
exclude_patterns = ["_build"]
evidence_bib = "refs.bib"
evidence_snapshot = "pubmed.json"
evidence_cache = False
