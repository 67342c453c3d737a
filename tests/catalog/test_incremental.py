"""Rebuilds: after any change, a rebuild into the previous output is byte-identical to a cold build.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from eventbus.catalog import MANIFEST, build_catalog
from eventbus.catalog.incremental import PIECES, STATE
from tests.conftest import ARN

SKIP = {MANIFEST, STATE, PIECES}


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name not in SKIP}


def assert_same_as_cold(tree, out: Path, tmp_path: Path, name: str, mode: str):
    got = build_catalog(str(tree.root), str(out))
    cold = tmp_path / f"cold-{name}"
    build_catalog(str(tree.root), str(cold), incremental=False)
    a, b = files(out), files(cold)
    assert sorted(a) == sorted(b), (name, sorted(set(a) ^ set(b)))
    differ = [k for k in a if a[k] != b[k]]
    assert not differ, (name, differ)
    assert got.mode == mode, (name, got.mode)
    return got


def edit_summary(tree):
    tree.events["claims/claim_created"]["meta"]["summary"] = "A claim was established (edited)."


def add_event(tree):
    ev = copy.deepcopy(tree.events["claims/claim_created"])
    ev["meta"]["title"] = "Claim closed"
    ev["meta"]["producers"] = [{"application": "claims-closer"}]
    tree.events["claims/claim_closed"] = ev


def remove_event(tree):
    del tree.events["health/refill_requested"]
    tree.consumers["notify/notifier"]["subscriptions"].pop()
    tree.consumers["notify/notifier"]["compliance"]["obi_approvals"] = []


def new_version(tree):
    v = copy.deepcopy(tree.events["claims/claim_created"]["versions"][-1])
    v["fields"] = v["fields"][:-1]  # the optional note removed again
    tree.events["claims/claim_created"]["versions"].append(v)


def deprecate_with_successor(tree):
    add_event(tree)
    meta = tree.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="deprecated", deprecated_on="2026-01-01", removal_date="2027-01-01", replaced_by="claims/claim_closed")


def restrict_access(tree):
    tree.events["claims/claim_created"]["meta"]["access"] = {"policy": "restricted", "allowed_consumers": []}


def restrict_a_sensitive_event(tree):
    """A PHI event admits no consumer any more: its section of the sensitive view loses its consumer."""
    tree.events["health/refill_requested"]["meta"]["access"] = {"policy": "restricted", "allowed_consumers": []}


def change_subscription(tree):
    tree.consumers["notify/notifier"]["subscriptions"][0]["purpose"] = "Tell Veterans at once their claim was received."


def unsubscribe(tree):
    """The notifier stops reading claim_created (in both stacks): its grants, claim_created's consumers and page change."""
    tree.consumers["notify/notifier"]["subscriptions"].pop(0)


def subscribe_to_a_restricted_event(tree):
    """The claims publisher asks for the PHI event, which does not admit it: shown on both pages, granted nowhere."""
    tree.consumers["claims-team/claims-publisher"]["subscriptions"] = [
        {"event": "health/refill_requested", "purpose": "Count refills.", "environments": ["prod"]}]


def add_a_consumer(tree):
    """A new application subscribes to claim_created, with a consumer group of its own and declared fields."""
    app = copy.deepcopy(tree.consumers["notify/notifier"])
    app.update(application="dashboard", description="Counts claims per day.", consumer_group={"name": "notify.dashboard.v2", "prefix": True})
    app["principals"] = {"prod": [app["principals"]["prod"][0].replace("notifier", "dashboard")]}
    app["subscriptions"] = [{"event": "claims/claim_created", "purpose": "Count claims per day.", "environments": ["prod"], "fields": ["claimId"]}]
    app["compliance"] = {**app["compliance"], "obi_approvals": []}
    tree.consumers["notify/dashboard"] = app


def remove_a_consumer(tree):
    """The notifier's file goes: its page, its grants, and it on both events' pages and the sensitive review."""
    del tree.consumers["notify/notifier"]


def change_principals(tree):
    """The notifier has no sandbox principal any more: no identity and no grants there."""
    del tree.consumers["notify/notifier"]["principals"]["sandbox"]


def declare_fields(tree):
    """The notifier declares the fields it reads: the fields' readers on the event's pages and the fields page."""
    tree.consumers["notify/notifier"]["subscriptions"][0]["fields"] = ["claimId", "status"]


def change_a_producers_file(tree):
    """The producer's file: its description and principals, on its page and as the writer of its event."""
    app = tree.consumers["claims-team/claims-publisher"]
    app["description"] = "Publishes claim events (edited)."
    app["principals"]["prod"] = [ARN.format("claims-pub-v2")]


def change_compliance(tree):
    """The notifier's ATO expires within 90 days: the expiring compliance view and its page change."""
    tree.consumers["notify/notifier"]["compliance"]["ato_expires"] = "2026-12-24"


def rename_a_consumer(tree):
    """consumers/notify/notifier.yaml becomes notify/notifier-v2.yaml (the application is named by its file)."""
    app = tree.consumers.pop("notify/notifier")
    app["application"] = "notifier-v2"
    tree.consumers["notify/notifier-v2"] = app
    tree.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"] = ["notify/notifier-v2"]


