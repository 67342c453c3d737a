"""`eventbus catalog build`: what it writes, that it reads the desired state, links, determinism, safety."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from eventbus.catalog import MANIFEST, CatalogError, build_catalog
from eventbus.catalog.incremental import PIECES, STATE
from eventbus.cli.main import main
from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.catalog.conftest import asset, text_of
from tests.conftest import REPO


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.ids: set[str] = set()
        self.scripts_inline = 0
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v is not None:
                self.refs.append((tag, k, v))
            if k == "id" and v:
                self.ids.add(v)
            if k.startswith("on"):
                self.handlers.append(f"{tag} {k}")
        if tag == "script":
            self._in_script = not any(k == "src" for k, _ in attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.scripts_inline += 1


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_site_layout(sample_site):
    reg = load_registry(str(REPO)).registry
    for e in reg.events:
        assert (sample_site / f"events/{e.domain}/{e.name}.html").is_file()
        assert (sample_site / f"asyncapi/events/{e.domain}/{e.name}.json").is_file()
    for t in reg.teams:
        assert (sample_site / f"teams/{t.id}.html").is_file()
        for v in e.versions:  # every version has a page and its raw schema
            assert (sample_site / f"events/{e.domain}/{e.name}/v{v.version}.html").is_file()
            assert (sample_site / f"events/{e.domain}/{e.name}/v{v.version}.avsc").read_text() == v.text
        if e.key_schema is not None:
            assert (sample_site / f"events/{e.domain}/{e.name}/key.avsc").read_text() == e.key_schema.text
    for c in reg.consumers:
        assert (sample_site / f"apps/{c.team}/{c.application}.html").is_file()
    for name in ("index.html", "map.html", "map.svg", "fields.html", "downloads.html", "teams/index.html", "apps/index.html",
                 "reviews/sensitive.html", "reviews/deprecations.html", "reviews/compliance.html",
                 "asyncapi/eventbus.json", "backstage/catalog-info.yaml"):
        assert (sample_site / name).is_file(), name
    for d in {e.domain for e in reg.events}:
        assert (sample_site / f"map/{d}.html").is_file()
    for name in ("style.css", "app.js", "search-data.js"):
        asset(sample_site, name)


def test_every_link_resolves_and_nothing_is_fetched_from_elsewhere(sample_site):
    """Static check of every page (the browser test crawls it too): relative links only, targets and anchors exist."""
    ids: dict[Path, set[str]] = {}
    problems = []
    for page in html_files(sample_site):
        links = parse(page)
        ids[page.resolve()] = links.ids
        assert links.scripts_inline == 0 and not links.handlers, f"{page}: inline script or event handler"
        for tag, attr, url in links.refs:
            parts = urlsplit(url)
            if parts.scheme in ("mailto",):
                continue
            if parts.scheme or url.startswith("//"):
                if tag in ("script", "link", "img", "iframe", "source") or attr == "src":
                    problems.append(f"{page}: external resource {url}")
                continue  # an external link a reader may follow is fine (none are rendered from the registry today)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not target.is_file():
                problems.append(f"{page.relative_to(sample_site)}: broken link {url}")
                continue
            if parts.fragment and target.suffix == ".html" and "=" not in parts.fragment:
                ids.setdefault(target, parse(target).ids)
                if parts.fragment not in ids[target]:
                    problems.append(f"{page.relative_to(sample_site)}: missing anchor {url}")
    assert problems == []


def test_css_and_svg_reference_nothing_outside(sample_site):
    css = asset(sample_site, "style.css").read_text()
    assert not re.search(r"url\((?!['\"]?(favicon\.svg|data:))", css) and "@import" not in css
    for svg in [sample_site / "map.svg"]:
        text = svg.read_text()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text


def test_topics_come_from_the_desired_state(sample_site):
    for stack in ("prod", "sandbox", "local"):
        state = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), stack))
        for t in state.topics:
            domain, name = t.event.split("/")
            page = (sample_site / f"events/{domain}/{name}.html").read_text()
            assert f"<code class=\"wrap-any\">{t.name}</code>" in page
            assert f'<td class="num" data-label="Partitions">{t.partitions}</td><td class="num" data-label="Replicas">{t.replication_factor}</td>' in page
            # the IAM settings carry the generated role of an application that consumes the topic
            if stack != "local":
                for app in state.apps:
                    if t.name in app.consumes:
                        assert f":role/{app.role}" in page
                        assert f'data-group="{app.group}"' in page
    sandbox = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), "sandbox"))
    sensitive = [e for e in load_registry(str(REPO)).registry.events if e.sensitive]
    assert sensitive and all(not any(t.event == e.ref for t in sandbox.topics) for e in sensitive)
    page = (sample_site / f"events/{sensitive[0].domain}/{sensitive[0].name}.html").read_text()
    assert "no topic: " in page and "data is not allowed on this stack" in page


def test_connect_settings_default_to_placeholders(sample_site):
    """The pasted text names no other team's role or group; the selector offers them only as an explicit choice."""
    page = (sample_site / "events/claims/contention_created.html").read_text()
    state = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), "prod"))
    reader = next(a for a in state.apps if "claims_contention_created" in a.consumes)
    arn = f"arn:aws-us-gov:iam::210987654321:role/{reader.role}"
    pres = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    text = "\n".join(text_of(p) for p in pres)
    assert arn not in text and f"group.id={reader.group}" not in text
    assert 'software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="<ROLE_ARN>" awsStsRegion="us-gov-west-1";' in text
    assert "group.id=<GROUP_ID>" in text and '"group.id": "<GROUP_ID>"' in text
    assert "sasl.mechanism=AWS_MSK_IAM" in text and "security.protocol=SASL_SSL" in text
    assert "sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler" in text
    assert "b-1.eeb-prod.def456.c3.kafka.us-gov-west-1.amazonaws.com:9098" in text
    assert "MSKAuthTokenProvider.generate_auth_token_from_role_arn(REGION, ROLE_ARN)" in text and '"sasl.mechanisms": "OAUTHBEARER"' in text
    assert 'TOPIC = "claims_contention_created"' in text and "consumer.subscribe([TOPIC])" in text
    # the application's own values are there, behind the selector
    assert f'data-role="{arn}"' in page and f'data-group="{reader.group}"' in page
    assert re.search(r"<select[^>]*data-fill[^>]*>\s*<option[^>]*>placeholders", page)


