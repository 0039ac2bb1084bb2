# Several pages with evidence tables: for incremental and parallel builds.
# Every document read is logged as "docname pid" to read.log beside the output, so a test
# can see which pages a build re-read and in how many processes.
import os
from pathlib import Path

extensions = ["evidence.sphinxext"]
project = "many"
exclude_patterns = ["_build"]
evidence_bib = "refs.bib"
evidence_cache = False


def _log_read(app, docname, source):
    with open(Path(app.outdir).parent / "read.log", "a", encoding="utf-8") as log:
        log.write(f"{docname} {os.getpid()}\n")


def setup(app):
    app.connect("source-read", _log_read)
