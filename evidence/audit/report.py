"""The audit's findings for people: articles that cite retracted work, as HTML and Markdown.

Read from the Parquet output by :func:`evidence.audit.run.load_audit`. For each article
citing a retracted publication: the article, and for each such citation the citing
sentence with its location, the cited PMID and the retraction notice(s). Expressions of
concern and corrections are counted in the summary but not listed as retractions (they
are not). Partitions that did not finish are said at the top, so a partial audit never
reads as a clean one.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["render_report"]


def _findings(citations: Any) -> list[tuple[str, str, list[dict[str, Any]]]]:
    hits = citations[citations["status"] == "retracted"]
    grouped: list[tuple[str, str, list[dict[str, Any]]]] = []
    for (article, source), rows in hits.groupby(["article", "source"], sort=True):
        grouped.append((str(article), str(source), rows.to_dict("records")))
    return grouped


def render_report(citations: Any, articles: Any, manifest: dict[str, Any]) -> tuple[str, str]:
    """``(html, markdown)`` of the audit whose tables and manifest are given."""
    findings = _findings(citations)
    counts = {
        "articles": len(articles),
        "citations": len(citations),
        "retracted": int((citations["status"] == "retracted").sum()),
        "concern": int((citations["status"] == "expression-of-concern").sum()),
        "corrected": int((citations["status"] == "corrected").sum()),
        "errors": int(articles["error"].notna().sum()),
    }
    summary = (
        f"{counts['articles']} articles, {counts['citations']} citations; "
        f"{counts['retracted']} citations of retracted work in {len(findings)} articles; "
        f"{counts['concern']} of work with an expression of concern; "
        f"{counts['corrected']} of corrected work; {counts['errors']} articles unreadable."
    )
    gaps = list(manifest.get("missing", [])) + list(manifest.get("failed", {}))
    warning = (
        f"INCOMPLETE: {len(gaps)} partition(s) did not finish; rerun the audit." if gaps else ""
    )
    md = ["# Citations of retracted work", "", summary, ""]
    page = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Citations of retracted work</title>',
        "</head><body>",
        "<h1>Citations of retracted work</h1>",
        f"<p>{html.escape(summary)}</p>",
    ]
    if warning:
        md += [f"**{warning}**", ""]
        page.append(f"<p><strong>{html.escape(warning)}</strong></p>")
    for article, source, rows in findings:
        md += [f"## {article}", "", f"`{source}`", ""]
        page += [f"<h2>{html.escape(article)}</h2>", f"<p><code>{html.escape(source)}</code></p>"]
        page.append("<ul>")
        for row in rows:
            notices = f"; notice PMID {row['notices']}" if row["notices"] else ""
            cited = f"PMID {row['cited_pmid']}{notices}"
            md.append(f"- {row['location']}: \u201c{row['sentence']}\u201d \u2014 cites {cited}")
            page.append(
                f"<li><code>{html.escape(str(row['location']))}</code>: "
                f"<q>{html.escape(str(row['sentence']))}</q> cites {html.escape(cited)}</li>"
            )
        md.append("")
        page.append("</ul>")
    page.append("</body></html>")
    return "\n".join(page) + "\n", "\n".join(md).rstrip() + "\n"