def rename_team(tree):
    tree.teams["claims-team"]["name"] = "Claims Intake"


def add_event_of_the_same_slug(tree):
    """claims_claim/created gives claim_created's slug (claims-claim-created): both are renamed, on claim_created's pages too."""
    ev = copy.deepcopy(tree.events["claims/claim_created"])
    ev["meta"].update(domain="claims_claim", title="Claim created again", producers=[{"application": "claims-closer"}])
    ev["meta"]["topic"] = {"name": "legacy_claims_created", "partitions": 3}
    tree.events["claims_claim/created"] = ev


def change_owner(tree):
    """The event moves to another team: both teams' pages change, the others' stay."""
    tree.events["claims/claim_created"]["meta"]["owner"] = "pharmacy"


def remove_a_producer(tree):
    """Its producing application loses its only event and its page goes, in a domain whose map changes."""
    meta = tree.events["health/refill_requested"]["meta"]
    meta["producers"] = [{"application": "refill-api-v2"}]


def take_another_events_topic(tree):
    """claim_created names the PHI event's topic (the gate refuses it; a build shows it): the PHI event's readers, and
    its section of the sensitive review, change without its folder changing."""
    tree.events["claims/claim_created"]["meta"]["topic"] = {"name": "health_refill_requested", "partitions": 3}


def change_stack(tree):
    tree.stacks["prod"]["config"]["eventbus:replicationFactor"] = 2


# (change, the mode of the rebuild: event folders alone are incremental, any shared input rebuilds everything)
CHANGES = [
    (edit_summary, "incremental"), (add_event, "incremental"), (remove_event, "incremental"), (new_version, "incremental"),
    (deprecate_with_successor, "incremental"), (restrict_access, "incremental"), (restrict_a_sensitive_event, "incremental"),
    (change_subscription, "incremental"),
    (rename_team, "full"), (change_stack, "full"), (add_event_of_the_same_slug, "incremental"), (change_owner, "incremental"),
    (remove_a_producer, "incremental"), (take_another_events_topic, "incremental"),
    (unsubscribe, "incremental"), (subscribe_to_a_restricted_event, "incremental"), (add_a_consumer, "incremental"),
    (remove_a_consumer, "incremental"), (change_principals, "incremental"), (declare_fields, "incremental"),
    (change_a_producers_file, "incremental"), (change_compliance, "incremental"), (rename_a_consumer, "incremental"),
]


@pytest.mark.parametrize("change,mode", CHANGES, ids=[c.__name__ for c, _ in CHANGES])
def test_rebuild_after_a_change_equals_a_cold_build(tree, tmp_path, change, mode):
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    change(tree)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, change.__name__, mode)
    # and nothing left to do afterwards
    assert build_catalog(str(tree.root), str(out)).mode == "unchanged"


def test_a_series_of_changes_stays_identical(tree, tmp_path):
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    for i, step in enumerate([add_event, edit_summary, deprecate_with_successor, new_version, restrict_access, change_owner, remove_a_producer]):
        step(tree)
        tree.write()
        assert_same_as_cold(tree, out, tmp_path, f"{i}-{step.__name__}", "incremental")
    add_event_of_the_same_slug(tree)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "same-slug-added", "incremental")
    del tree.events["claims_claim/created"]  # claim_created gets its name back
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "same-slug-removed", "incremental")
    take_another_events_topic(tree)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "topic-taken", "incremental")
    del tree.events["claims/claim_created"]["meta"]["topic"]  # and given back
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "topic-given-back", "incremental")
    del tree.events["claims/claim_closed"]  # the successor goes: the deprecated event's page loses its link
    tree.events["claims/claim_created"]["meta"].pop("replaced_by")
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "successor-removed", "incremental")


def test_event_only_removal_is_incremental(tree, tmp_path):
    add_event(tree)
    tree.write()
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    del tree.events["claims/claim_closed"]
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "removed", "incremental")
    assert not (out / "events/claims/claim_closed.html").exists() and not (out / "apps/claims-team/claims-closer.html").exists()


def test_an_application_of_no_event_is_rendered_when_its_file_changes(tree, tmp_path):
    """An application that produces and reads nothing is linked with no event: its own file change still renders it."""
    from tests.conftest import producer_app

    tree.consumers["notify/idle"] = producer_app("notify", "idle", {"prod": [ARN.format("idle")]})
    tree.write()
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    tree.consumers["notify/idle"]["description"] = "Waits for its first event (edited)."
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "idle-edited", "incremental")
    assert "Waits for its first event (edited)." in (out / "apps/notify/idle.html").read_text()


@pytest.mark.parametrize("link", [deprecate_with_successor, take_another_events_topic])
def test_an_application_change_renders_the_events_linked_with_its_events(tree, tmp_path, link):
    """An application of claim_created alone goes; claim_created is linked with another event (its successor, whose
    page counts the consumers still to move; or the event whose topic it names, whose page lists that topic's
    readers), and that event's page changes too."""
    link(tree)
    add_a_consumer(tree)
    tree.write()
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    del tree.consumers["notify/dashboard"]  # (it reads claim_created alone)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, f"left-{link.__name__}", "incremental")


