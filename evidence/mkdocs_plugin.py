"""The MkDocs plugin: a fenced ``evidence-table`` block becomes the rendered table.

Enable it in ``mkdocs.yml`` (the entry point is called ``evidence``)::

    plugins:
      - search
      - evidence:
          bib: references.bib        # default .bib, relative to mkdocs.yml
          snapshot: pubmed.json      # optional PubMed snapshot, relative to mkdocs.yml
          offline: true              # the default: snapshot and cache only
          warnings: warn             # or "info": report problems without failing --strict

then write in a page::

    ```evidence-table
    claims: claims.yaml              # relative to the page; /x is relative to docs_dir
    audience: patients
    ```

The block holds YAML options: ``claims`` (required), ``bib`` (one path or a list),
``snapshot``, ``ids`` and ``tags`` (which claims), ``audience``, ``layout``,
``hide-columns``, ``title``, ``style`` and ``plot`` (claim ids whose forest plot follows
the table); they mean what the Sphinx directive's options mean
(:mod:`evidence.sphinxext`). Problems are logged through MkDocs' logger as warnings that
start with ``path:line:`` and end with ``[evidence.SUBTYPE]``, so
``mkdocs build --strict`` fails on them; ``warnings: info`` logs them at INFO instead,
and ``ignore: [uncited]`` drops some subtypes altogether. ``mkdocs serve`` watches every
claims, .bib and snapshot file a page uses.

Why a fenced block: it survives every Markdown editor and previewer as an ordinary code
block, and the YAML inside it is the same language as the claims file.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from evidence._docbuild import (
    BIB_PROBLEMS,
    LAYOUTS,
    InputCache,
    Notice,
    OncePerBuild,
    PubMedSettings,
    TableRequest,
    build,
    checked_style,
    known_columns,
    plot_html,
    select_parts,
    split_list,
    study_labels,
)
from evidence.render import AUDIENCES, Grid, Listing, html_fragment

__all__ = ["EvidenceConfig", "EvidencePlugin", "find_blocks"]

log = get_plugin_logger(__name__)

_OPTIONS = frozenset(
    {
        "claims",
        "bib",
        "snapshot",
        "ids",
        "tags",
        "audience",
        "layout",
        "hide-columns",
        "title",
        "plot",
    }
    | {"style"}
)

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")


def find_blocks(markdown: str) -> list[tuple[int, int, str]]:
    """The ``evidence-table`` fenced blocks: (first line, line after the end, body).

    Lines count from 0. Other fenced code blocks are skipped whole, so a block shown as an
    example inside a longer fence stays an example.

    >>> find_blocks("text\\n```evidence-table\\nclaims: c.yaml\\n```\\n")
    [(1, 4, 'claims: c.yaml\\n')]
    """
    lines = markdown.splitlines(keepends=True)
    blocks: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i].rstrip("\n"))
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        end = i + 1
        while end < len(lines):
            closing = _FENCE.match(lines[end].rstrip("\n"))
            if (
                closing is not None
                and not closing["info"]
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
            ):
                break
            end += 1
        if opening["info"] == "evidence-table":
            blocks.append((i, min(end + 1, len(lines)), "".join(lines[i + 1 : end])))
        i = end + 1
    return blocks


class EvidenceConfig(Config):  # type: ignore[no-untyped-call]  # mkdocs hook untyped
    """The plugin's options in ``mkdocs.yml``."""

    bib = c.Type((str, list), default=[])
    snapshot = c.Optional(c.Type(str))
    offline = c.Type(bool, default=True)
    cache = c.Type(bool, default=True)
    cache_dir = c.Optional(c.Type(str))
    pubmed = c.Type(dict, default={})
    audience = c.Choice(AUDIENCES, default="reviewers")
    layout = c.Choice(LAYOUTS, default="detailed")
    style = c.Type(str, default="unsrt")
    warnings = c.Choice(("warn", "info"), default="warn")
    ignore = c.Type(list, default=[])
    bib_problems = c.Choice(BIB_PROBLEMS, default="cited")


