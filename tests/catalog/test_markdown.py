"""Descriptions are Markdown rendered safely: no raw HTML, no script URLs, no remote images."""
from __future__ import annotations

import pytest

from eventbus.catalog.markdown import render

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[ref][r]\n\n[r]: javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<div onclick=alert(1)>x</div>",
    "![x](https://tracker.example/pixel.png)",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_come_out_inert(text):
    html = render(text).lower()
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<svg" not in html and "<div" not in html
    assert "href=\"javascript:" not in html and "href=\"vbscript:" not in html and "href=\"data:" not in html
    assert "onerror=" not in html.replace("&lt;img src=x onerror=", "") and " onclick=" not in html.replace("&lt;div onclick=", "")
    assert "src=" not in html.replace("&lt;img src=", "").replace("&lt;iframe src=", "")


def test_markdown_still_renders():
    html = render("# Title\n\nSome **bold**, `code`, a [link](https://www.va.gov) and\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- item")
    assert "<h3>Title</h3>" in html  # headings pushed below the page's own
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html and "<table>" in html and "<li>item</li>" in html
    assert '<a href="https://www.va.gov" rel="noopener noreferrer nofollow">link</a>' in html


def test_relative_links_stay_text():
    # they point into the repository, not into the site: a link would be dead
    assert "<a " not in render("[readme](../README.md)")
