"""Sphinx configuration for the evidence documentation.

Build it as CI does (warnings are errors, every cross-reference must resolve):

    sphinx-build -W -n -b html docs docs/_build/html

The build is offline: no intersphinx inventories are fetched, and the example table is
rendered by the project's own directive from docs/examples/ and ../references.bib.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # document the working tree, installed or not

import evidence  # noqa: E402

project = "evidence"
author = "The evidence developers"
copyright = "The evidence developers"
version = release = evidence.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "evidence.sphinxext",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "examples"]
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

# The example claims cite the repository's references.bib; the build never goes online.
evidence_bib = "../references.bib"
evidence_offline = True
# Not even the user's PubMed cache: the docs must show the same table on every machine.
evidence_cache = False
# The example's uncited claims are uncited on purpose (the page explains it); every other
# evidence problem still fails the -W build.
suppress_warnings = ["evidence.uncited"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"

# Nitpicky mode checks every cross-reference. Types from other libraries cannot resolve
# without intersphinx (which would fetch inventories over the network), so they are
# listed here rather than linked.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:(class|obj|data|exc)", r"(pd|pandas|np|numpy|datetime|pathlib|os|re|io)\..*"),
    (r"py:(class|obj|data)", r"(collections\.abc|typing|typing_extensions|types)\..*"),
    (r"py:(class|obj|data)", r"(requests|urllib3|pybtex|docutils|sphinx|mkdocs|yaml)\..*"),
    (r"py:(class|obj|data|exc)", r"(Path|PathLike|DataFrame|Series|Mapping|Sequence|Iterable)"),
    (r"py:(class|obj|data|exc)", r"(Iterator|Callable|Any|Literal|TextIO|BinaryIO|Hashable)"),
    (r"py:(class|obj|data|exc)", r"(datetime|timedelta|Session|Response|Figure|Axes)"),
    (r"py:(class|obj|data|exc)", r"(StrEnum|Enum|NamedTuple|ExtensionMetadata|Sphinx)"),
    (r"py:(class|obj|data|exc)", r"(bytes|str|int|float|bool|None|object|type)"),
    (r"py:(class|obj|data|exc)", r"(ValueError|KeyError|OSError|Exception|TypeError)"),
    (r"py:(class|obj|data)", r"enum\..*"),
    # Type variables in signatures are not objects to link to.
    (r"py:(class|obj)", r"evidence\..*\.[A-Z]"),
    (r"py:mod", r"(math|statistics|json|csv|logging|defusedxml)"),
    (r"py:(class|obj)", r"(xml|defusedxml)\..*"),
    (r"py:class", r"Config"),  # MkDocs' config base class
    # Private helpers that module docstrings mention when they explain a design.
    (r"py:(class|meth|func|attr)", r"(.*\.)?_[A-Za-z].*"),
]

html_theme = "alabaster"
# Evidence tables are wide: give the text column room (they scroll inside it beyond that).
html_theme_options = {"page_width": "1280px", "sidebar_width": "220px", "body_max_width": "none"}
html_title = "evidence"
html_static_path: list[str] = []


class CommandHelp(SphinxDirective):
    """``.. command-help:: table`` -- the command line's own help text for a command.

    Taken from the parser at build time, so the page cannot drift from the program.
    """

    required_arguments = 0
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        from evidence.cli import main

        argv = [*self.arguments, "--help"]
        out = io.StringIO()
        width = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal; fix it for the docs
        try:
            with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
                main(argv)
        finally:
            if width is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = width
        text = out.getvalue().rstrip()
        block = nodes.literal_block(text, text, language="text")
        self.set_source_info(block)
        return [block]


def resolve_short_names(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    """Resolve ``Reference`` or ``evidence.load_references`` to the one documented object.

    Docstrings name classes the way their module imports them (``Reference``), and the
    package re-exports names (``evidence.load_references``), while the API page documents
    each object once, under the module that defines it. A name that matches exactly one
    documented object by its last parts is linked to it; anything else stays unresolved,
    and nitpicky mode reports it.
    """
    if node.get("refdomain") != "py":
        return None
    target = str(node["reftarget"])
    short = target.removeprefix("evidence.")
    domain = env.get_domain("py")
    found = [name for name in domain.objects if name.endswith("." + short)]
    if len(found) != 1:
        return None
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], found[0], node, contnode
    )


def setup(app: Sphinx) -> dict[str, bool]:
    app.add_directive("command-help", CommandHelp)
    app.connect("missing-reference", resolve_short_names)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