def test_an_application_file_that_no_longer_reads_and_reads_again(tree, tmp_path):
    """A consumer's file broken (the application leaves the model, as the gate would refuse it) and mended."""
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    (tree.root / "consumers/notify/notifier.yaml").write_text("application: [unclosed\n")
    assert_same_as_cold(tree, out, tmp_path, "broken", "incremental")
    assert not (out / "apps/notify/notifier.html").exists()
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "mended", "incremental")
    assert (out / "apps/notify/notifier.html").exists()


def test_a_fifo_in_the_tree_is_not_waited_on(tree, tmp_path):
    """The scan digests a FIFO (or socket, or device) by its kind: opening one would wait for a writer forever."""
    import os
    import subprocess

    from tests.conftest import EVENTBUS

    for where in ("consumers/notify/fifo.yaml", "events/claims/claim_created/fifo.avsc", "teams/fifo.yaml"):
        os.mkfifo(tree.root / where)
    for _ in range(2):  # a build, and a rebuild that scans again
        got = subprocess.run([EVENTBUS, "--root", str(tree.root), "catalog", "build", "--out", str(tmp_path / "site")],
                             capture_output=True, text=True, timeout=120)
        assert got.returncode == 0, got.stderr
        assert "Traceback" not in got.stderr


def test_an_incremental_rebuild_renders_only_the_changed_event(tree, tmp_path):
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    other = out / "events/health/refill_requested.html"
    before = other.stat().st_mtime_ns
    edit_summary(tree)
    tree.write()
    got = build_catalog(str(tree.root), str(out))
    assert got.mode == "incremental" and other.stat().st_mtime_ns == before
    assert "A claim was established (edited)." in (out / "events/claims/claim_created.html").read_text()


def test_a_rebuild_assembles_the_bus_document_from_the_kept_events_pieces(tree, tmp_path, monkeypatch):
    """Only the changed event's AsyncAPI parts are computed again; damaged pieces are computed again too."""
    from eventbus.catalog.exporters import asyncapi

    monkeypatch.setattr(asyncapi.AsyncApiExporter, "INDENT_LIMIT", 0)  # compact documents, as of a large catalog
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    assert (out / PIECES).exists()
    made = []
    real = asyncapi.event_parts
    monkeypatch.setattr(asyncapi, "event_parts", lambda cat, info: made.append(info.ref) or real(cat, info))
    edit_summary(tree)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "edit", "incremental")
    n_events = len(tree.events)
    assert made.count("claims/claim_created") == 2  # the rebuild and the cold build it is compared with
    assert len(made) == 1 + n_events, made
    made.clear()
    (out / PIECES).write_bytes(b"\x00damaged")
    tree.events["claims/claim_created"]["meta"]["summary"] = "Edited again."
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "damaged", "incremental")
    assert len(made) == 2 * n_events  # nothing to reuse: every event's parts computed again, in both builds


def test_a_rebuild_keeps_the_maps_and_team_pages_of_what_did_not_change(tree, tmp_path, monkeypatch):
    from eventbus.catalog.exporters.site import SiteExporter

    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    maps, teams = [], []
    flow_of = SiteExporter.flow_of

    def counting_flow(self, infos, *a, **k):
        if k.get("ident") == "dg-domain":
            maps.append(infos[0].event.domain)
        return flow_of(self, infos, *a, **k)

    monkeypatch.setattr(SiteExporter, "flow_of", counting_flow)
    real_render = SiteExporter._kept

    def counting_kept(self, key, signature, make):
        return real_render(self, key, signature, lambda: teams.append(key) or make() if key.startswith("t:") else make())

    monkeypatch.setattr(SiteExporter, "_kept", counting_kept)
    edit_summary(tree)
    tree.write()
    got = build_catalog(str(tree.root), str(out))
    assert got.mode == "incremental"
    domains = {e.split("/")[0] for e in tree.events}
    assert maps == ["claims"] and len(domains) > 1  # the other domains' maps are kept
    owner = tree.events["claims/claim_created"]["meta"]["owner"]
    # the owner's page, and those of the teams whose applications read the event (their pages list those applications)
    readers = {ref.split("/")[0] for ref, c in tree.consumers.items()
               if any(s.get("event") == "claims/claim_created" for s in c.get("subscriptions", []))}
    assert sorted(teams) == sorted({f"t:{t}" for t in {owner} | readers}) and len(teams) < len(tree.teams), teams
    cold = tmp_path / "cold"
    build_catalog(str(tree.root), str(cold), incremental=False)
    assert files(out) == files(cold)


def test_a_hand_edited_or_deleted_output_file_is_put_right(tree, tmp_path):
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    page = out / "events/health/refill_requested.html"
    text = page.read_bytes()
    page.unlink()
    assert build_catalog(str(tree.root), str(out)).mode == "full"
    assert page.read_bytes() == text


