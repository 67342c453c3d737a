"""The catalog in a real browser (Debian's Chromium, headless, driven by Playwright): search, filters, links,
console, accessibility (axe-core), screenshots, and descriptions that try to run script.

Needs `/usr/bin/chromium` (apt-get install chromium) and node_modules/axe-core (npm ci). Without them the tests
skip, except under CI=true where a missing tool is a failure."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from eventbus.catalog import build_catalog
from eventbus.catalog.model import build_model
from eventbus.load.registry import load_registry
from tests.catalog.conftest import ARTIFACTS, NODE_MODULES, require_tool
from tests.conftest import REPO

pytestmark = pytest.mark.browser

AXE = NODE_MODULES / "axe-core/axe.min.js"


class Watch:
    """Console errors, page errors, failed requests and any request that leaves the site."""

    def __init__(self, page, allowed_prefix: str):
        self.problems: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(f"console {m.type}: {m.text} ({page.url})"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        # ERR_ABORTED: a request cut short because the test navigated on (e.g. the favicon); a missing file is ERR_FILE_NOT_FOUND
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "") and self.problems.append(f"request failed: {r.url} {r.failure} ({page.url})"))

        def route(r):
            if r.request.url.startswith(allowed_prefix) or r.request.url.startswith("data:"):
                r.continue_()
            else:
                self.external.append(r.request.url)
                r.abort()

        page.route("**/*", route)


@pytest.fixture()
def page(browser, sample_site):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.watch = Watch(pg, sample_site.resolve().as_uri())
    yield pg
    ctx.close()


def wait_until(pg, js: str, timeout: float = 5.0) -> None:
    """Poll a JS expression with page.evaluate (wait_for_function evaluates strings, which the site's CSP forbids)."""
    import time

    end = time.monotonic() + timeout
    while not pg.evaluate(js):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {js}")
        pg.wait_for_timeout(25)


def url(site: Path, rel: str) -> str:
    return (site / rel).resolve().as_uri()


def visible_refs(pg) -> list[str]:
    return pg.eval_on_selector_all("#event-table tbody tr:not([hidden]) code.ref", "els => els.map(e => e.textContent)")


def expected_matches(term: str) -> set[str]:
    """What the index should show for one search word: the same rule as app.js, computed from the model."""
    from eventbus.desired import compute
    from eventbus.load.stacks import load_stacks

    reg = load_registry(str(REPO)).registry
    cat = build_model(reg, [(st, compute(reg, st)) for st in load_stacks(str(REPO))])
    t = term.lower()
    out = set()
    for i in cat.events:
        e = i.event
        topics = [v.topic(e.ref).name for v in cat.stacks if v.topic(e.ref)]
        text = " ".join([e.title, e.ref, e.summary, e.domain, e.owner, cat.team_name(e.owner), *e.tags, e.description, *topics,
                         *(s.purpose for _, s in i.subscribers)]).lower()
        if t in text or any(t in f.lower() for f in i.search_fields):
            out.add(e.ref)
    return out


def test_search_finds_events_by_field_name(page, sample_site):
    page.goto(url(sample_site, "index.html"))
    wait_until(page, "window.EEB_SEARCH !== undefined")
    page.fill("#q", "claimid")
    wait_until(page, "document.getElementById('count').textContent.includes(' of ')")
    shown = set(visible_refs(page))
    assert shown == expected_matches("claimid")
    assert {"claims/contention_created", "benefits/decision_letter_availability"} <= shown
    hits = page.inner_text("#event-table tbody tr:not([hidden]) .hits:not([hidden])")
    assert "ClaimId" in hits
    # the field is not in any title: the search data (loaded lazily) found it
    assert all("claimid" not in t.lower() for t in page.eval_on_selector_all("#event-table tbody tr:not([hidden]) a.ev", "els => els.map(e => e.textContent)"))
    # a Veteran's ICN (nested and top-level fields), case-insensitively
    page.fill("#q", "ICN")
    page.wait_for_timeout(150)
    assert set(visible_refs(page)) == expected_matches("icn") and visible_refs(page)
    page.fill("#q", "zzz-no-such-thing")
    page.wait_for_timeout(150)
    assert visible_refs(page) == [] and page.is_visible("#empty")
    assert not page.watch.problems and not page.watch.external


@pytest.mark.parametrize("width", [1366, 390])
def test_rows_search_and_filters_hide_are_not_drawn(browser, sample_site, width):
    """What the search and the filters leave out is not drawn at any width (on a phone the rows are cards, and a
    card's display must not override the hiding)."""
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    pg.goto(url(sample_site, "index.html"))
    wait_until(pg, "window.EEB_SEARCH !== undefined")
    drawn = "[...document.querySelectorAll('#event-table tbody tr')].filter(r => r.getClientRects().length).map(r => r.dataset.ref)"
    for how, value in (("search", "prescription"), ("domain", "health")):
        if how == "search":
            pg.fill("#q", value)
            wait_until(pg, "document.getElementById('count').textContent.includes(' of ')")
        else:
            pg.fill("#q", "")
            pg.select_option("#f-domain", value)
        pg.wait_for_timeout(150)
        shown = set(visible_refs(pg))
        assert shown and len(shown) < pg.locator('#event-table tbody tr').count() and set(pg.evaluate(drawn)) == shown, (width, how)
    ctx.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_application_and_team_lists_narrow_as_you_type(browser, sample_site, width):
    """The applications and teams lists keep the rows holding every word typed (any case), say how many, and come
    back whole when the box is cleared."""
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    watch = Watch(pg, sample_site.resolve().as_uri())
    for rel, table, words in (("apps/index.html", "#app-table", "VA-Notify notifier"), ("teams/index.html", "#team-table", "claims")):
        pg.goto(url(sample_site, rel))
        box = pg.locator("[data-table-filter]")
        assert box.is_visible()
        rows = pg.locator(f"{table} tbody tr")
        total = rows.count()
        texts = [" ".join(t.lower().split()) for t in rows.all_text_contents()]
        want = [i for i, t in enumerate(texts) if all(w in t for w in words.lower().split())]
        assert 0 < len(want) < total, (rel, want)
        box.locator("input").fill(words)
        drawn = pg.evaluate(f"[...document.querySelectorAll('{table} tbody tr')].map((r, i) => r.getClientRects().length ? i : -1).filter(i => i >= 0)")
        assert drawn == want, (rel, width)
        assert box.locator(".result-count").inner_text() == f"{len(want)} of {total} " + ("applications" if "app" in table else "teams")
        box.locator("input").fill("")
        assert pg.evaluate(f"[...document.querySelectorAll('{table} tbody tr')].filter(r => r.getClientRects().length).length") == total
    assert not watch.problems
    ctx.close()


def test_filters_and_shareable_state(page, sample_site):
    reg = load_registry(str(REPO)).registry
    page.goto(url(sample_site, "index.html"))
    page.select_option("#f-domain", "health")
    assert set(visible_refs(page)) == {e.ref for e in reg.events if e.domain == "health"}
    page.select_option("#f-domain", "")
    page.select_option("#f-lifecycle", "deprecated")
    assert set(visible_refs(page)) == {e.ref for e in reg.events if e.lifecycle == "deprecated"}
    page.select_option("#f-lifecycle", "")
    page.select_option("#f-class", "PII")
    page.select_option("#f-owner", "claims-platform")
    assert set(visible_refs(page)) == {e.ref for e in reg.events if e.classification == "PII" and e.owner == "claims-platform"}
    assert "classification=PII" in page.url and "owner=claims-platform" in page.url
    page.click("#reset")
    page.wait_for_timeout(50)
    assert len(visible_refs(page)) == len(reg.events)
    # a link with the state in its fragment (the bus map links domains this way)
    page.goto(url(sample_site, "index.html") + "#domain=claims&q=contention")
    wait_until(page, "window.EEB_SEARCH !== undefined")
    page.wait_for_timeout(100)
    assert set(visible_refs(page)) == {e.ref for e in reg.events if e.domain == "claims" and "contention" in (e.ref + e.title + e.summary).lower()}
    assert page.input_value("#q") == "contention"
    assert not page.watch.problems and not page.watch.external


def _crawl(pg, start: str, in_site, check_resource) -> set[str]:
    """Visit every page reachable from ``start``; hand every other same-site URL to ``check_resource``."""
    seen: set[str] = set()
    todo = [start]
    anchors: set[str] = set()
    ids: dict[str, set[str]] = {}
    while todo:
        u = todo.pop()
        if u in seen:
            continue
        seen.add(u)
        if not urlsplit(u).path.endswith(".html"):
            check_resource(u)  # documents and assets: a browser would download or show them
            continue
        resp = pg.goto(u)
        assert resp is None or resp.ok, f"{u}: {resp.status}"
        ids[u] = set(pg.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        links = pg.eval_on_selector_all(
            "a[href], link[href], script[src], img[src]",
            # SVG links have an SVGAnimatedString href: resolve its value against the page
            "els => els.map(e => typeof e.href === 'string' ? e.href : e.href ? new URL(e.href.baseVal, document.baseURI).href : e.src)")
        for link in links:
            target, frag = urldefrag(link)
            if not in_site(target):
                continue
            if frag and "=" not in frag and target.endswith(".html"):
                anchors.add(link)
            if target not in seen:
                todo.append(target)
    missing = [link for link in sorted(anchors) if urldefrag(link)[1] not in ids.get(urldefrag(link)[0], set())]
    assert not missing, f"missing anchors: {missing[:5]}"
    return seen


def test_every_link_resolves_over_file_urls(page, sample_site):
    base = sample_site.resolve().as_uri() + "/"
    missing = []

    def exists(u):
        if not Path(urlsplit(u).path).is_file():
            missing.append(u)

    seen = _crawl(page, base + "index.html", lambda t: t.startswith(base), exists)
    assert not missing
    on_disk = {p.resolve().as_uri() for p in sample_site.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert on_disk <= seen, sorted(on_disk - seen)[:5]  # every file of the site is reachable from the index
    assert not page.watch.problems, page.watch.problems[:5]
    assert not page.watch.external


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_every_link_resolves_over_http(browser, sample_site):
    """Served by a static server: every request (pages, assets, favicon, documents) answers 200."""
    handler = functools.partial(_Quiet, directory=str(sample_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    ctx = browser.new_context()
    pg = ctx.new_page()
    watch = Watch(pg, base)
    statuses: list[tuple[str, int]] = []
    pg.on("response", lambda r: statuses.append((r.url, r.status)))
    def fetch(u):
        statuses.append((u, pg.request.get(u).status))

    try:
        _crawl(pg, base + "index.html", lambda t: t.startswith(base), fetch)
    finally:
        ctx.close()
        server.shutdown()
    bad = [(u, s) for u, s in statuses if s >= 400]
    assert not bad and not watch.problems and not watch.external, (bad[:5], watch.problems[:5], watch.external[:5])
    assert len({u for u, _ in statuses}) > 40


VIEWS = ("index.html", "events/claims/contention_created.html", "events/claims/contention_created/v2.html",
         "events/forms/submission_trace_form_status_change.html", "events/claims/status.html", "teams/claims-platform.html",
         "teams/index.html", "apps/va-notify/refill-notifier.html", "apps/index.html", "fields.html", "map.html", "map/claims.html",
         "reviews/sensitive.html", "reviews/deprecations.html", "reviews/compliance.html", "downloads.html")


def test_accessibility_axe_and_screenshots(browser, sample_site):
    """axe-core on every view at laptop and phone width; no view scrolls sideways (tables wrap or turn into cards)."""
    require_tool(AXE, "axe-core", "run `npm ci` at the repository root (package.json lists axe-core)")
    ARTIFACTS.mkdir(exist_ok=True)
    results = {}
    overflow = []
    shots = {"index.html": "catalog-index", "events/claims/contention_created.html": "catalog-event", "teams/claims-platform.html": "catalog-team",
             "events/claims/contention_created/v2.html": "catalog-version", "reviews/sensitive.html": "catalog-review"}
    for rel in VIEWS:
        for width in (1280, 390):
            # axe is injected as a script: the site's Content-Security-Policy (script-src 'self') would refuse it
            ctx = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            pg = ctx.new_page()
            pg.goto(url(sample_site, rel))
            pg.wait_for_load_state("load")
            shot = shots.get(rel)
            if shot:
                suffix = "" if width == 1280 else "-phone"
                pg.screenshot(path=str(ARTIFACTS / f"{shot}{suffix}.png"), full_page=(shot == "catalog-event" and width == 1280))
            pg.add_script_tag(path=str(AXE))
            res = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            serious = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in res["violations"]
                       if v["impact"] in ("serious", "critical")]
            results[f"{rel}@{width}"] = serious
            if not pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
                overflow.append(f"{rel}@{width}")
            ctx.close()
    assert all(not v for v in results.values()), {k: v for k, v in results.items() if v}
    assert not overflow, f"pages that scroll sideways: {overflow}"
    assert (ARTIFACTS / "catalog-index.png").stat().st_size > 10_000 and (ARTIFACTS / "catalog-event.png").stat().st_size > 10_000


@pytest.mark.parametrize("width", [1366, 1024, 768, 390, 320])
def test_tables_fit_at_every_width(browser, sample_site, width):
    """Tables never push past their box: every cell's right edge stays inside the page, no table scrolls sideways,
    and nothing in an overview card passes the card's edge."""
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    pg = ctx.new_page()
    for rel in ("events/claims/contention_created.html", "events/forms/submission_trace_form_status_change.html",
                "events/claims/contention_created/v2.html", "reviews/sensitive.html", "apps/va-notify/claim-status-notifier.html",
                "apps/index.html", "teams/index.html", "teams/claims-platform.html", "fields.html", "index.html", "reviews/deprecations.html",
                "reviews/compliance.html", "downloads.html"):
        pg.goto(url(sample_site, rel))
        wide = pg.evaluate("""() => [...document.querySelectorAll('.table-wrap.fit td, .table-wrap.fit th')]
            .filter(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(c => c.textContent.slice(0, 40))""")
        assert not wide, (rel, width, wide[:5])
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (rel, width)
        # no table is read by scrolling it sideways
        scrolling = pg.evaluate("[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.textContent.slice(0, 40))")
        assert not scrolling, (rel, width, scrolling)
        # nor does anything in an overview card (owner, at a glance, compliance) spill out of it
        spill = pg.evaluate("""() => [...document.querySelectorAll('.card')].flatMap(card => {
            const edge = card.getBoundingClientRect().right + 1;
            return [...card.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > edge).map(el => el.textContent.slice(0, 40)); })""")
        assert not spill, (rel, width, spill[:5])
        if width <= 390:  # narrow: rows are cards, each value labelled
            assert pg.evaluate("[...document.querySelectorAll('table.fields thead, table.cardable thead')].every(h => getComputedStyle(h).display === 'none')")
            # and a table's caption spans its cards (not squeezed into a column a word wide)
            squeezed = pg.evaluate("""() => [...document.querySelectorAll('table.fields caption, table.cardable caption')]
                .filter(c => !c.classList.contains('sr-only') && c.getClientRects().length && c.getBoundingClientRect().width < 0.9 * c.closest('table').getBoundingClientRect().width)
                .map(c => c.textContent.slice(0, 40))""")
            assert not squeezed, (rel, width, squeezed)
    # a stack's topic settings as cards sit side by side (a row of them at laptop width, two at phone width), not one per line
    pg.goto(url(sample_site, "events/claims/contention_created.html"))
    tops = pg.evaluate("""() => { const r = document.querySelector('table.topics tbody tr');
        return [...r.querySelectorAll('td[data-label]')].slice(1).map(c => Math.round(c.getBoundingClientRect().top)); }""")
    assert len(tops) == 6 and len(set(tops)) <= (1 if width >= 1366 else 2 if width >= 768 else 3), (width, tops)
    ctx.close()


def test_keyboard_skip_link_and_search_shortcut(page, sample_site):
    page.goto(url(sample_site, "events/claims/contention_created.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.goto(url(sample_site, "index.html"))
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    wait_until(page, "window.EEB_SEARCH !== undefined")
    # the application selector refills the ready-to-paste settings
    page.goto(url(sample_site, "events/health/prescription_refill_requested.html"))
    sel = page.locator("select[data-fill]").first
    options = sel.locator("option").all_inner_texts()
    assert options[0].startswith("placeholders") and sel.input_value() == options[0]
    scope = sel.get_attribute("data-fill")
    assert "<GROUP_ID>" in page.inner_text(f"#{scope} pre")
    assert not page.watch.problems


XSS = {
    "description": "Hello <script>window.__pwned = 'script'</script>\n\n<img src=x onerror=\"window.__pwned='img'\">\n\n"
                   "[click me](javascript:window.__pwned='link') and [data](data:text/html,<script>window.__pwned='data'</script>)\n\n"
                   "<a href=\"javascript:window.__pwned='raw-a'\">raw</a> <div onmouseover=\"window.__pwned='div'\">hover</div>\n\n"
                   "<iframe src=\"javascript:window.__pwned='iframe'\"></iframe> <svg onload=\"window.__pwned='svg'\"></svg>",
    "title": "Claim created <script>window.__pwned='title'</script>",
    "summary": "A claim was established <img src=x onerror=\"window.__pwned='summary'\"> in the claims system.",
}


def test_descriptions_cannot_run_script(browser, tree, tmp_path):
    ev = tree.events["claims/claim_created"]
    ev["meta"].update(XSS)
    tree.consumers["notify/notifier"]["subscriptions"][0]["purpose"] = "Tell Veterans <script>window.__pwned='purpose'</script> their claim was received."
    tree.consumers["notify/notifier"]["compliance"]["data_sharing_agreement"] = "DSA-<img src=x onerror=\"window.__pwned='dsa'\">"
    tree.consumers["notify/notifier"]["description"] = "Sends <svg onload=\"window.__pwned='app'\"></svg> notifications."
    tree.teams["claims-team"]["name"] = "Claims <script>window.__pwned='team'</script> team"
    hostile_doc = "The id \" onmouseover=\"window.__pwned='attr'\" <script>window.__pwned='doc'</script>"
    for v in ev["versions"]:
        v["fields"][0]["doc"] = hostile_doc
    ev["examples"] = {"one.json": {"claimId": 1, "status": "OPEN", "note": "</code></pre><script>window.__pwned='example'</script>"}}
    tree.write()
    site = tmp_path / "site"
    build_catalog(str(tree.root), str(site))
    # without the site's Content-Security-Policy: the rendering alone must keep script from running
    ctx = browser.new_context(bypass_csp=True)
    pg = ctx.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    watch = Watch(pg, site.resolve().as_uri())
    for rel in ("events/claims/claim_created.html", "events/claims/claim_created/v2.html", "index.html", "apps/notify/notifier.html", "fields.html",
                "map.html", "map/claims.html", "teams/claims-team.html", "reviews/sensitive.html", "reviews/deprecations.html",
                "reviews/compliance.html", "downloads.html", "apps/index.html"):
        pg.goto(url(site, rel))
        pg.wait_for_load_state("load")
        if rel == "index.html":
            wait_until(pg, "window.EEB_SEARCH !== undefined")
            pg.fill("#q", "script")
            pg.wait_for_timeout(100)
        if rel == "events/claims/claim_created.html":
            pg.hover("table.fields td.doc >> nth=0")
            for d in pg.locator("details.connect").all():
                d.evaluate("el => el.open = true")
            for sel in pg.locator("select[data-fill]").all():  # the fill-in values are set with textContent
                for i in range(sel.locator("option").count()):
                    sel.select_option(index=i)
            assert "window.__pwned='example'" in pg.text_content("#connect")  # the hostile example is shown as text
        if rel == "events/claims/claim_created.html":
            prose = pg.locator(".prose")
            assert "<script>" in prose.inner_text()  # shown as text, not run
            assert pg.locator(".prose script, .prose img, .prose iframe, .prose svg, .prose div[onmouseover]").count() == 0
            for link in prose.locator("a").all():
                link.click(no_wait_after=True)
            pg.hover(".prose")
        assert pg.evaluate("window.__pwned") is None, rel
        assert pg.locator("a[href^='javascript:' i], a[href^='data:' i], iframe").count() == 0
        assert pg.evaluate("[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length") == 0
    assert not dialogs and not watch.external
    ctx.close()


def test_search_ranks_name_and_field_hits_first(page, sample_site):
    page.goto(url(sample_site, "index.html"))
    wait_until(page, "window.EEB_SEARCH !== undefined")
    page.fill("#q", "status")
    page.wait_for_timeout(150)
    shown = visible_refs(page)
    assert set(shown) == expected_matches("status")
    reg = {e.ref: e for e in load_registry(str(REPO)).registry.events}
    cat = build_model(load_registry(str(REPO)).registry, [])
    strong = {i.ref for i in cat.events if "status" in (i.event.title + " " + i.ref).lower() or any("status" in f.lower() for f in i.search_fields)}
    ranks = [r in strong for r in shown]
    assert ranks == sorted(ranks, reverse=True) and any(ranks) and not all(ranks), shown  # strong hits, then description/purpose hits
    # a word only in a consumer's purpose finds the event
    purpose_word = "medications"  # only in refill-tracker's purpose
    page.fill("#q", purpose_word)
    page.wait_for_timeout(150)
    assert set(visible_refs(page)) == expected_matches(purpose_word) and visible_refs(page)
    # the field hit links to the field's row on the event page
    page.fill("#q", "ContentionClassificationName")
    page.wait_for_timeout(150)
    link = page.locator("#event-table tbody tr:not([hidden]) .hits a[href*='contention_created']").first
    href = link.get_attribute("href")
    assert href.endswith("contention_created.html#value-f-ContentionClassificationName")
    link.click()
    page.wait_for_load_state("load")
    assert page.evaluate("document.getElementById('value-f-ContentionClassificationName').getBoundingClientRect().top") < 900
    assert reg and not page.watch.problems and not page.watch.external


def test_version_pages_navigation(page, sample_site):
    page.goto(url(sample_site, "events/claims/claim_lifecycle_status.html"))
    page.click("#history table a[href$='v1.html']")
    page.wait_for_load_state("load")
    assert page.url.endswith("claim_lifecycle_status/v1.html") and "First version" in page.inner_text("#changes")
    page.click("a[rel=next]")
    page.wait_for_load_state("load")
    assert page.url.endswith("v2.html")
    changes = page.inner_text("#changes")
    assert "safe" in changes and "ClaimTypeCode" in changes
    page.click("#changes a[href='#v2-f-ClaimTypeCode']")
    assert page.evaluate("location.hash") == "#v2-f-ClaimTypeCode"
    assert "assigned at deploy" in page.inner_text("#registry") or "no schema registry" in page.inner_text("#registry")
    page.click("a[download]")  # the raw .avsc is there to download
    assert not page.watch.problems and not page.watch.external


def test_copy_buttons_tabs_and_fill_in(browser, sample_site):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    pg = ctx.new_page()
    watch = Watch(pg, sample_site.resolve().as_uri())
    pg.goto(url(sample_site, "events/claims/contention_created.html"))
    body = pg.locator("details.connect[open] .connect-body").first
    # tabs: Java shows first, Python on click, arrows move between them
    tabs = body.locator("[role=tablist]").first.locator("[role=tab]")
    assert tabs.count() >= 2 and tabs.nth(0).get_attribute("aria-selected") == "true"
    java_panel = body.locator("[role=tabpanel]").first
    assert java_panel.is_visible()
    tabs.nth(1).click()
    assert not java_panel.is_visible() and tabs.nth(1).get_attribute("aria-selected") == "true"
    tabs.nth(1).press("ArrowLeft")
    assert java_panel.is_visible() and pg.evaluate("document.activeElement.getAttribute('role')") == "tab"
    # copy: what lands on the clipboard is the snippet, placeholders in place
    pg.locator("details.connect[open] [role=tabpanel]:visible").first.locator("xpath=..").locator("button.copy").first.click()
    pg.wait_for_timeout(100)
    copied = pg.evaluate("navigator.clipboard.readText()")
    assert "sasl.mechanism=AWS_MSK_IAM" in copied and 'awsRoleArn="<ROLE_ARN>"' in copied and "group.id=<GROUP_ID>" in copied
    # fill in for an application with access: only when asked
    sel = body.locator("select[data-fill]")
    options = sel.locator("option").all_inner_texts()
    assert options[0].startswith("placeholders")
    reader = next(i for i, o in enumerate(options) if o.endswith("(consumer)"))
    sel.select_option(index=reader)
    text = java_panel.inner_text()
    assert "<ROLE_ARN>" not in text and "arn:aws-us-gov:iam::210987654321:role/" in text and "<GROUP_ID>" not in text
    sel.select_option(index=0)
    assert "<ROLE_ARN>" in java_panel.inner_text()
    assert not watch.problems and not watch.external
    ctx.close()


def test_nested_fields_fold(page, sample_site):
    page.goto(url(sample_site, "events/forms/submission_trace_form_status_change.html"))
    btn = page.locator("table.fields button.fold").first
    assert btn.is_visible() and btn.get_attribute("aria-expanded") == "true"
    row = btn.locator("xpath=ancestor::tr")
    path = row.get_attribute("data-path")
    kids = page.locator(f"table.fields tr[data-parent='{path}']")
    assert kids.count() and kids.first.is_visible()
    btn.click()
    assert btn.get_attribute("aria-expanded") == "false" and not kids.first.is_visible()
    btn.click()
    assert kids.first.is_visible()
    assert not page.watch.problems


def test_map_highlight_and_zoom(page, sample_site):
    page.goto(url(sample_site, "map.html"))
    svg = page.locator(".diagram-wrap.map svg")
    # arrowheads sized in user units: they do not grow with thick lines
    assert page.get_attribute(".diagram-wrap.map svg marker", "markerUnits") == "userSpaceOnUse"
    w0 = float(svg.get_attribute("width"))
    page.click("[data-zoom=in]")
    assert float(svg.get_attribute("width")) > w0
    page.click("[data-zoom=fit]")
    assert float(svg.get_attribute("width")) == w0
    page.fill("#map-filter", "refill-notifier")
    page.wait_for_timeout(150)
    on = page.eval_on_selector_all("svg g.dg-on", "els => els.map(e => e.getAttribute('data-id'))")
    assert "c:va-notify/refill-notifier" in on and any(x.startswith("e:") for x in on)
    assert page.evaluate("document.querySelector('svg').classList.contains('dg-filtering')")
    assert "1 match" in page.inner_text("#map-count")
    page.goto(url(sample_site, "map/claims.html"))
    assert page.locator("svg g[data-id^='e:claims/']").count() == len([e for e in load_registry(str(REPO)).registry.events if e.domain == "claims"])
    assert not page.watch.problems and not page.watch.external


def test_field_badges_readers_and_successor_links(page, sample_site):
    """Issue 14 in the browser: a classified field shows its badge, a field shows the applications that
    declare they read it, and a deprecated event and its successor link to each other."""
    page.goto(url(sample_site, "events/health/appointment_booked.html"))
    badge = page.locator("#schema tr[data-path='icn'] .badge.cl-PII").first
    assert badge.is_visible() and badge.inner_text() == "PII"
    assert page.locator("#schema tr[data-path='serviceType'] .badge.cl-PHI").first.is_visible()
    page.goto(url(sample_site, "events/health/prescription_refill_requested.html"))
    read_by = page.locator("#schema tr[data-path='medicationName']").first.inner_text()
    assert "Read by" in read_by and "va-notify/refill-notifier" in read_by
    assert "va-notify/refill-notifier" not in page.locator("#schema tr[data-path='stationNumber']").first.inner_text()
    page.goto(url(sample_site, "events/claims/status.html"))
    page.click(".banner a[href$='claim_lifecycle_status.html']")
    page.wait_for_load_state("load")
    assert page.url.endswith("events/claims/claim_lifecycle_status.html")
    page.click("p.note a[href$='status.html']")
    page.wait_for_load_state("load")
    assert page.url.endswith("events/claims/status.html")
    assert not page.watch.problems and not page.watch.external
