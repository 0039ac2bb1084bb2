"""The Sphinx extension: an ``evidence-table`` directive that builds the table with the page.

Add ``"evidence.sphinxext"`` to ``extensions`` in ``conf.py``, then write, in reST::

    .. evidence-table:: examples/claims.yaml
       :bib: ../references.bib
       :audience: patients

or in MyST Markdown::

    ```{evidence-table} examples/claims.yaml
    :bib: ../references.bib
    ```

How it behaves, and why:

* **Located, silenceable warnings.** Every problem becomes a Sphinx warning at the line
  of the claims or .bib file it is about, with ``type="evidence"`` and a subtype
  (``uncited``, ``unresolved``, ``retracted`` ...; docs/docs-builds.md lists them all),
  so ``-W`` turns them into a failed build and ``suppress_warnings =
  ["evidence.uncited"]`` silences one kind. The build carries on: a claims file that
  cannot be read gives a warning and a short note on the page, never a traceback.
* **Offline by default.** ``evidence_offline = True``: PubMed records come from the
  snapshot (``evidence_snapshot`` or ``:snapshot:``) and the on-disk cache, so a slow or
  absent network never breaks or slows a docs build. Online builds are opt-in.
* **Incremental and parallel.** The claims file, the .bib files and the snapshot are
  noted as dependencies of the page, so editing one re-reads that page and no other.
  The directive keeps no state in the environment besides those dependencies, so it is
  parallel-read and parallel-write safe. Tables are real docutils tables built in one
  pass (no raw HTML), so every builder (HTML, LaTeX, text, ...) gets them.
* **Parsed once per build.** Inputs are cached per build on their content digest
  (``evidence._docbuild.InputCache``), so ten tables on one page, or on ten pages of
  one process, parse each file once.
* **sphinxcontrib-bibtex.** When it is loaded and the table's .bib files are its
  ``bibtex_bibfiles`` (the default when ``:bib:`` is not given), study names are
  ``:cite:t:`` citations that link to its bibliography, and the table lists no references
  of its own, so no key is listed twice and no duplicate-citation warning can arise.
  Otherwise the table carries its own numbered reference list, with anchors unique per
  table.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

from evidence._docbuild import (
    LAYOUTS,
    InputCache,
    Notice,
    OncePerBuild,
    PubMedSettings,
    TableRequest,
    build,
    cell_pieces,
    checked_style,
    column_name,
    known_columns,
    plot_html,
    select_parts,
    split_list,
    study_labels,
)
from evidence._version import __version__
from evidence.render import AUDIENCES, Grid, Listing, css_class, latex_grid, visible

__all__ = ["EvidenceTableDirective", "setup"]

logger = logging.getLogger(__name__)

_CACHE_ATTRIBUTE = "_evidence_inputs"


def input_cache(env: BuildEnvironment) -> InputCache:
    """The build's parsed-input cache, made on first use.

    It hangs off the environment so that every directive of the build (and of each worker
    process in a parallel read) shares it; it pickles as empty, so nothing parsed is
    written into the saved environment.
    """
    cache = getattr(env, _CACHE_ATTRIBUTE, None)
    if not isinstance(cache, InputCache):
        cache = InputCache()
        setattr(env, _CACHE_ATTRIBUTE, cache)
    return cache


def _choice(values: Sequence[str]) -> Any:
    def check(argument: str | None) -> str:
        return str(directives.choice(argument or "", tuple(values)))

    return check


def _bibtex_bibfiles(env: BuildEnvironment) -> list[Path] | None:
    """sphinxcontrib-bibtex's .bib files when it is loaded, else None."""
    try:
        env.get_domain("cite")
    except ExtensionError:
        return None
    files = getattr(env.config, "bibtex_bibfiles", None) or []
    return [(Path(env.srcdir) / name).resolve() for name in files]


