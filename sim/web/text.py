"""Markdown on the page, rendered here to HTML.

solara's own Markdown component loads KaTeX (for math) from `/_solara/cdn/`,
which the offline bundle does not hold; the page has no math, so its text is
rendered with the `markdown` package (tables included) and shown as HTML. The
text is the page's own (scenario files shipped with forcegen, the model's
sentences), never what a student types.
"""

from __future__ import annotations

import markdown as md
import solara

STYLE = """
.fg-md table { border-collapse: collapse; margin: 6px 0; }
.fg-md th, .fg-md td { border: 1px solid #ccc; padding: 2px 6px; font-size: 13px; }
.fg-md p { margin: 4px 0; }
"""


def html(text: str) -> str:
    """Markdown text as HTML."""
    return md.markdown(text, extensions=["tables"])


@solara.component
def Md(text: str, classes: list[str] | None = None) -> None:
    """Markdown text on the page."""
    solara.Style(STYLE)
    solara.HTML(tag="div", unsafe_innerHTML=html(text), classes=["fg-md", *(classes or [])])