def test_local_stack_is_never_called_prod(sample_site):
    for page in html_files(sample_site):
        text = page.read_text()
        assert "prod (local stack)" not in text and "local stack)" not in text
    page = (sample_site / "events/claims/contention_created.html").read_text()
    assert "local (this machine)" in page


def test_event_page_has_everything(sample_site):
    page = (sample_site / "events/claims/contention_created.html").read_text()
    for needle in ("Claims Platform", "dana.whitfield@example.va.gov", "badge cl-PII", "BIP-sourced", "ClaimId", "timestamp-millis",
                   "ContentionClassificationName", "Raw <code>v2.avsc</code>", 'href="../../events/claims/contention_created/v1.html"',
                   "new_tinnitus_contention.json", "bie-contention-connector", "contention-classifier", "Classify each new contention", "<svg",
                   "asyncapi/events/claims/contention_created.json", "gov.va.bip.bie.claim.contention.ContentionAssociatedToClaim",
                   'id="value-f-ClaimId"', "VASI id", "2104", "1187"):  # event-level compliance too
        assert needle in page, needle
    deprecated = (sample_site / "events/claims/status.html").read_text()
    assert 'class="banner banner-deprecated"' in deprecated and "2027-04-30" in deprecated
    # the banner links the replacement, which links back
    banner = deprecated[deprecated.index('class="banner'):deprecated.index("</div>", deprecated.index('class="banner'))]
    assert 'href="../../events/claims/claim_lifecycle_status.html"' in banner
    replacement = (sample_site / "events/claims/claim_lifecycle_status.html").read_text()
    assert "Replaces" in replacement and 'href="../../events/claims/status.html"' in replacement