def test_unreadable_or_foreign_state_renders_everything(tree, tmp_path):
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    (out / STATE).write_text("{not marshal")
    edit_summary(tree)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "garbage-state", "full")
    from eventbus.catalog.incremental import read_record, write_record

    good = read_record(str(out / STATE))
    for bad in ({**good, "v": 999}, {**good, "events": []}, [good], good | {"shared": "other"}):
        write_record(str(out / STATE), bad)
        assert build_catalog(str(tree.root), str(out)).mode == "full"
    (out / MANIFEST).write_bytes(b"\x00garbage")  # no manifest: nothing known to be intact, everything rendered
    assert build_catalog(str(tree.root), str(out)).mode == "full"


@pytest.mark.parametrize("record, needle", [(STATE, b"refill"), (PIECES, b"asked for a prescription"), (MANIFEST, b"refill")])
def test_damage_that_marshal_still_reads_is_seen(tree, tmp_path, record, needle):
    """One byte of a record changed, still valid marshal data (an event's ref in the inputs record, the text of a
    kept index row, a path in the manifest): the record is not taken, and the rebuild is still the cold build."""
    import marshal

    from eventbus.catalog import _read_manifest
    from eventbus.catalog.incremental import read_record

    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    raw = bytearray((out / record).read_bytes())
    at = raw.find(needle)
    assert at > 0, record
    raw[at + 2] ^= 0x20  # a letter's case
    marshal.loads(bytes(raw[16:]))  # the damage is one marshal still reads
    (out / record).write_bytes(bytes(raw))
    assert read_record(str(out / record)) is None
    if record == MANIFEST:
        assert _read_manifest(str(out)) == {}
    edit_summary(tree)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, f"damaged-{record}", "incremental" if record == PIECES else "full")


def test_given_registry_or_exporters_are_never_incremental(tree, tmp_path):
    from eventbus.catalog.exporters import default_exporters
    from eventbus.load.registry import load_registry

    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    reg = load_registry(str(tree.root)).registry
    assert build_catalog(str(tree.root), str(out), registry=reg).mode == "full"
    assert not (out / STATE).exists()
    assert build_catalog(str(tree.root), str(out), exporters=default_exporters).mode == "full"
    assert build_catalog(str(tree.root), str(out)).mode == "full"  # no record of the inputs: everything again


def test_no_cache_when_turned_off(tree, tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("EVENTBUS_NO_CACHE", "1")
    build_catalog(str(tree.root), str(tmp_path / "site"))
    assert not (tmp_path / "cache").exists()


def test_a_new_day_renders_the_countdowns_again(tree, tmp_path, monkeypatch):
    """An unversioned tree counts days from the calendar: a page rendered yesterday is not kept today."""
    import datetime as dt

    import eventbus.catalog as catalog

    meta = tree.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="deprecated", deprecated_on="2026-01-01", removal_date="2030-01-01")
    tree.write()
    out = tmp_path / "site"
    monkeypatch.setattr(catalog, "_today", lambda: dt.date(2027, 1, 1))
    build_catalog(str(tree.root), str(out))
    monkeypatch.setattr(catalog, "_today", lambda: dt.date(2027, 1, 2))
    got = build_catalog(str(tree.root), str(out))
    assert got.mode == "full"
    cold = tmp_path / "cold"
    build_catalog(str(tree.root), str(cold), incremental=False)
    assert files(out) == files(cold)


def test_removing_an_event_an_approval_still_names_renders_the_app_again(tree, tmp_path):
    """An application's page links the events of its OBI approvals, subscribed or not: removing one of them leaves a
    plain name on the page (found by a differential run against cold builds)."""
    tree.consumers["notify/notifier"]["subscriptions"].pop()  # the approval for refill_requested stays
    tree.write()
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    del tree.events["health/refill_requested"]
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "approved-event-removed", "incremental")


# -- the field rows cache ------------------------------------------------------------------------------------------
def _rows_file(tmp_path, monkeypatch):
    from eventbus.catalog.incremental import rows_cache_file

    monkeypatch.setenv("EVENTBUS_USER_CACHE", str(tmp_path / "cache"))
    return rows_cache_file()


def _some_rows():
    from eventbus.catalog.schema_view import FieldRow

    row = FieldRow("a.b", "b", 1, "string", True, None, "", "doc", ("X", "Y"), "A", (("size", "1"),), ("PII",), ("t/app",), 0)
    return {("digest", True, (("t/app", ("a.b",)),)): [row]}


def test_rows_cache_round_trips(tmp_path, monkeypatch):
    from eventbus.catalog.incremental import read_rows, write_rows

    path = _rows_file(tmp_path, monkeypatch)
    rows = _some_rows()
    write_rows(path, rows)
    got = read_rows(path)
    assert got == rows
    row = got[next(iter(rows))][0]
    assert type(row).__name__ == "FieldRow" and row.readers == ("t/app",) and row.anchor == "f-a.b"  # rows, not bare tuples


def test_rows_cache_others_may_write_is_not_read(tmp_path, monkeypatch):
    import os

    from eventbus.catalog.incremental import read_rows, write_rows

    path = _rows_file(tmp_path, monkeypatch)
    write_rows(path, _some_rows())
    os.chmod(path, 0o666)
    assert read_rows(path) == {}
    os.chmod(path, 0o600)
    os.chmod(os.path.dirname(path), 0o777)
    assert read_rows(path) == {}
    os.chmod(os.path.dirname(path), 0o700)
    assert read_rows(path) != {}


