"""The seed table under the documentation themes users pick, in headless Chromium: MkDocs
Material, furo and Read the Docs (issue 17, item 2). Each theme must style the evidence
tables as its own tables, and each table must fit the theme's content column (not cut off,
not wider than the text). A screenshot of each is kept beside the build for people to see.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_browser import browser, chromium_present, new_tab, serve  # noqa: F401 - fixtures
from test_sphinxext import project, sphinx_build

ROOTS = Path(__file__).parent / "roots"
WIDE = ("Evidence",)  # the reviewers' ten-column grid
# Each evidence table's width against its content column, and the styles a theme gives it.
MEASURE = r"""
((content) => {
  const area = document.querySelector(content);
  const box = area.getBoundingClientRect();
  const tables = [...document.querySelectorAll('.evidence-table table')].map((t) => {
    const r = t.getBoundingClientRect();
    const s = getComputedStyle(t);
    const cell = getComputedStyle(t.querySelector('td'));
    const head = getComputedStyle(t.querySelector('th'));
    return {
      caption: t.caption ? t.caption.textContent.replace('\u00b6', '').trim() : '',
      left: r.left, right: r.right, width: r.width, scrollWidth: t.scrollWidth,
      border: s.borderTopWidth + ' ' + s.borderTopStyle, shadow: s.boxShadow,
      fontSize: s.fontSize, cellPadding: cell.paddingLeft, cellBorder: cell.borderBottomWidth,
      headBackground: head.backgroundColor, headWeight: head.fontWeight,
      wrapped: t.parentElement.className, whiteSpace: cell.whiteSpace,
      scroller: (() => {
        for (let e = t.parentElement; e && e !== area; e = e.parentElement) {
          const o = getComputedStyle(e).overflowX;
          if (o === 'auto' || o === 'scroll') return o;
        }
        return 'visible';
      })(),
    };
  });
  // Cells holding one number (a PMID, 21/52, 40%): on how many lines each is printed.
  const numbers = [...document.querySelectorAll('.evidence-table td')]
    .filter((td) => /^[0-9][0-9/%.,()\u2013]*$/.test(td.textContent.trim()))
    .map((td) => {
      const tops = new Set();
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
      }
      return {text: td.textContent.trim(), lines: tops.size};
    });
  return JSON.stringify({
    area: {left: box.left, right: box.right, width: box.width}, tables, numbers,
  });
})
"""


def measure(root: str, url: str, content: str, shot: Path) -> dict[str, Any]:
    page = new_tab(root)
    page.open(url)
    found: dict[str, Any] = json.loads(page.evaluate(f"{MEASURE}({json.dumps(content)})"))
    page.screenshot(shot)
    assert shot.read_bytes()[:4] == b"\x89PNG"
    assert found["tables"], "no evidence table on the page"
    for table in found["tables"]:
        where = json.dumps([found["area"], table])
        if table["caption"].startswith(WIDE):
            # Ten columns do not fit a 700 px column: the table scrolls in its wrapper,
            # which stays inside the content column, so nothing is cut off.
            assert table["scroller"] in ("auto", "scroll"), where
            continue
        # Fits the content column: not wider than it, not sticking out of it.
        assert table["width"] <= found["area"]["width"] + 1, where
        # (furo's table wrapper sets its table 0.2rem in, for the shadow: 4 px of play)
        assert table["left"] >= found["area"]["left"] - 4, where
        assert table["right"] <= found["area"]["right"] + 4, where
        assert table["scrollWidth"] <= table["width"] + 1, where  # nothing hidden inside
    assert found["numbers"], "no number cell found"
    broken = [n for n in found["numbers"] if n["lines"] != 1]
    assert broken == [], broken  # a number is never split across lines
    # A site without a favicon makes the browser's own request for one fail: not the page's.
    assert [e for e in page.console_errors() if "favicon.ico" not in e] == []
    return found


def test_mkdocs_material(browser: str, serve: Any, tmp_path: Path) -> None:  # noqa: F811
    root = tmp_path / "site"
    shutil.copytree(ROOTS / "mkdocs", root)
    config = root / "mkdocs.yml"
    # No web fonts: the test has no network (the theme falls back to system fonts).
    config.write_text(config.read_text() + "theme:\n  name: material\n  font: false\n")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    site = root / "site"
    # Material lets tables use the content's side gutters (its scroll wrapper bleeds into
    # them), so the content area is .md-content, gutters included.
    found = measure(browser, f"{serve(site)}/index.html", ".md-content", tmp_path / "m.png")
    for table in found["tables"]:
        # Material's own table style: a thin border, its small type and its cell padding;
        # it applies to tables without a class attribute only.
        assert table["border"].endswith("solid"), table
        assert table["border"] != "0px solid", table
        assert table["fontSize"] == "12.8px", table  # .64rem of Material's 20px root
        assert table["headWeight"] == "700", table


def test_furo(browser: str, serve: Any, tmp_path: Path) -> None:  # noqa: F811
    build = sphinx_build(project(tmp_path, "seed"), html_theme="furo")
    assert build.status == 0
    assert build.warnings == ""
    found = measure(browser, f"{serve(build.outdir)}/index.html", "article", tmp_path / "f.png")
    for table in found["tables"]:
        assert table["shadow"] != "none", table  # furo's table.docutils has a shadow
        assert "table-wrapper" in table["wrapped"].split(), table  # furo's scroll wrapper


def test_read_the_docs(browser: str, serve: Any, tmp_path: Path) -> None:  # noqa: F811
    build = sphinx_build(project(tmp_path, "seed"), html_theme="sphinx_rtd_theme")
    assert build.status == 0
    assert build.warnings == ""
    found = measure(
        browser, f"{serve(build.outdir)}/index.html", ".rst-content", tmp_path / "r.png"
    )
    for table in found["tables"]:
        assert table["border"] == "1px solid", table  # .rst-content table.docutils
        assert table["wrapped"] == "wy-table-responsive", table  # the theme's wrapper
        assert table["whiteSpace"] == "normal", table  # prose wraps: no column cut off


def test_sphinx_default_theme(browser: str, serve: Any, tmp_path: Path) -> None:  # noqa: F811
    build = sphinx_build(project(tmp_path, "seed"))
    assert build.status == 0
    found = measure(browser, f"{serve(build.outdir)}/index.html", "div.body", tmp_path / "a.png")
    for table in found["tables"]:
        assert table["cellPadding"] != "0px", table  # alabaster's table.docutils cells
