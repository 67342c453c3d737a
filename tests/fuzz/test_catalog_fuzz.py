"""Fuzzing the catalog renderer (`eventbus.catalog`): the Markdown of descriptions and whole builds.

Properties: Markdown from a pull request never turns into active HTML (no raw tags, no
``javascript:``/``data:`` links, no images) and renders in bounded time, even on the inputs
that make Markdown parsers quadratic; a build of a mutated registry (one file fuzzed, or
hostile text in every free-text field) finishes in bounded time, raises nothing but
CatalogError, writes only inside its output folder, and never copies hostile markup into a page.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz import harness
from tests.fuzz.conftest import fuzz
from tests.fuzz.strategies import file_edit

catalog = pytest.importorskip("eventbus.catalog", reason="the catalog renderer is not in this tree")
from eventbus.catalog import CatalogError, build_catalog  # noqa: E402
from eventbus.catalog.markdown import render  # noqa: E402

MARKER = '<script>alert("x")</script>'
HOSTILE = [
    MARKER, "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))", "[a](JaVaScRiPt:alert(1))", "[a]( javascript:alert(1))", "[a](data:text/html,<b>x</b>)",
    "![i](https://evil.example/x.png)", "<a href=\"javascript:alert(1)\">a</a>", "<iframe src=//evil.example>", "[a](vbscript:x)", "<svg onload=alert(1)>",
    "[a](&#106;avascript:alert(1))", "[a](java\nscript:alert(1))", "<style>*{}</style>", "`<script>`", "<!-- -->", "&lt;script&gt;", "\x00", "\u202e",
]
MD_FRAGMENTS = HOSTILE + ["*", "**", "_", "__", "`", "```", "~~", "[", "]", "(", ")", "<", ">", "> ", "# ", "- ", "1. ", "|", "---", "\n", "\n\n", "    ", "\\", "&", "&amp;", "http://x", "a"]

BAD_TAGS = {"script", "iframe", "svg", "style", "object", "embed", "img", "form", "input", "base", "meta", "link"}


def _active_markup(html: str, tags: bool = True, handlers: bool = True) -> list[str]:
    """Tags, event handlers and script/data links in HTML that could run or load something.
    (A whole page has tags of its own: check it with tags=False, handlers=False.)"""
    from html.parser import HTMLParser

    found: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tags and tag in BAD_TAGS:
                found.append(f"<{tag}>")
            for name, value in attrs:
                v = re.sub(r"[\x00-\x20]", "", value or "").lower()  # browsers ignore controls and spaces in schemes
                if handlers and name.startswith("on"):
                    found.append(f"{tag} {name}={value!r}")
                if name in ("href", "src", "action", "formaction", "xlink:href") and v.startswith(("javascript:", "vbscript:", "data:")):
                    found.append(f"{tag} {name}={value!r}")

    P(convert_charrefs=True).feed(html)
    return found


@fuzz(300)
@given(st.lists(st.sampled_from(MD_FRAGMENTS), max_size=60).map("".join))
@example("> " * 5000 + "x")
@example("*a " * 5000)
@example("[" * 5000 + "]" * 5000)
@example("<" * 20000)
@example("`" * 10000)
def test_markdown_is_inert(text):
    harness.EXECUTIONS["markdown"] += 1
    with harness.time_limit(10, "markdown"):
        html = render(text)
    assert not _active_markup(html), (text, html)


@fuzz(300)
@given(st.text(max_size=300))
def test_markdown_random_text(text):
    harness.EXECUTIONS["markdown"] += 1
    with harness.time_limit(10, "markdown"):
        html = render(text)
    assert not _active_markup(html), (text, html)


_OUT = tempfile.mkdtemp(prefix="eventbus-fuzz-catalog-")


def _build(root: str) -> Path:
    out = Path(_OUT) / "site"
    shutil.rmtree(out, ignore_errors=True)
    before = set(os.listdir(_OUT))
    with harness.time_limit(30, "catalog build"):
        try:
            build_catalog(root, str(out), workers=1)
        except CatalogError as exc:
            assert str(exc)
    assert set(os.listdir(_OUT)) <= before | {"site"}, "the build wrote beside its output folder"
    return out


def _pages(out: Path):
    for p in out.rglob("*.html"):
        yield p, p.read_text(encoding="utf-8", errors="replace")


@fuzz(25, deadline_s=30, heavy=True)
@given(file_edit())
def test_build_on_fuzzed_files(edit):
    slot, data = edit
    tree = harness.base_tree()
    harness.EXECUTIONS["catalog"] += 1
    tree.write(slot, data)
    try:
        before = tree.digest()
        _build(tree.root)
        assert tree.digest() == before, "the catalog build modified the registry"
    finally:
        tree.restore()


@fuzz(25, deadline_s=30, heavy=True)
@given(st.sampled_from(HOSTILE), st.sampled_from(["title", "summary", "description", "tags", "purpose", "doc", "team-name", "source"]))
def test_hostile_text_stays_text(payload, where):
    """Hostile markup in any free-text field a pull request controls is shown as text."""
    from tests.conftest import Tree

    harness.EXECUTIONS["catalog"] += 1
    root = Path(_OUT) / "tree"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    t = Tree(root)
    meta = t.events["claims/claim_created"]["meta"]
    if where in ("title", "summary", "description"):
        meta[where] = (payload + " padding text")[:120] if where == "title" else payload + " and some more words to be long enough"
    elif where == "tags":
        meta["tags"] = [payload]
    elif where == "purpose":
        t.consumers["notify/notifier"]["subscriptions"][0]["purpose"] = payload + " and some more words"
    elif where == "doc":
        t.events["claims/claim_created"]["versions"][-1]["fields"][0]["doc"] = payload
    elif where == "team-name":
        t.teams["notify"]["name"] = payload + " team"
    else:
        meta["source_systems"] = [{"name": payload[:80]}]
    t.write()
    out = _build(str(root))
    raw_tag = re.search(r"<[^<>]*>?", payload)
    for page, html in _pages(out):
        rel = page.relative_to(out)
        if raw_tag and raw_tag.group(0) not in ("<!-- -->",) and len(raw_tag.group(0)) > 2:
            assert raw_tag.group(0) not in html, f"{where}={payload!r} came out as markup in {rel}"
        links = _active_markup(html, tags=False, handlers=False)
        assert not links, f"{where}={payload!r}: active link in {rel}: {links}"
        # a link is fine (the reader chooses to follow it); anything loaded by itself is not
        assert "evil.example" not in "".join(re.findall(r"\ssrc\s*=\s*[\"'][^\"']*", html)), f"{where}={payload!r}: request to evil.example in {rel}"
