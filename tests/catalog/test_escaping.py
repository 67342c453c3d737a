"""Text from the tree is never markup on any page: the sample registry with hostile text in every free-text value
(titles, summaries, descriptions, purposes, docs, team names, …) builds pages where that text is only ever escaped."""
from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from eventbus.catalog import build_catalog
from tests.conftest import REPO

EVIL = "\" onmouseover=\"x()\" <script>alert('x')</script> & é"
FREE = {"title", "summary", "description", "purpose", "doc", "reason", "notes", "note", "product_owner"}


def _mutate(x, key=None):
    if isinstance(x, dict):
        return {k: _mutate(v, k) for k, v in x.items()}
    if isinstance(x, list):
        return [_mutate(v, key) for v in x]
    return x + EVIL if isinstance(x, str) and key in FREE else x


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "tree"
    root.mkdir()
    for name in ("events", "consumers", "teams"):
        shutil.copytree(REPO / name, root / name)
    for f in REPO.glob("Pulumi*.yaml"):
        shutil.copy(f, root)
    for p in root.rglob("*"):
        if p.suffix == ".yaml" and not p.name.startswith("Pulumi"):
            doc = yaml.safe_load(p.read_text())
            if isinstance(doc, dict) and p.parent.name == "teams":
                doc["name"] = doc["name"] + EVIL
            p.write_text(yaml.safe_dump(_mutate(doc), allow_unicode=True))
        elif p.suffix == ".avsc":
            p.write_text(json.dumps(_mutate(json.loads(p.read_text())), indent=2))
    out = tmp_path_factory.mktemp("hostile-site") / "site"
    got = build_catalog(str(root), str(out), workers=1)
    assert got.load_problems == 0  # every hostile value is accepted: the pages do show it
    return out


class _Tags(HTMLParser):
    """Every element's tag and attributes, as a browser's parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_hostile_text_is_escaped_on_every_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html")) + sorted(hostile_site.rglob("*.svg"))
    shown = set()
    for p in pages:
        text = p.read_text(encoding="utf-8")
        parser = _Tags()
        parser.feed(text)
        for tag, attrs in parser.tags:
            assert not [a for a in attrs if a.startswith("on")], (p, tag, attrs)  # no event handler attribute
            if tag == "script":  # the site's own script, by file only
                assert "assets/app." in (attrs.get("src") or ""), (p, attrs)
        assert "<script>alert(" not in text, p
        rel = p.relative_to(hostile_site).parts
        if "&lt;script&gt;alert(" in text:
            shown.add(rel[0])
    # the hostile text is on the pages (escaped): events and their versions, applications, teams, the indexes, reviews
    assert {"events", "apps", "teams", "index.html", "reviews"} <= shown, shown


def test_hostile_text_reaches_every_kind_of_page(hostile_site):
    event = next(hostile_site.glob("events/*/*.html"))
    version = next(hostile_site.glob("events/*/*/v1.html"))
    app = next(p for p in hostile_site.glob("apps/*/*.html") if "&lt;script&gt;" in p.read_text())
    for p in (event, version, app):
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in p.read_text(encoding="utf-8"), p


def test_compliance_facts_flag_what_is_due():
    from eventbus.catalog.exporters.html import compliance_html

    assert compliance_html([]) == '<p class="muted">No compliance facts declared.</p>'
    assert compliance_html([{"label": "VASI id", "value": None}]) == '<p class="muted">No compliance facts declared.</p>'
    got = compliance_html([{"label": "ATO", "value": "<b>granted</b>", "days": -3}, {"label": "PTA", "value": "signed", "days": 10, "renew": True},
                           {"label": "PIA", "value": "signed", "days": 400, "renew": True}, {"label": "eMASS id", "value": None}])
    assert '<dd>&lt;b&gt;granted&lt;/b&gt; <span class="badge bad">expired 3 days ago</span></dd>' in got
    assert '<span class="badge warn">renew in 10 days</span>' in got
    assert '<span class="muted small">renew in 400 days</span>' in got
    assert "<dt>eMASS id</dt><dd>—</dd>" in got


def test_verdicts_say_safe_breaking_or_unchecked():
    from types import SimpleNamespace

    from eventbus.catalog.exporters.html import verdict_html

    def d(verdict, **kw):
        return SimpleNamespace(verdict=verdict, previous=1, number=2, mode="BACKWARD", mode_allows=True, who=lambda: [], **kw)

    assert verdict_html(d("first")) == '<span class="muted">—</span>'
    assert "not checked" in verdict_html(d("unchecked"))
    assert "readers on v1 and v2 read each other's records" in verdict_html(d("safe"))  # template text, not the tree's
    breaking = verdict_html(SimpleNamespace(verdict="breaking", mode="FULL", mode_allows=False, who=lambda: ["<i>old readers</i> fail"]))
    assert breaking.startswith('<span class="badge bad">breaking</span>')
    assert "&lt;i&gt;old readers&lt;/i&gt; fail." in breaking and "(mode FULL would refuse it)" in breaking


def _random_texts(alphabet: str, n: int = 5000):
    import random

    rnd = random.Random(7)
    yield from ("", "plain", "claims/claim_created", "é & <script>alert('x')</script> \"q\"")
    for _ in range(n):
        yield "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))


def test_the_page_escape_is_markupsafes():
    from markupsafe import Markup, escape

    from eventbus.catalog.exporters.html import _e

    class Html:
        def __html__(self):
            return "<i>kept</i>"

    values = [*_random_texts("ab&<>\"' é\n\x00{}"), 0, 12, 1.5, None, True, ("t",), Markup("<b>kept</b>"), Html()]
    assert [_e(v) for v in values] == [str(escape(v)) for v in values]


def test_the_diagram_escape_maps_what_xml_cannot_hold():
    from xml.sax.saxutils import escape as xml_escape

    from eventbus.catalog.diagram import escape

    for t in _random_texts("ab&<>\"' é\x00\x01\n\ufffe"):
        plain = xml_escape("".join("\ufffd" if (ord(c) < 0x20 and c not in "\t\n\r") or c == "\ufffe" else c for c in t))
        assert escape(t) == plain
        assert escape(t, {'"': "&quot;"}) == plain.replace('"', "&quot;")