class EvidenceTableDirective(SphinxDirective):
    """``.. evidence-table:: CLAIMS`` -- the evidence table of a claims file.

    The path is relative to the document, or to the source directory when it starts
    with ``/``. Options (each falls back to a ``conf.py`` value where one is named):

    * ``:bib:`` -- .bib files, separated by commas or spaces (``bibtex_bibfiles``, else
      ``evidence_bib``);
    * ``:snapshot:`` -- a PubMed snapshot written by ``evidence fetch``
      (``evidence_snapshot``);
    * ``:claims:`` -- only these claim ids;
    * ``:tags:`` -- only claims with one of these tags (with ``:claims:``: either);
    * ``:layout:`` -- ``detailed`` (everything) or ``summary`` (claims and references)
      (``evidence_layout``);
    * ``:audience:`` -- ``reviewers`` or ``patients`` (``evidence_audience``);
    * ``:hide-columns:`` -- columns to leave out, named by header: ``doi, notes``;
    * ``:title:`` -- the heading above the table (default: the claims file's title; empty
      for none);
    * ``:style:`` -- the pybtex style of the reference list (``evidence_style``);
    * ``:plot:`` -- claim ids whose forest plot follows the table (inline SVG, HTML only):
      the effect plot for a claim with comparative effects, else the proportion plot.
    """

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "bib": directives.unchanged_required,
        "snapshot": directives.unchanged_required,
        "claims": directives.unchanged_required,
        "tags": directives.unchanged_required,
        "layout": _choice(LAYOUTS),
        "audience": _choice(AUDIENCES),
        "hide-columns": directives.unchanged_required,
        "title": directives.unchanged,
        "style": directives.unchanged_required,
        "plot": directives.unchanged_required,
    }

    # -- inputs ---------------------------------------------------------------------
    def _path(self, name: str, *, from_document: bool) -> Path:
        """An absolute path: from the document's folder (or the source dir for ``/x``),
        or, for ``conf.py`` values, from the source directory."""
        if from_document:
            _, absolute = self.env.relfn2path(name, self.env.docname)
            return Path(absolute).resolve()
        return (Path(self.env.srcdir) / name).resolve()

    def _bibs(self) -> tuple[list[Path], bool]:
        """The .bib files, and whether they are sphinxcontrib-bibtex's own."""
        bibtex = _bibtex_bibfiles(self.env)
        if "bib" in self.options:
            paths = [self._path(p, from_document=True) for p in split_list(self.options["bib"])]
        elif bibtex:
            paths = bibtex
        else:
            configured = self.config.evidence_bib or []
            if isinstance(configured, str):
                configured = [configured]
            paths = [self._path(p, from_document=False) for p in configured]
        linked = bool(
            bibtex and paths and set(paths) <= set(bibtex) and self.config.evidence_bibtex_links
        )
        return paths, linked

    def _request(self) -> tuple[TableRequest, bool]:
        claims = self._path(self.arguments[0], from_document=True)
        bibs, linked = self._bibs()
        snapshot = None
        if "snapshot" in self.options:
            snapshot = self._path(self.options["snapshot"], from_document=True)
        elif self.config.evidence_snapshot:
            snapshot = self._path(self.config.evidence_snapshot, from_document=False)
        srcdir = Path(self.env.srcdir).resolve()
        names = {
            path: Path(os.path.relpath(path, srcdir)).as_posix()
            for path in (claims, *bibs, *([snapshot] if snapshot else []))
        }
        request = TableRequest(
            claims=claims,
            bibs=tuple(bibs),
            snapshot=snapshot,
            names=names,
            claim_ids=split_list(self.options.get("claims")),
            tags=split_list(self.options.get("tags")),
            title=self.options.get("title"),
        )
        return request, linked

    def _settings(self) -> PubMedSettings:
        config = self.config
        return PubMedSettings(
            offline=bool(config.evidence_offline),
            cache=bool(config.evidence_cache),
            cache_dir=config.evidence_cache_dir,
            options=dict(config.evidence_pubmed or {}),
        )

    # -- warnings -------------------------------------------------------------------
    def _warn(self, notice: Notice) -> None:
        """Log ``notice`` once per document, at its file and line (else at the directive)."""
        seen = cast(set[tuple[Any, ...]], self.env.temp_data.setdefault("evidence_warned", set()))
        key = (notice.subtype, notice.message, notice.path, notice.line)
        if key in seen:
            return
        seen.add(key)
        location: Any = (self.env.docname, self.lineno)
        message = notice.message
        if notice.path is not None and notice.line:
            location = nodes.Element()
            location.source, location.line = str(notice.path), notice.line
        elif notice.path is not None:
            # No line to point at (a missing file): the directive that names the file.
            name = os.path.relpath(notice.path, self.env.srcdir)
            message = f"{Path(name).as_posix()}: {message}"
        logger.warning(message, type="evidence", subtype=notice.subtype, location=location)

    # -- the directive --------------------------------------------------------------
    def run(self) -> list[nodes.Node]:
        request, linked = self._request()
        for path in request.inputs:
            self.env.note_dependency(path)
        built = build(request, input_cache(self.env), self._settings())
        # Problems inside the input files wait for the end of reading, so the build reports
        # each once (not once per page) and only for entries some page cites.
        store = _once_store(self.env)
        store.setdefault(self.env.docname, ([], set()))
        notices, cited = store[self.env.docname]
        notices.extend(n for n in built.warnings if n.once)
        cited.update(built.cited)
        for notice in built.warnings:
            if not notice.once:
                self._warn(notice)
        if built.table is None:
            name = request.name(request.claims)
            note = nodes.paragraph(
                "",
                f"The evidence table for {name} could not be built; the build log says why.",
                classes=["evidence-error"],
            )
            self.set_source_info(note)
            return [note]
        table = built.table
        audience = self.options.get("audience", self.config.evidence_audience)
        layout = self.options.get("layout", self.config.evidence_layout)
        hidden = split_list(self.options.get("hide-columns"))
        style, style_notice = checked_style(self.options.get("style", self.config.evidence_style))
        if style_notice is not None:
            self._warn(style_notice)
        try:
            parts, unknown = select_parts(
                table,
                audience=audience,
                layout=layout,
                hide_columns=hidden,
                style=style,
                references=not linked,
            )
        except ValueError as error:  # a bad evidence_audience or evidence_layout value
            self._warn(Notice("option", f"{error} (check conf.py)", None, None))
            return []
        if unknown:
            self._warn(
                Notice(
                    "option",
                    f"no column named {', '.join(unknown)}; the columns are: "
                    f"{', '.join(known_columns(table, audience))}",
                    None,
                    None,
                )
            )
        prefix = f"evidence-{self.env.new_serialno('evidence-table')}"
        maker = _NodeMaker(self, study_labels(table), prefix, linked)
        container = nodes.container(classes=["evidence-table", f"evidence-{audience}"])
        self.set_source_info(container)
        if table.title:
            title = visible(table.title)
            container += nodes.rubric(title, title, classes=["evidence-title"])
        for part in parts:
            if isinstance(part, Grid):
                container.extend(_print_or_screen(maker.grid(part), part))
            else:
                container.extend(maker.items(part))
        for claim_id in split_list(self.options.get("plot")):
            svg, refused = plot_html(table, claim_id, f"{prefix}-plot-{claim_id}")
            if refused is not None:
                self._warn(refused)
            else:  # HTML builders show it; the others have no place for inline SVG
                container += nodes.raw("", svg, format="html")
        return [container]


