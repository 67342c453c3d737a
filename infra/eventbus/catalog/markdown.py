"""Markdown of event descriptions, rendered safely.

markdown-it-py in CommonMark mode with raw HTML **off** (``<script>``, ``<img
onerror=…>`` and every other tag come out as text), its link validator on
(only ``http(s):``, ``mailto:`` and ``#`` links become links: ``javascript:``,
``data:``, ``file:`` and relative paths stay text), images off (an image would be a network request to wherever the
author pointed it), and headings pushed down two levels so a description never
competes with the page's own headings. External links get
``rel="noopener noreferrer nofollow"``.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

_SAFE_SCHEMES = ("http:", "https:", "mailto:", "#")


def _validate_link(url: str) -> bool:
    """Only web, mail and in-page links: ``javascript:`` & co. never, and relative paths neither
    (they point into the repository, not into the built site, so they would be dead links)."""
    return url.strip().lower().startswith(_SAFE_SCHEMES)


def _make() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": False})
    md.enable("table").enable("strikethrough")
    md.disable("image")
    md.validateLink = _validate_link
    return md


_MD = _make()


@lru_cache(maxsize=4096)
def render(text: str) -> str:
    """HTML of a Markdown text; safe to insert into a page as is."""
    if not text:
        return ""
    tokens = _MD.parse(text)
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{min(6, int(t.tag[1]) + 2)}"
        elif t.type == "inline" and t.children:
            for c in t.children:
                if c.type == "link_open":
                    href = str(c.attrGet("href") or "")
                    if href.startswith(("http:", "https:", "//")):
                        c.attrSet("rel", "noopener noreferrer nofollow")
    return _MD.renderer.render(tokens, _MD.options, {})