def test_rows_cache_runs_no_code_and_drops_foreign_shapes(tmp_path, monkeypatch):
    import marshal
    import os
    import pickle

    from eventbus.catalog.incremental import read_rows

    path = _rows_file(tmp_path, monkeypatch)
    os.makedirs(os.path.dirname(path), mode=0o700)

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    from eventbus.load.cache import _sealed

    with open(path, "wb") as fh:
        fh.write(_sealed(pickle.dumps({("k",): Boom()})))  # sealed as the tools write: what is inside is refused
    os.chmod(path, 0o600)
    assert read_rows(path) == {}
    assert not (tmp_path / "pwned").exists()
    with open(path, "wb") as fh:
        fh.write(_sealed(marshal.dumps({("k",): [("too", "short")], ("j",): "not a list", "no tuple key": []})))
    assert read_rows(path) == {}


def test_rows_cache_damaged_where_marshal_still_reads_it_is_not_read(tmp_path, monkeypatch):
    from eventbus.catalog.incremental import read_rows, write_rows

    path = _rows_file(tmp_path, monkeypatch)
    write_rows(path, _some_rows())
    data = bytearray(open(path, "rb").read())
    i = data.index(b"t/app")
    data[i:i + 5] = b"x/app"  # still marshal, still the right shape: a reader named that never was
    with open(path, "wb") as fh:
        fh.write(bytes(data))
    assert read_rows(path) == {}


# -- the scan reads only what changed ------------------------------------------------------------------------------
def _count_opens(monkeypatch, root):
    import builtins

    from eventbus.catalog import incremental

    opened = []
    real = builtins.open

    def counting(path, *a, **k):
        if str(path).startswith(str(root)):
            opened.append(str(path)[len(str(root)) + 1:])
        return real(path, *a, **k)

    monkeypatch.setattr(incremental, "open", counting, raising=False)
    return opened


def test_a_rebuild_reads_only_the_files_that_changed(tree, tmp_path, monkeypatch):
    import time

    from eventbus.catalog import incremental

    monkeypatch.setattr(incremental, "RACY_NS", 0)
    out = tmp_path / "site"
    time.sleep(0.05)
    build_catalog(str(tree.root), str(out))
    opened = _count_opens(monkeypatch, tree.root)
    path = tree.root / "events/claims/claim_created/event.yaml"
    text = path.read_text()
    assert "\nsummary: " in text
    path.write_text(text.replace("\nsummary: ", "\nsummary: Edited. ", 1))  # this file alone (tree.write() rewrites all)
    time.sleep(0.05)
    got = build_catalog(str(tree.root), str(out))
    assert got.mode == "incremental"
    assert [p for p in opened if not p.startswith("site/")] == ["events/claims/claim_created/event.yaml"]
    cold = tmp_path / "cold"
    build_catalog(str(tree.root), str(cold), incremental=False)
    assert files(out) == files(cold)
    assert "Edited. " in (out / "events/claims/claim_created.html").read_text()


def test_a_file_changed_behind_its_old_size_and_time_is_read_again(tree, tmp_path, monkeypatch):
    import os
    import time

    from eventbus.catalog import incremental

    monkeypatch.setattr(incremental, "RACY_NS", 0)
    out = tmp_path / "site"
    time.sleep(0.05)
    build_catalog(str(tree.root), str(out))
    path = tree.root / "events/claims/claim_created/event.yaml"
    st = path.stat()
    text = path.read_text()
    old = "summary: "
    assert old in text
    i = text.index(old) + len(old)
    path.write_text(text[:i] + ("Z" if text[i] != "Z" else "Y") + text[i + 1:])  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same modification time: the change time still moves
    time.sleep(0.05)
    got = build_catalog(str(tree.root), str(out))
    assert got.mode == "incremental"
    cold = tmp_path / "cold"
    build_catalog(str(tree.root), str(cold), incremental=False)
    assert files(out) == files(cold)


def test_files_changed_just_before_the_last_scan_are_read_again(tree, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))  # the tree was written just now: within the racy window of this scan
    opened = _count_opens(monkeypatch, tree.root)
    assert build_catalog(str(tree.root), str(out)).mode == "unchanged"
    assert "events/claims/claim_created/event.yaml" in opened and len(opened) > 10