def search_data(site: Path) -> dict:
    text = asset(site, "search-data.js").read_text()
    return json.loads(text[len("window.EEB_SEARCH="):].rstrip().rstrip(";"))


def test_search_data_has_fields_descriptions_and_purposes(sample_site):
    data = search_data(sample_site)
    reg = load_registry(str(REPO)).registry
    assert [e[0] for e in data["events"]] == sorted(e.ref for e in reg.events)  # keyed by ref, in row order
    assert "ClaimId" in data["fields"] and "icn" in data["fields"]
    by_ref = {e[0]: e for e in data["events"]}
    assert "change-data-capture" in by_ref["claims/status"][3]  # its description
    assert "Classify each new contention" in by_ref["claims/contention_created"][3]  # a consumer's purpose
    index = (sample_site / "index.html").read_text()
    name = asset(sample_site, "search-data.js").name
    assert f'data-search="assets/{name}"' in index and "<script src=\"assets/search-data" not in index  # loaded lazily by app.js
    assert re.search(r'<script src="assets/app\.[0-9a-f]{10}\.js"', index) and re.search(r'href="assets/style\.[0-9a-f]{10}\.css"', index)


def test_build_stamp_on_every_page(tree, tmp_path):
    tree.write()
    commit = tree.commit("registry")
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    for page in html_files(out):
        assert f"Built from commit {commit[:12]} of " in page.read_text(), page
    (tree.root / "events/claims/claim_created/event.yaml").write_text((tree.root / "events/claims/claim_created/event.yaml").read_text() + "\n")
    build_catalog(str(tree.root), str(out))
    assert f"commit {commit[:12]} + uncommitted changes" in (out / "index.html").read_text()


def test_one_stack_catalog_says_which(tree, tmp_path):
    out = tmp_path / "site"
    tree.write()
    build_catalog(str(tree.root), str(out), stacks=["sandbox"])
    index = (out / "index.html").read_text()
    assert "on stack sandbox" in index and "Stack: <span" in index
    page = (out / "events/claims/claim_created.html").read_text()
    assert "claims_claim_created_sandbox" in page and '<th scope="row" data-label="Stack">prod</th>' not in page
    assert '<th scope="row" data-label="Stack">sandbox</th>' in page


def test_fields_page_answers_who_carries_a_claim_id(sample_site):
    page = (sample_site / "fields.html").read_text()
    row = page[page.index('<th scope="row"><code>ClaimId</code>'):]
    row = row[: row.index("</tr>")]
    assert "Contention created" in row and "Decision letter availability" in row


def test_cli_build_prunes_stale_files_and_is_deterministic(tree, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out)]) == 0
    assert "2 events" in capsys.readouterr().out
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert (out / "events/health/refill_requested.html").is_file()
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out)]) == 0
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == first  # byte-identical
    del tree.events["health/refill_requested"]
    tree.consumers["notify/notifier"]["subscriptions"].pop()
    tree.consumers["notify/notifier"]["compliance"]["obi_approvals"] = []
    tree.write()
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out)]) == 0
    assert not (out / "events/health/refill_requested.html").exists()
    assert not (out / "events/health").exists()


def test_cli_build_only_some_stacks(tree, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--stack", "sandbox"]) == 0
    page = (out / "events/claims/claim_created.html").read_text()
    assert "claims_claim_created_sandbox" in page and '<th scope="row" data-label="Stack">prod</th>' not in page
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--stack", "nope"]) == 1
    assert "no stack file Pulumi.nope.yaml" in capsys.readouterr().err


def test_refuses_to_overwrite_a_folder_it_did_not_write(tree, tmp_path):
    other = tmp_path / "precious"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(CatalogError, match="not empty"):
        build_catalog(str(tree.root), str(other))
    assert (other / "notes.txt").read_text() == "keep me"
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(other)]) == 1