LATEX_LINE_PT = 450.0
"""The line width Sphinx's LaTeX output is planned for: its default 1 inch margins leave
452 pt on A4 and 469 pt on US letter."""


def _print_or_screen(table: nodes.table, grid: Grid) -> list[nodes.Node]:
    """The table for screens, and for LaTeX builders the renderer's own ``longtable`` (one
    code path for print: columns that fit the text width, a header repeated on each page,
    numbers never cut). Sphinx's ``only`` nodes keep the one the builder needs."""
    latex = addnodes.only(expr="format_latex")
    latex += nodes.raw("", "\n".join(latex_grid(grid, LATEX_LINE_PT)), format="latex")
    screen = addnodes.only(expr="not format_latex")
    screen += table
    return [latex, screen]


def _column(header: str) -> str:
    """The CSS class of a column: ``evidence-col-`` and its name (``supported-by``)."""
    return f"evidence-col-{column_name(header)}"


def _widths(grid: Grid) -> list[int]:
    """Column widths in characters, for the builders that use them (text, LaTeX): wide
    enough for the longest word, the header and short values, wrapping long prose."""
    widths = []
    for i, header in enumerate(grid.headers):
        texts = [header, *(row[i].text for row in grid.rows)]
        longest_word = max(len(word) for text in texts for word in [*text.split(), ""])
        widths.append(max(longest_word, min(max(len(t) for t in texts), 30), 3))
    return widths