def test_a_build_into_a_new_folder_reads_only_the_files_changed_since_the_trees_last_full_scan(tree, tmp_path, monkeypatch):
    """The scan record in the user's cache (``scan_record_file``): a new folder has no record of its own."""
    import time

    from eventbus.catalog import incremental

    monkeypatch.setattr(incremental, "RACY_NS", 0)
    time.sleep(0.05)
    build_catalog(str(tree.root), str(tmp_path / "first"))
    opened = _count_opens(monkeypatch, tree.root)
    read = lambda: [p for p in opened if p.split("/")[0] not in ("first", "second", "third")]  # noqa: E731 - (the outputs are beside the tree)
    got = build_catalog(str(tree.root), str(tmp_path / "second"))
    assert got.mode == "full" and read() == []
    path = tree.root / "events/claims/claim_created/event.yaml"
    path.write_text(path.read_text().replace("\nsummary: ", "\nsummary: Edited. ", 1))
    time.sleep(0.05)
    build_catalog(str(tree.root), str(tmp_path / "third"))
    assert read() == ["events/claims/claim_created/event.yaml"]
    assert "Edited. " in (tmp_path / "third/events/claims/claim_created.html").read_text()
    cold = tmp_path / "cold"
    build_catalog(str(tree.root), str(cold), incremental=False, parse_cache=False)
    assert files(tmp_path / "third") == files(cold)


def test_a_scan_record_others_may_write_or_damaged_is_not_read(tree, tmp_path):
    import os

    from eventbus.catalog.incremental import read_scan_record, scan_record_file

    build_catalog(str(tree.root), str(tmp_path / "site"))
    path = scan_record_file(str(tree.root))
    assert path is not None and read_scan_record(str(tree.root))["files"]
    os.chmod(path, 0o664)  # writable by the group: could have been planted
    assert read_scan_record(str(tree.root)) is None
    os.chmod(path, 0o600)
    data = bytearray(open(path, "rb").read())
    data[-3] ^= 0xFF  # damaged where marshal might still read it
    with open(path, "wb") as fh:
        fh.write(bytes(data))
    assert read_scan_record(str(tree.root)) is None
    # a folder others may write is neither read nor written
    os.unlink(path)
    os.chmod(os.path.dirname(path), 0o777)
    try:
        build_catalog(str(tree.root), str(tmp_path / "site2"))
        assert not os.path.exists(path)
    finally:
        os.chmod(os.path.dirname(path), 0o700)
    build_catalog(str(tree.root), str(tmp_path / "site3"))
    assert read_scan_record(str(tree.root))["files"]


def test_no_scan_record_without_caches(tree, tmp_path, monkeypatch):
    import os

    from eventbus.catalog.incremental import scan_record_file

    monkeypatch.setenv("EVENTBUS_NO_CACHE", "1")
    assert scan_record_file(str(tree.root)) is None
    build_catalog(str(tree.root), str(tmp_path / "site"))
    monkeypatch.delenv("EVENTBUS_NO_CACHE")
    assert not os.path.exists(scan_record_file(str(tree.root)))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_keeps_the_page_frames_and_renders_no_template(tree, tmp_path, monkeypatch, workers):
    """The split frames of ``base.html`` travel with the pieces (those the page workers of the first build split
    too): a rebuild makes no Jinja environment, and its pages (the events index with the new search data's name
    among them) are a cold build's."""
    from eventbus.catalog.exporters import site

    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out), workers=workers)

    def no_jinja():
        raise AssertionError("a rebuild rendered a template")

    monkeypatch.setattr(site, "_env", no_jinja)
    edit_summary(tree)
    tree.write()
    got = build_catalog(str(tree.root), str(out))
    assert got.mode == "incremental"
    monkeypatch.undo()
    cold = tmp_path / "cold"
    build_catalog(str(tree.root), str(cold), incremental=False)
    assert files(out) == files(cold)
    index = (out / "index.html").read_text()
    search = [p.name for p in (out / "assets").glob("search-data.*.js")]
    assert len(search) == 1 and f'data-search="assets/{search[0]}"' in index


def test_damaged_kept_frames_are_split_again(tree, tmp_path):
    """A kept frame of the wrong shape, or whose search marker is not there exactly once, is not used."""
    from eventbus.catalog.exporters.layout import is_raw as _frame_shape

    good = ("", "a", "b", "c", "d", "e")
    assert _frame_shape(good) and _frame_shape(("\x00m\x00", "a\x00m\x00", "b", "c", "d", "e"))
    for bad in [("\x00m\x00", "a", "b", "c", "d", "e"), ("\x00m\x00", "\x00m\x00", "\x00m\x00", "c", "d", "e"), good[:5], (*good[:5], 1), ["", *good[1:]]]:
        assert not _frame_shape(bad), bad


def test_a_symbolic_link_in_an_event_folder_is_part_of_its_digest(tmp_path):
    import os

    from eventbus.catalog.incremental import scan

    ev = tmp_path / "events" / "d" / "e"
    ev.mkdir(parents=True)
    (ev / "event.yaml").write_text("x: 1\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    os.symlink(tmp_path / "a", ev / "examples")
    before = scan(str(tmp_path), {}).events["d/e"]
    os.unlink(ev / "examples")
    os.symlink(tmp_path / "b", ev / "examples")
    assert scan(str(tmp_path), {}).events["d/e"] != before


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rebuild_renders_only_the_descriptions_that_changed(tree, tmp_path, monkeypatch, workers):
    """Descriptions' HTML travels with the pieces (from the page workers of the first build too): after a summary
    edit no Markdown is parsed; after a description edit only that description is."""
    from eventbus.catalog import markdown

    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out), workers=workers)
    parsed = []
    real = markdown.render.__wrapped__
    monkeypatch.setattr(markdown, "render", lambda text: parsed.append(text) or real(text))
    edit_summary(tree)
    tree.write()
    assert build_catalog(str(tree.root), str(out), workers=1).mode == "incremental"
    assert parsed == []
    tree.events["claims/claim_created"]["meta"]["description"] = "Now with **bold** text."
    tree.write()
    assert build_catalog(str(tree.root), str(out), workers=1).mode == "incremental"
    assert parsed == ["Now with **bold** text."]
    assert "<strong>bold</strong>" in (out / "events/claims/claim_created.html").read_text()
    monkeypatch.undo()
    cold = tmp_path / "cold"
    build_catalog(str(tree.root), str(cold), incremental=False)
    assert files(out) == files(cold)


