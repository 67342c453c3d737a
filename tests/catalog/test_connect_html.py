"""The connect blocks built as strings (:func:`eventbus.catalog.exporters.html.connect_blocks`) equal the template
they replace (``templates/_connect.html``, kept as their reference), on the sample registry and on hostile text."""
from __future__ import annotations

import dataclasses

from tests.catalog.conftest import REPO

EVIL = "\" onmouseover=\"x()\" <script>alert('x')</script> & é"


def _blocks_of_sample():
    """Every event's blocks on the sample's stacks, and on prod as a Glue, a registry-less and a URL-less stack."""
    from eventbus.catalog import connect
    from eventbus.catalog.model import build_model
    from eventbus.desired import compute
    from eventbus.load.registry import load_registry
    from eventbus.load.stacks import load_stack, stack_files

    reg = load_registry(str(REPO)).registry
    configs = [load_stack(str(REPO), f[len("Pulumi."):-len(".yaml")]) for f in stack_files(str(REPO))]
    prod = load_stack(str(REPO), "prod")
    variants = [dataclasses.replace(prod, registry_kind="glue", registry_name="eeb-prod", registry_url=None),
                dataclasses.replace(prod, registry_kind="none", registry_name=None, registry_url=None),
                dataclasses.replace(prod, registry_url=None)]
    for stacks in [configs, *([v] for v in variants)]:
        cat = build_model(reg, [(c, compute(reg, c)) for c in stacks])
        for info in cat.events:
            yield [connect.block(view, t, info) for view in cat.stacks if (t := view.topic(info.ref)) is not None]


class _HostileView:
    """A stack view whose label, brokers and registry are hostile text."""

    def __init__(self, view):
        self._view = view
        self.label = self.servers = EVIL
        self.registry = dataclasses.replace(view.registry, url=EVIL if view.registry.url else None, name=EVIL)

    def __getattr__(self, name):
        return getattr(self._view, name)


def _hostile(b):
    from eventbus.catalog.connect import Identity

    snippets = [dataclasses.replace(s, id=s.id + EVIL, label=EVIL, filename=EVIL, lang=EVIL) for s in b.snippets]
    return dataclasses.replace(b, view=_HostileView(b.view), value_subject=EVIL, key_subject=EVIL, notes=[EVIL, "plain"], snippets=snippets,
                               identities=[*b.identities, Identity(EVIL, EVIL, "consumer", {EVIL: EVIL, "role": EVIL})])


def test_connect_blocks_equal_the_template():
    from eventbus.catalog.exporters.html import connect_blocks
    from eventbus.catalog.exporters.site import _env

    template = _env().get_template("_connect.html")
    seen = {"kinds": set(), "keyed": 0, "several": 0, "notes": 0, "iam": set()}
    cases = list(_blocks_of_sample())
    for blocks in cases + [[]]:
        hostile = [_hostile(b) for b in blocks]
        for bs in (blocks, hostile, blocks[::-1]):
            assert str(connect_blocks(bs)) == template.render(blocks=bs)
        for b in blocks:
            seen["kinds"].add(b.view.registry.kind)
            seen["iam"].add(b.view.iam)
            seen["keyed"] += bool(b.key_subject)
            seen["notes"] += bool(b.notes)
        seen["several"] += len(blocks) > 1
        if hostile:
            html = str(connect_blocks(hostile))
            assert "<script>" not in html and "&lt;script&gt;" in html
    # what the comparison went through: blocks side by side, keyed events, notes, every registry kind, IAM and SCRAM
    assert seen["several"] and seen["keyed"] and seen["notes"]
    assert seen["kinds"] == {"confluent", "glue", "none"} and seen["iam"] == {True, False}


def test_the_steps_name_the_identity_and_placeholders_of_the_stacks_shown():
    """Steps 2 and 3 say what identity the deploy creates on the stacks whose settings follow, and which placeholders
    those settings hold: an IAM role and <ROLE_ARN> on MSK, a SASL user and <USERNAME> on a stack with Kafka ACLs."""
    from eventbus.catalog.exporters.event_page import connect_steps
    from eventbus.catalog.model import build_model
    from eventbus.desired import compute
    from eventbus.load.registry import load_registry
    from eventbus.load.stacks import load_stack

    reg = load_registry(str(REPO)).registry
    views = {n: build_model(reg, [(c, compute(reg, c))]).stacks[0] for n in ("prod", "local") for c in [load_stack(str(REPO), n)]}
    assert views["prod"].iam and not views["local"].iam
    local = connect_steps([views["local"]])
    assert f"a {views['local'].sasl_mechanism} user with Kafka ACLs" in local and "&lt;USERNAME&gt;" in local
    assert "IAM" not in local and "ROLE_ARN" not in local
    prod = connect_steps([views["prod"]])
    assert "on each stack — an IAM role on MSK — and" in prod and "&lt;ROLE_ARN&gt;" in prod and "USERNAME" not in prod and "ACLs" not in prod
    both = connect_steps([views["prod"], views["local"]])
    assert "an IAM role on MSK on prod; a " in both and " user with Kafka ACLs on local (this machine)" in both
    assert both.index("ROLE_ARN") < both.index("USERNAME") < both.index("GROUP_ID")