class _NodeMaker:
    """Docutils nodes for the render module's grids and lists."""

    def __init__(
        self,
        directive: EvidenceTableDirective,
        labels: dict[str, tuple[str, int]],
        prefix: str,
        linked: bool,
    ) -> None:
        self.directive = directive
        self.labels = labels
        self.prefix = prefix
        self.linked = linked

    def study(self, label: str, key: str, number: int) -> list[nodes.Node]:
        """A study's name linked to its reference: bibtex's citation, or our own list."""
        if self.linked:
            directive = self.directive
            role = directive.env.get_domain("cite").role("t")
            if role is not None:
                found, messages = role(
                    "cite:t", f":cite:t:`{key}`", key, directive.lineno, directive.state.inliner
                )
                return [*found, *messages]
        target = f"{self.prefix}-ref-{number}"
        return [nodes.reference(label, label, refid=target, internal=True)]

    def cell(self, text: str, href: str, header: str, cell: Any) -> nodes.entry:
        entry = nodes.entry()
        if not text:
            return entry
        paragraph = nodes.paragraph()
        if href.startswith("https://"):
            paragraph += nodes.reference(text, text, refuri=href)
        else:
            for piece in cell_pieces(cell, header, self.labels):
                if isinstance(piece, tuple):
                    paragraph.extend(self.study(*piece))
                else:
                    paragraph += nodes.Text(piece)
        entry += paragraph
        return entry

    def grid(self, grid: Grid) -> nodes.table:
        table = nodes.table(classes=["evidence-grid", css_class(grid.caption)])
        table += nodes.title(grid.caption, grid.caption)
        group = nodes.tgroup(cols=len(grid.headers))
        table += group
        for width in _widths(grid):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        row = nodes.row()
        for header in grid.headers:
            row += nodes.entry("", nodes.paragraph(header, header), classes=[_column(header)])
        head += row
        group += head
        body = nodes.tbody()
        for cells in grid.rows:
            row = nodes.row()
            for header, cell in zip(grid.headers, cells, strict=True):
                entry = self.cell(cell.text, cell.href, header, cell)
                entry["classes"].append(_column(header))
                row += entry
            body += row
        group += body
        self.directive.set_source_info(table)
        return table

    def items(self, items: Listing) -> list[nodes.Node]:
        css = css_class(items.caption)
        rubric = nodes.rubric(items.caption, items.caption, classes=[f"{css}-title"])
        listing: nodes.Element
        if items.ordered:
            listing = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".")
        else:
            listing = nodes.bullet_list(bullet="-")
        listing["classes"].append(css)
        for number, item in enumerate(items.items, start=1):
            entry = nodes.list_item()
            if items.anchor:
                entry["ids"].append(f"{self.prefix}-{items.anchor}-{number}")
            paragraph = nodes.paragraph(item.text, item.text)
            if item.links:
                paragraph += nodes.Text(" (")
                for i, (label, url) in enumerate(item.links):
                    if i:
                        paragraph += nodes.Text(", ")
                    paragraph += nodes.reference(label, label, refuri=url)
                paragraph += nodes.Text(")")
            entry += paragraph
            listing.append(entry)
        return [rubric, listing]