class EvidencePlugin(BasePlugin[EvidenceConfig]):  # type: ignore[no-untyped-call]
    """Replaces each ``evidence-table`` fenced block by the table's HTML."""

    def __init__(self) -> None:
        # One cache for the plugin's life: `mkdocs serve` rebuilds re-parse only the
        # files whose content changed (the cache checks each file's digest).
        self.inputs = InputCache()
        self.watched: set[Path] = set()
        self._once = OncePerBuild()
        self._names: dict[Path, str] = {}
        self._base = Path.cwd()
        self._docs_dir = Path.cwd()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Note where relative paths in ``mkdocs.yml`` and in pages start from."""
        config_file = config.config_file_path
        self._base = Path(config_file).resolve().parent if config_file else Path.cwd()
        self._docs_dir = Path(config.docs_dir).resolve()
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Start each build (also each rebuild of ``mkdocs serve``) with no problems noted."""
        self._once = OncePerBuild()
        self._names = {}

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Report the problems found inside input files, once each for the whole build."""
        for notice in self._once.report(self.config.bib_problems):
            self._report(notice, "mkdocs.yml", self._names)

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Callable[..., Any]) -> Any:
        """Rebuild when a claims, .bib or snapshot file used by a page changes."""
        for path in sorted(self.watched):
            server.watch(str(path))
        return server

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Swap each block for its table (or a short note when it cannot be built)."""
        blocks = find_blocks(markdown)
        if not blocks:
            return markdown
        lines = markdown.splitlines(keepends=True)
        page_path = Path(page.file.abs_src_path or self._docs_dir / page.file.src_uri)
        out: list[str] = []
        done = 0
        for serial, (start, end, body) in enumerate(blocks, start=1):
            out += lines[done:start]
            where = f"{page.file.src_uri}:{start + 1}"
            out.append("\n" + self._table(body, page_path, where, serial) + "\n\n")
            done = end
        out += lines[done:]
        return "".join(out)

    # -- one block ------------------------------------------------------------------
    def _report(self, notice: Notice, where: str, names: Mapping[Path, str]) -> None:
        if notice.subtype in self.config.ignore:
            return
        if notice.path is not None:
            place = names.get(notice.path, str(notice.path))
            where = f"{place}:{notice.line}" if notice.line else place
        message = f"{where}: {notice.message} [evidence.{notice.subtype}]"
        if self.config.warnings == "info":
            log.info(message)
        else:
            log.warning(message)

    def _path(self, value: str, page: Path) -> Path:
        if value.startswith("/"):
            return (self._docs_dir / value.lstrip("/")).resolve()
        return (page.parent / value).resolve()

    def _options(self, body: str, where: str) -> dict[str, Any] | None:
        try:
            options = yaml.safe_load(body) or {}
        except yaml.YAMLError as error:
            self._report(Notice("option", f"the block is not valid YAML: {error}", None, None),
                         where, {})  # fmt: skip
            return None
        if not isinstance(options, dict) or "claims" not in options:
            self._report(
                Notice("option", "the block needs 'claims: path/to/claims.yaml'", None, None),
                where,
                {},
            )
            return None
        unknown = sorted(str(k) for k in options if k not in _OPTIONS)
        if unknown:
            self._report(
                Notice(
                    "option",
                    f"unknown option(s) {', '.join(unknown)}; the options are: "
                    f"{', '.join(sorted(_OPTIONS))}",
                    None,
                    None,
                ),
                where,
                {},
            )
        return options

    def _table(self, body: str, page: Path, where: str, serial: int) -> str:
        options = self._options(body, where)
        if options is None:
            return '<p class="evidence-error">The evidence table could not be built.</p>'
        config = self.config
        claims = self._path(str(options["claims"]), page)
        if "bib" in options:
            bibs = [self._path(str(b), page) for b in _as_list(options["bib"])]
        else:
            bibs = [(self._base / b).resolve() for b in _as_list(config.bib)]
        snapshot = None
        if options.get("snapshot"):
            snapshot = self._path(str(options["snapshot"]), page)
        elif config.snapshot:
            snapshot = (self._base / config.snapshot).resolve()
        names = {
            p: Path(os.path.relpath(p, self._base)).as_posix()
            for p in (claims, *bibs, *([snapshot] if snapshot else []))
        }
        request = TableRequest(
            claims=claims,
            bibs=tuple(bibs),
            snapshot=snapshot,
            names=names,
            claim_ids=_items(options.get("ids")),
            tags=_items(options.get("tags")),
            title=None if options.get("title") is None else str(options["title"]),
        )
        self.watched.update(request.inputs)
        settings = PubMedSettings(
            offline=config.offline,
            cache=config.cache,
            cache_dir=config.cache_dir,
            options=dict(config.pubmed),
        )
        built = build(request, self.inputs, settings)
        # Problems inside input files are reported once per build, after every page
        # (on_post_build), and only for entries some page cites.
        self._once.add((n for n in built.warnings if n.once), built.cited)
        self._names.update(names)
        for notice in built.warnings:
            if not notice.once:
                self._report(notice, where, names)
        if built.table is None:
            name = html.escape(names[claims])
            return (
                f'<p class="evidence-error">The evidence table for {name} could not be built; '
                "the build log says why.</p>"
            )
        audience = str(options.get("audience", config.audience))
        hidden = _items(options.get("hide-columns"))
        style, style_notice = checked_style(str(options.get("style", config.style)))
        if style_notice is not None:
            self._report(style_notice, where, names)
        try:
            parts, unknown = select_parts(
                built.table,
                audience=audience,
                layout=str(options.get("layout", config.layout)),
                hide_columns=hidden,
                style=style,
            )
        except ValueError as error:
            self._report(Notice("option", str(error), None, None), where, names)
            return '<p class="evidence-error">The evidence table could not be built.</p>'
        if unknown:
            columns = ", ".join(known_columns(built.table, audience))
            self._report(
                Notice("option", f"no column named {', '.join(unknown)}; the columns are: "
                       f"{columns}", None, None),
                where,
                names,
            )  # fmt: skip
        page_html = _html(built.table.title, parts, study_labels(built.table), audience, serial)
        for claim_id in _items(options.get("plot")):
            svg, refused = plot_html(built.table, claim_id, f"evidence-{serial}-plot-{claim_id}")
            if refused is not None:
                self._report(refused, where, names)
            page_html += svg
        return page_html


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return list(split_list(str(value))) if value else []


def _items(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return split_list(str(value)) if value is not None else ()


def _html(
    title: str,
    parts: list[Grid | Listing],
    labels: Mapping[str, tuple[str, int]],
    audience: str,
    serial: int,
) -> str:
    """The table's HTML, written by the render package's one HTML writer, with reference
    anchors unique to this block on the page and every study linked to its reference (from
    the cells' own study links; ``labels`` is not needed)."""
    return html_fragment(
        parts, audience=audience, title=title, prefix=f"evidence-{serial}", link_studies=True
    )