def test_default_out_is_state_catalog(tree, capsys):
    assert main(["--root", str(tree.root), "catalog", "build"]) == 0
    assert (tree.root / ".state/catalog/index.html").is_file()
    assert str(tree.root / ".state/catalog/index.html") in capsys.readouterr().out


def test_parallel_build_matches_serial(tree, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    build_catalog(str(tree.root), str(a), workers=1)
    build_catalog(str(tree.root), str(b), workers=2)
    # the build's records (modification times, when the scan began, pieces encoded as objects are shared in memory)
    # differ: the site itself is what must match
    records = (MANIFEST, PIECES, STATE)
    files_a = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file() and p.name not in records}
    files_b = {p.relative_to(b): p.read_bytes() for p in b.rglob("*") if p.is_file() and p.name not in records}
    assert files_a == files_b


def test_unreadable_schema_does_not_break_the_build(tree, tmp_path):
    (tree.root / "events/claims/claim_created/v2.avsc").write_text("{not json")
    out = tmp_path / "site"
    result = build_catalog(str(tree.root), str(out))
    assert result.load_problems >= 1 and (out / "index.html").is_file()


def test_retired_event_keeps_its_page_without_topics(tree, tmp_path):
    import yaml

    meta = tree.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="retired", deprecated_on="2025-01-01", removal_date="2025-08-01")
    tree.consumers["notify/notifier"]["subscriptions"] = tree.consumers["notify/notifier"]["subscriptions"][1:]
    tree.write()
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    page = (out / "events/claims/claim_created.html").read_text()
    assert 'class="banner banner-retired"' in page and "retired: no topic" in page
    assert "No topic on the built stacks" in page
    doc = next(d for d in yaml.safe_load_all((out / "backstage/catalog-info.yaml").read_text()) if d["metadata"]["name"] == "claims-claim-created")
    assert doc["spec"]["lifecycle"] == "deprecated" and doc["spec"]["topics"] == [] and doc["spec"]["removalDate"] == "2025-08-01"
    assert doc["metadata"]["annotations"]["eventbus.va.gov/retired"] == "true"
    assert json.loads((out / "asyncapi/events/claims/claim_created.json").read_text())["channels"] == {}


def test_rebuild_rewrites_only_what_changed(tree, tmp_path):
    out = tmp_path / "site"
    first = build_catalog(str(tree.root), str(out))
    assert first.written == first.files
    again = build_catalog(str(tree.root), str(out))
    assert again.written == 0 and again.files == first.files
    tree.events["claims/claim_created"]["meta"]["summary"] = "A claim was established (edited)."
    tree.write()
    page = out / "events/claims/claim_created.html"
    other = out / "events/health/refill_requested/v1.avsc"
    other.write_text(other.read_text().replace("rxId", "rxID"))  # edited by hand, same size: put right again
    changed = build_catalog(str(tree.root), str(out))
    assert "A claim was established (edited)." in page.read_text() and '"rxId"' in other.read_text()
    assert 0 < changed.written < first.files / 3


def test_control_characters_in_titles_keep_map_svg_well_formed(tree, tmp_path):
    """A title can carry a C0 control character (a YAML escape, "\\x01" passes the gate); XML 1.0 allows none, escaped or
    not, so map.svg no longer parsed. The diagrams show them as U+FFFD."""
    import xml.dom.minidom

    tree.events["claims/claim_created"]["meta"]["title"] = "Claim \x01 created \x0c\x1f"
    tree.write()
    site = tmp_path / "site"
    build_catalog(str(tree.root), str(site))
    doc = xml.dom.minidom.parse(str(site / "map.svg"))
    assert "Claim \ufffd created \ufffd\ufffd" in "".join(t.firstChild.data for t in doc.getElementsByTagName("title") if t.firstChild)