_CSS = """\
/* evidence.sphinxext: wide evidence tables scroll inside the page, not the page itself */
div.evidence-table { overflow-x: auto; }
div.evidence-table table.evidence-grid { margin: 0.5em 0 1.5em; }
div.evidence-table table.evidence-grid caption { text-align: left; font-weight: bold; }
div.evidence-table table.evidence-grid td,
div.evidence-table table.evidence-grid th { vertical-align: top; }
div.evidence-table ul.evidence-remarks li { color: #8a4b00; }
/* Tables fit the theme's content column: prose and ids wrap (ids after their hyphens,
   DOIs anywhere); a PMID, being a number, is never broken. */
div.evidence-table table.evidence-grid td p a { overflow-wrap: normal; }
div.evidence-table table.evidence-grid td.evidence-col-pmid { white-space: nowrap; }
div.evidence-table table.evidence-grid td.evidence-col-doi p a { overflow-wrap: anywhere; }
/* Themes style the tables as their own (they are docutils tables); only gaps are filled.
   Read the Docs keeps every cell on one line, which pushes the prose columns out of sight:
   let the prose wrap so the table fits the content column. */
.wy-table-responsive table.evidence-grid td,
.wy-table-responsive table.evidence-grid th { white-space: normal; }
"""
_CSS_NAME = "evidence.css"


_ONCE_ATTRIBUTE = "evidence_input_problems"


def _once_store(env: BuildEnvironment) -> dict[str, tuple[list[Notice], set[str]]]:
    """Per document: the problems in its tables' input files and the keys they cite.

    Kept in the environment (pickled with it), so incremental builds keep the problems of
    pages not read again, and parallel reads merge theirs (:func:`_merge_once`).
    """
    store = getattr(env, _ONCE_ATTRIBUTE, None)
    if not isinstance(store, dict):
        store = {}
        setattr(env, _ONCE_ATTRIBUTE, store)
    return store


def _purge_once(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _once_store(env).pop(docname, None)


def _merge_once(
    app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment
) -> None:
    theirs = _once_store(other)
    _once_store(env).update({name: theirs[name] for name in docnames if name in theirs})


def _report_once(app: Sphinx, env: BuildEnvironment) -> None:
    """After reading: each input-file problem of the whole build, once, at its line."""
    gathered = OncePerBuild()
    for notices, cited in _once_store(env).values():
        gathered.add(notices, cited)
    try:
        notices = gathered.report(app.config.evidence_bib_problems)
    except ValueError as error:
        logger.warning(f"{error} (check conf.py)", type="evidence", subtype="option")
        notices = gathered.report("cited")
    for notice in notices:
        location: Any = None
        message = notice.message
        if notice.path is not None and notice.line:
            location = nodes.Element()
            location.source, location.line = str(notice.path), notice.line
        elif notice.path is not None:
            message = f"{Path(os.path.relpath(notice.path, env.srcdir)).as_posix()}: {message}"
        logger.warning(message, type="evidence", subtype=notice.subtype, location=location)


def _write_css(app: Sphinx, error: Exception | None) -> None:
    """Write the stylesheet into the HTML output (it is a constant: no package data)."""
    if error is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / _CSS_NAME).write_text(_CSS, encoding="utf-8")


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the directive and its ``conf.py`` values (see the module docstring)."""
    app.add_config_value("evidence_bib", None, "env", types=(str, list, tuple))
    app.add_config_value("evidence_snapshot", None, "env", types=(str,))
    app.add_config_value("evidence_offline", True, "env", types=(bool,))
    app.add_config_value("evidence_cache", True, "env", types=(bool,))
    app.add_config_value("evidence_cache_dir", None, "env", types=(str,))
    app.add_config_value("evidence_pubmed", {}, "env", types=(dict,))
    app.add_config_value("evidence_audience", "reviewers", "env", types=(str,))
    app.add_config_value("evidence_layout", "detailed", "env", types=(str,))
    app.add_config_value("evidence_style", "unsrt", "env", types=(str,))
    app.add_config_value("evidence_bibtex_links", True, "env", types=(bool,))
    app.add_config_value("evidence_bib_problems", "cited", "env", types=(str,))
    app.add_directive("evidence-table", EvidenceTableDirective)
    app.connect("env-purge-doc", _purge_once)
    app.connect("env-merge-info", _merge_once)
    app.connect("env-check-consistency", _report_once)
    app.add_css_file(_CSS_NAME)
    app.connect("build-finished", _write_css)
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
