"""Reviewer views: PII/PHI events × consumers, deprecations with remaining consumers, expiring compliance; and the
warnings on consumers' pages."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from eventbus.catalog import build_catalog
from tests.conftest import producer_app

TODAY = dt.date(2026, 11, 26)


def squash(html: str) -> str:
    """The page's words, one space apart (each tag counts as a space)."""
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" ,", ",").replace(" .", ".").replace("( ", "(").replace(" )", ")")


@pytest.fixture()
def review_tree(tree):
    new = tree.events["claims/claim_created"]
    tree.events["claims/claim_status"] = {
        "meta": {**new["meta"], "title": "Claim status (old)", "summary": "Old status feed.", "lifecycle": "deprecated",
                 "deprecated_on": "2026-05-01", "removal_date": "2026-12-20", "replaced_by": "claims/claim_created",
                 "producers": [{"application": "claims-poller"}]},
        "versions": new["versions"][:1],
        "key": new["key"],
        "examples": {"one.json": {"claimId": 1, "status": "OPEN"}},
    }
    tree.consumers["claims-team/claims-poller"] = producer_app("claims-team", "claims-poller", {"prod": ["arn:aws-us-gov:iam::111122223333:role/poller"]})
    c = tree.consumers["notify/notifier"]
    c["subscriptions"].append({"event": "claims/claim_status", "purpose": "Legacy status mails.", "environments": ["prod"]})
    c["compliance"]["ato_expires"] = "2027-01-15"  # 50 days after TODAY
    c["compliance"]["pta_date"] = "2025-11-01"  # renewal due 2026-11-02: overdue
    tree.events["claims/claim_created"]["meta"]["compliance"] = {"vasi_id": "77", "ato_status": "ATO", "ato_expires": "2026-12-01"}
    return tree.write()


@pytest.fixture()
def site(review_tree, tmp_path):
    out = tmp_path / "site"
    build_catalog(str(review_tree.root), str(out), today=TODAY)
    return out


def test_sensitive_view_lists_consumers_with_agreements_and_approvals(site):
    page = squash((site / "reviews/sensitive.html").read_text())
    assert "Refill requested health/refill_requested PHI BIP-sourced" in page
    assert "notify/notifier Confirm the refill request to the Veteran. declares no fields: all 1 icn PII DSA-1 OBI-77 prod: granted" in page
    assert "Claim created" not in page  # no PII/PHI


def test_deprecations_view_counts_days_and_names_consumers(site):
    page = (site / "reviews/deprecations.html").read_text()
    t = squash(page)
    assert "Claim status (old) claims/claim_status deprecated 2026-12-20 in 24 days claims/claim_created notify/notifier" in t
    assert 'href="../events/claims/claim_created.html"' in page and 'href="../apps/notify/notifier.html"' in page


def test_compliance_view_lists_what_expires_soon(site):
    t = squash((site / "reviews/compliance.html").read_text())
    rows = re.findall(r"(\d{4}-\d\d-\d\d) (ATO|PTA|PIA)", t)
    assert rows == [("2026-11-02", "PTA"), ("2026-12-01", "ATO"), ("2027-01-15", "ATO")]  # soonest first
    assert "overdue 24 days ago" in t and "event claims/claim_created" in t and "application notify/notifier" in t
    assert " PIA " not in t  # the PIA (2025-01-01) is due in 2028


def test_consumer_page_warns_and_links_the_replacement(site):
    page = (site / "apps/notify/notifier.html").read_text()
    banner = page[page.index('class="banner banner-deprecated"'):page.index("</div>", page.index('class="banner banner-deprecated"'))]
    t = squash(banner)
    assert "Subscribed to a deprecated event: Claim status (old) (claims/claim_status), removed on 2026-12-20 (in 24 days)." in t
    assert "Move to Claim created (claims/claim_created)" in t
    assert 'href="../../events/claims/claim_created.html"' in banner and 'href="../../events/claims/claim_status.html"' in banner
    assert "expires in 50 days" in squash(page)  # the ATO


def test_removal_date_in_the_past_reads_right(review_tree, tmp_path):
    out = tmp_path / "site"
    build_catalog(str(review_tree.root), str(out), today=dt.date(2027, 1, 4))
    t = squash((out / "events/claims/claim_status.html").read_text())
    assert "Its removal date, 2026-12-20, has passed (15 days ago as of 2027-01-04)" in t
    assert "will be removed on" not in t
    assert "passed 15 days ago" in squash((out / "reviews/deprecations.html").read_text())


def test_event_page_shows_event_compliance(site):
    t = squash((site / "events/claims/claim_created.html").read_text())
    assert "VASI id 77" in t and "ATO ATO · expires 2026-12-01 expires in 5 days" in t