def test_kept_frames_under_a_key_of_another_shape_are_left_out():
    from eventbus.catalog.exporters.layout import Layout

    layout = Layout(lambda: None, lambda root, section: {})
    raw = ("", "a", "b", "c", "d", "e")
    layout.keep({"x": raw, "a\nb": raw, "a\nb\nc\nd": raw, "a\nb\nmaybe": raw, 7: raw, "../\nteams\n": raw})
    assert layout.raw == {("../", "teams", False): raw}


def test_a_rebuild_loads_only_the_changed_event_and_a_full_build_loads_all(tree, tmp_path, monkeypatch):
    """The load snapshot (eventbus.load.snapshot): the other events come from the last build's load."""
    from eventbus.load.registry import TreeLoader

    loaded: list[str] = []
    real = TreeLoader.load_event
    monkeypatch.setattr(TreeLoader, "load_event", lambda self, d, n, p: loaded.append(f"{d}/{n}") or real(self, d, n, p))
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    assert sorted(loaded) == sorted(tree.events)
    loaded.clear()
    edit_summary(tree)
    tree.write()
    assert build_catalog(str(tree.root), str(out)).mode == "incremental"
    assert loaded == ["claims/claim_created"]
    loaded.clear()
    change_subscription(tree)  # outside the event folders: the snapshot is not used, the tree loaded whole
    tree.write()
    assert build_catalog(str(tree.root), str(out)).mode == "incremental"  # (an application's file: its pages alone rendered)
    assert sorted(loaded) == sorted(tree.events)
    loaded.clear()
    rename_team(tree)
    tree.write()
    assert build_catalog(str(tree.root), str(out)).mode == "full"
    assert sorted(loaded) == sorted(tree.events)


def test_a_lost_manifest_with_a_good_record_renders_everything_and_prunes_nothing_kept(tree, tmp_path):
    """Without the manifest no file is known to be intact, and a rebuild that kept files it could not list would
    prune them: the build renders everything instead."""
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    (out / MANIFEST).unlink()
    edit_summary(tree)
    tree.write()
    assert_same_as_cold(tree, out, tmp_path, "no-manifest", "full")


def test_an_unchanged_build_records_new_file_statuses(tree, tmp_path, monkeypatch):
    """Files rewritten with the same bytes (a checkout, a touch): the build is unchanged and records their new
    statuses, so that the build after it reads none of them again."""
    import time

    from eventbus.catalog import incremental

    monkeypatch.setattr(incremental, "RACY_NS", 0)
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    time.sleep(0.05)
    tree.write()  # every file written again, the same bytes
    time.sleep(0.05)
    opened = _count_opens(monkeypatch, tree.root)
    assert build_catalog(str(tree.root), str(out)).mode == "unchanged"
    assert any(p.startswith("events/") for p in opened)  # the new statuses: read once
    opened.clear()
    assert build_catalog(str(tree.root), str(out)).mode == "unchanged"
    assert [p for p in opened if not p.startswith("site/")] == []


# -- a process that builds again and again (eventbus catalog serve) -------------------------------------------------
def _same_as_cold(tree, out: Path, cold: Path, name: str):
    build_catalog(str(tree.root), str(cold), incremental=False)
    a, b = files(out), files(cold)
    assert sorted(a) == sorted(b), (name, sorted(set(a) ^ set(b)))
    assert [k for k in a if a[k] != b[k]] == [], name


@pytest.mark.parametrize("change,mode", CHANGES, ids=[c.__name__ for c, _ in CHANGES])
@pytest.mark.parametrize("scanned", [False, True], ids=["own-scan", "server-scan"])
def test_a_serving_process_rebuilds_like_a_cold_build(tree, tmp_path, change, mode, scanned):
    from eventbus.catalog import Memo
    from eventbus.catalog import incremental as inc

    out, memo = tmp_path / "site", Memo()
    build_catalog(str(tree.root), str(out), memo=memo)
    assert memo.objects is not None and memo.objects.events and memo.pieces
    first = inc.scan(str(tree.root), {})
    change(tree)
    tree.write()
    if scanned:  # as the server does: the scan that noticed the change is the build's
        memo.inputs = inc.scan(str(tree.root), {}, inc.known_of(first))
    got = build_catalog(str(tree.root), str(out), memo=memo)
    assert memo.inputs is None  # taken once
    _same_as_cold(tree, out, tmp_path / "cold", change.__name__)
    assert got.mode == mode
    assert build_catalog(str(tree.root), str(out), memo=memo).mode == "unchanged"


