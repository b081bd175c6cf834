"""MkDocs hook: the tutorial notebook's links to other pages, made to work on the site.

The pages' generated tables and excerpts are committed into the Markdown itself
(``tools/docs_blocks.py`` writes them, ``tests/test_docs.py`` checks they are fresh), so the
site, GitHub and a clone show the same text and the build renders nothing. What is left is the
notebook: it links to pages by their Markdown sources (``outputs.md``), right in Jupyter and on
GitHub; MkDocs rewrites such links in Markdown pages but not in a notebook's HTML.

Loaded by ``mkdocs.yml`` (``hooks``).
"""

from __future__ import annotations

import re
from typing import Any

#: A link from the notebook to a page by its Markdown source (right in Jupyter, not on the site).
_MD_LINK = re.compile(r'href="(?![a-z]+:)([^"#]+)\.md(#[^"]*)?"')


def site_links(html: str) -> str:
    """Links to ``page.md`` as links to the built ``page.html`` (``use_directory_urls: false``).

    Examples:
        >>> site_links('<a href="outputs.md#time-series">')
        '<a href="outputs.html#time-series">'
    """
    return _MD_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', html)


def on_page_content(html: str, page: Any, **kwargs: Any) -> str:
    """MkDocs event: MkDocs rewrites Markdown pages' links, but not the notebook's."""
    return site_links(html) if page.file.src_uri.endswith(".ipynb") else html
