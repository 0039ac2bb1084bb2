"""The README's Python API run as a Jupyter notebook (nbclient, a real ipykernel): the table
shows as HTML, Markdown and LaTeX, the forest plot inline without ``%matplotlib inline``,
and the vocabulary columns sort and compare by meaning."""

from __future__ import annotations

import re
import shutil
from typing import Any

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

from evidence.table import VERDICT_ORDER

README_CODE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_code() -> str:
    match = README_CODE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert match, "the README has no Python example"
    return match.group(1)


def outputs(cell: Any) -> dict[str, Any]:
    """The display data of a cell's result, by MIME type."""
    found: dict[str, Any] = {}
    for output in cell.outputs:
        assert output.output_type != "error", "\n".join(output.get("traceback", []))
        found.update(output.get("data", {}))
    return found


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    work = tmp_path_factory.mktemp("notebook")
    shutil.copy(ROOT / "references.bib", work / "references.bib")
    (work / "docs" / "examples").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "examples" / "sacroiliac.yaml", work / "docs" / "examples")
    cells = [
        readme_code(),
        "table",
        "import pandas as pd\n"
        "levels = pd.Series(['low', 'high', 'very-low', 'moderate'],\n"
        "                   dtype=table.claims['certainty'].dtype)\n"
        "(list(levels.sort_values(ascending=False)), list(levels[levels >= 'low']),\n"
        " list(table.claims.sort_values('verdict')['verdict'].astype(str)))",
        "table.plot('not-every-patient')",
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute()
    return notebook, work


def test_readme_code_runs_and_writes_the_plot(executed: Any) -> None:
    notebook, work = executed
    outputs(notebook.cells[0])  # no error
    assert (work / "forest.png").read_bytes().startswith(b"\x89PNG")


def test_table_shows_as_html_markdown_and_latex(executed: Any) -> None:
    data = outputs(executed[0].cells[1])
    html = data["text/html"]
    assert '<div class="evidence-table' in html
    assert "text-align: left" in html  # prose cells are not right-aligned by Jupyter's CSS
    assert "Sacroiliac joint pain is not inevitable" in html
    markdown = data["text/markdown"]
    assert "| Claim |" in markdown or "| Claim" in markdown
    latex = data["text/latex"]
    assert "\\begin{longtable}" in latex
    assert "Sacroiliac joint pain is not inevitable" in latex


def test_categoricals_sort_and_compare_by_meaning(executed: Any) -> None:
    text = outputs(executed[0].cells[2])["text/plain"]
    ordered, at_least_low, verdicts = eval(text)  # a tuple of lists of strings
    assert ordered == ["high", "moderate", "low", "very-low"]
    assert at_least_low == ["low", "high", "moderate"]
    # Verdicts sort in the order the vocabulary lists them, not alphabetically.
    assert verdicts == sorted(verdicts, key=VERDICT_ORDER.index)
    assert verdicts[0] == "supported"
    assert "uncited" in verdicts


def test_plot_displays_inline(executed: Any) -> None:
    data = outputs(executed[0].cells[3])
    assert "image/png" in data
    assert "image/svg+xml" in data
