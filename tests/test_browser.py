"""The tables in a real browser: headless Chromium, driven over the DevTools protocol.

Two pages are checked: the standalone HTML report (``html-page``) of the sacroiliac example,
and the docs' example page, built by Sphinx with the project's own ``docs/conf.py``. Each is
served from 127.0.0.1 and opened in Debian's Chromium (``/usr/bin/chromium``; ``.ci/run``
installs it). The test reads what a reader would meet: every table laid out with a real
size and not covered by anything, PMID and DOI links that point at PubMed and doi.org for
exactly the identifier they show, in-page links that land on an element, and a console
with no errors. One screenshot is kept for people to look at.
"""

from __future__ import annotations

import base64
import functools
import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import websocket
from test_sphinxext import sphinx_build

import evidence

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def chromium_present() -> None:
    # Not a skip: a browser check that quietly does not run proves nothing.
    if not CHROMIUM.exists():
        pytest.fail(
            "needs Debian's chromium at /usr/bin/chromium: run scripts/install-browser "
            "(the README's test command does)"
        )


FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)

# Everything the page shows about its evidence tables, measured after layout.
PROBE = r"""
(() => {
  const tables = [...document.querySelectorAll('.evidence-table table')].map((t) => {
    t.scrollIntoView({block: 'center', inline: 'start'});
    const r = t.getBoundingClientRect();
    const style = getComputedStyle(t);
    const cell = t.tBodies[0] && t.tBodies[0].rows[0] && t.tBodies[0].rows[0].cells[0];
    let uncovered = false;
    if (cell) {
      const c = cell.getBoundingClientRect();
      const hit = document.elementFromPoint(c.left + c.width / 2, c.top + c.height / 2);
      uncovered = hit !== null && cell.contains(hit);
    }
    return {
      caption: t.caption ? t.caption.textContent.replace('\u00b6', '').trim() : '',
      width: r.width, height: r.height, rows: t.rows.length,
      visible: style.visibility === 'visible' && style.display !== 'none'
        && parseFloat(style.opacity) > 0,
      uncovered: uncovered,
    };
  });
  const links = [...document.querySelectorAll('.evidence-table a[href]')].map((a) => ({
    href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim(),
  }));
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  return JSON.stringify({tables, links, ids});
})()
"""


class Page:
    """One Chromium tab, over a DevTools websocket."""

    def __init__(self, url: str) -> None:
        self.socket = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.events: list[dict[str, Any]] = []
        self._id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.socket.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60.0) -> None:
        if any(e.get("method") == event for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            self.events.append(message)
            if message.get("method") == event:
                return
        raise TimeoutError(f"no {event} within {timeout} s")

    def open(self, url: str) -> None:
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"]))
        return result["result"]["value"]

    def console_errors(self) -> list[str]:
        errors = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(str(params["exceptionDetails"].get("text")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in (
                "error",
                "assert",
            ):
                errors.append(" ".join(str(a.get("value")) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(f"{params['entry'].get('text')} {params['entry'].get('url', '')}")
        return errors

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A headless Chromium with a fresh profile; yields its DevTools HTTP root."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start (exit status {process.poll()})")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def new_tab(root: str) -> Page:
    request = urllib.request.Request(f"{root}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(request, timeout=30) as answer:
        target = json.loads(answer.read())
    return Page(target["webSocketDebuggerUrl"])


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Any]:
    """Serve a folder on 127.0.0.1; returns the base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def check_page(page: Page, captions: set[str]) -> dict[str, Any]:
    """Assert what every evidence page must satisfy; return the probe's findings."""
    found: dict[str, Any] = json.loads(page.evaluate(PROBE))
    tables = {t["caption"]: t for t in found["tables"]}
    assert captions <= set(tables), tables
    for caption in captions:
        table = tables[caption]
        assert table["visible"], table
        assert table["uncovered"], table  # its first cell is what the reader sees there
        assert table["width"] > 200, table
        assert table["height"] > 40, table
        assert table["rows"] >= 2, table  # a header and at least one row

    expected = {"21463470", "12571491"}
    pmids = {link["text"]: link["href"] for link in found["links"] if link["text"].isdigit()}
    assert set(pmids) == expected
    for pmid, href in pmids.items():
        assert href == f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    dois = {link["text"]: link["href"] for link in found["links"] if link["text"].startswith("10.")}
    assert dois == {
        "10.1111/j.1526-4637.2011.01087.x": "https://doi.org/10.1111/j.1526-4637.2011.01087.x"
    }
    for link in found["links"]:
        if link["text"] == "PubMed":
            assert link["href"].removeprefix("https://pubmed.ncbi.nlm.nih.gov/")[:-1] in expected
        if link["raw"].startswith("#"):
            assert link["raw"][1:] in found["ids"], link  # in-page links land somewhere
    assert page.console_errors() == []
    return found


def test_standalone_report_in_chromium(browser: str, serve: Any, tmp_path: Path) -> None:
    claims = evidence.load_claims(ROOT / "docs" / "examples" / "sacroiliac.yaml")
    references = evidence.load_references(ROOT / "references.bib")
    table = evidence.build_table(claims, references, title=claims.title)
    (tmp_path / "report.html").write_text(table.render("html-page"), encoding="utf-8")

    page = new_tab(browser)
    page.open(f"{serve(tmp_path)}/report.html")
    found = check_page(page, {"Claims", "Evidence", "Pooled estimates (random effects)"})
    studies = [link for link in found["links"] if link["text"] == "Liliang 2011 [1]"]
    assert studies
    assert all(link["raw"] == "#ref-1" for link in studies)
    shot = tmp_path / "report.png"
    page.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_docs_example_page_in_chromium(browser: str, serve: Any, tmp_path: Path) -> None:
    # The project's docs, reduced to the example page (as the full build renders it).
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("_build"))
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    build = sphinx_build(docs, root_doc="example", include_patterns=["example.md"])
    assert build.status == 0
    assert build.warnings == ""

    page = new_tab(browser)
    page.open(f"{serve(build.outdir)}/example.html")
    check_page(page, {"Claims", "Evidence", "What the research says", "The studies"})
    # The directive's stylesheet was written and applied: wide tables scroll in their box.
    box = "document.querySelector('.evidence-table')"
    overflow = page.evaluate(f"getComputedStyle({box}).overflowX")
    assert overflow == "auto"
    page.screenshot(tmp_path / "example.png")