@pytest.mark.parametrize("name", [b"events/claims/claim_created/examples/\xfe.json", b"events/claims/cl\xffaim_created", b"consumers/notify/notifier\x9b.yaml"])
def test_a_name_that_is_not_utf8_is_refused_and_left_out(tree, tmp_path, capsys, name):
    """A file or folder name that is not UTF-8 (here from a copy, renaming or adding) came back from the
    listing as lone surrogates: the gate passed an example named b'\\xfe.json', and the catalog build then
    stopped with an internal UnicodeEncodeError writing its pages. The loader reports the name
    (file-encoding) and leaves it unread; reports show it escaped, never as raw bytes (0x9b is CSI)."""
    import os
    import shutil

    src = {b"events": b"events/claims/claim_created/examples/one.json", b"consumers": b"consumers/notify/notifier.yaml"}
    path = os.path.join(os.fsencode(tree.root), name)
    if name.endswith(b"created"):
        shutil.copytree(os.path.join(os.fsencode(tree.root), b"events/claims/claim_created"), path)
    else:
        shutil.copyfile(os.path.join(os.fsencode(tree.root), src[name.split(b"/")[0]]), path)
    shown = os.fsdecode(name).encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace").replace("\\x", "\\udc")
    assert main(["--root", str(tree.root), "validate"]) == 1
    out = capsys.readouterr().out
    assert f"{shown}:1:1: error [file-encoding] the name of '{shown}' is not valid UTF-8" in out
    assert not re.search("[\udc80-\udcff\x80-\x9f]", out)
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(tmp_path / "site")]) == 0
    assert "internal error" not in capsys.readouterr().err


def test_the_command_ends_without_freeing_the_model_and_loses_no_output(tree, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "site"
    code = ("import atexit, sys; from eventbus.cli.main import entry; "
            "atexit.register(lambda: print('exit handlers ran', file=sys.stderr)); "
            "sys.argv = ['eventbus', *sys.argv[1:]]; entry()")
    proc = subprocess.run([sys.executable, "-c", code, "--root", str(tree.root), "catalog", "build", "--out", str(out), "-v"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == f"open {out / 'index.html'}"
    assert "exit handlers ran" in proc.stderr
    assert (out / "index.html").exists()
    bad = subprocess.run([sys.executable, "-c", code, "--root", str(tree.root), "catalog", "build", "--out", str(tree.root / "events")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "not empty and was not written" in bad.stderr


def test_a_build_on_a_terminal_shows_its_phases_then_clears_them(tree, tmp_path):
    """On a terminal the build's phases appear on one line rewritten in place, and the line is cleared before the
    summary; piped, a short build adds nothing to stderr."""
    import os
    import pty
    import subprocess
    import sys

    out = tmp_path / "site"
    code = "import sys; from eventbus.cli.main import entry; sys.argv = ['eventbus', *sys.argv[1:]]; entry()"
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-c", code, "--root", str(tree.root), "catalog", "build", "--out", str(out)],
                                stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            seen += chunk
        assert proc.wait(timeout=120) == 0
    finally:
        os.close(master)
    text = seen.decode()
    phases = ["scanned the tree: ", "loaded ", "rendering the pages of "]
    where = [text.find("\r[catalog] " + p) for p in phases]
    assert all(i >= 0 for i in where) and where == sorted(where), text
    # cleared (carriage return, erase line) right before the summary
    assert "\r\x1b[Kcatalog: " in text and text.index("\r\x1b[Kcatalog: ") > where[-1], text
    piped = subprocess.run([sys.executable, "-c", code, "--root", str(tree.root), "catalog", "build", "--out", str(out)],
                           capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "[catalog]" not in piped.stderr, piped.stderr


def test_progress_when_piped_waits_for_a_long_build():
    import io

    from eventbus.cli.catalog import Progress

    now = [0.0]
    stream = io.StringIO()
    p = Progress(stream, quiet=5.0, clock=lambda: now[0])
    now[0] = 1.0
    p("scanned the tree: 10 files, a full build")
    assert stream.getvalue() == ""
    now[0] = 6.5
    p("loaded 10 events and 2 applications")
    p.done()
    assert stream.getvalue() == "[catalog] loaded 10 events and 2 applications (6.5s)\n"