def test_a_serving_process_stays_identical_through_a_series_of_changes(tree, tmp_path):
    from eventbus.catalog import Memo

    out, memo = tmp_path / "site", Memo()
    build_catalog(str(tree.root), str(out), memo=memo)
    for i, step in enumerate([add_event, edit_summary, deprecate_with_successor, new_version, restrict_access, change_owner,
                              remove_a_producer, rename_team, edit_summary]):
        step(tree)
        tree.write()
        build_catalog(str(tree.root), str(out), memo=memo)
        _same_as_cold(tree, out, tmp_path / f"cold-{i}", f"{i}-{step.__name__}")


def test_a_serving_process_reads_the_pieces_again_after_another_build_into_its_folder(tree, tmp_path, monkeypatch):
    from eventbus.catalog import Memo
    from eventbus.catalog import incremental as inc

    out, memo = tmp_path / "site", Memo()
    build_catalog(str(tree.root), str(out), memo=memo)
    tree.events["health/refill_requested"]["meta"]["summary"] = "Edited while the server was not looking."
    tree.write()
    build_catalog(str(tree.root), str(out))  # another process: the memo's pieces are of the tree before
    edit_summary(tree)
    tree.write()
    reads = []
    real = inc.read_pieces
    monkeypatch.setattr(inc, "read_pieces", lambda *a, **k: reads.append(1) or real(*a, **k))
    assert_same_as_cold(tree, out, tmp_path, "after-another-build", "incremental")  # not the memo: a plain build
    reads.clear()
    tree.events["claims/claim_created"]["meta"]["summary"] = "Edited once more."
    tree.write()
    got = build_catalog(str(tree.root), str(out), memo=memo)
    assert reads == [1] and got.mode == "incremental"
    cold = tmp_path / "cold-last"
    build_catalog(str(tree.root), str(cold), incremental=False)
    a, b = files(out), files(cold)
    assert sorted(a) == sorted(b) and [k for k in a if a[k] != b[k]] == []
    reads.clear()
    edit_summary(tree)
    tree.write()
    build_catalog(str(tree.root), str(out), memo=memo)
    assert reads == []  # its own record again: its own pieces


def test_a_serving_process_loads_only_the_changed_event(tree, tmp_path, monkeypatch):
    from eventbus.catalog import Memo
    from eventbus.load import snapshot

    out, memo = tmp_path / "site", Memo()
    build_catalog(str(tree.root), str(out), memo=memo)
    unpickled = []
    real = snapshot._loads
    monkeypatch.setattr(snapshot, "_loads", lambda data: unpickled.append(1) or real(data))
    edit_summary(tree)
    tree.write()
    assert build_catalog(str(tree.root), str(out), memo=memo).mode == "incremental"
    assert unpickled == []  # the others are this process's objects already; the edited one is read from the tree


@pytest.mark.parametrize("serving", [False, True], ids=["build", "serve"])
def test_a_bus_grouped_by_domain_is_drawn_again_only_when_its_boxes_or_lines_change(tmp_path, monkeypatch, serving):
    """Above FULL_MAP_LIMIT events the bus map is the overview by domain: a rebuild keeps its drawing while it
    would draw the same, and draws it again when an event moves to another team."""
    import yaml

    from eventbus.bench.synth import generate
    from eventbus.catalog import Memo
    from eventbus.catalog.exporters import site

    root, out = tmp_path / "synth", tmp_path / "site"
    generate(str(root), events=130, consumers=40, versions=1)
    memo = Memo() if serving else None
    build_catalog(str(root), str(out), memo=memo)
    drawn: list[str] = []
    real = site.flow_svg
    monkeypatch.setattr(site, "flow_svg", lambda *a, **k: drawn.append(k.get("ident", "")) or real(*a, **k))
    event = sorted((root / "events").glob("*/*/event.yaml"))[0]
    meta = yaml.safe_load(event.read_text())
    meta["summary"] = "Edited, and nothing else."
    event.write_text(yaml.safe_dump(meta, sort_keys=False))
    assert build_catalog(str(root), str(out), memo=memo).mode == "incremental"
    assert "dg-bus" not in drawn and "dg-domain" in drawn  # the edited event's domain map is drawn again
    _same_as_cold_tree(root, out, tmp_path / "cold-1")
    drawn.clear()
    teams = sorted(p.stem for p in (root / "teams").glob("*.yaml"))
    meta["owner"] = next(t for t in teams if t != meta["owner"])
    event.write_text(yaml.safe_dump(meta, sort_keys=False))
    assert build_catalog(str(root), str(out), memo=memo).mode == "incremental"
    assert drawn.count("dg-bus") == 2  # the page's and map.svg
    _same_as_cold_tree(root, out, tmp_path / "cold-2")


def _same_as_cold_tree(root: Path, out: Path, cold: Path) -> None:
    build_catalog(str(root), str(cold), incremental=False)
    a, b = files(out), files(cold)
    assert sorted(a) == sorted(b) and [k for k in a if a[k] != b[k]] == []
