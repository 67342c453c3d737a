"""``eventbus import --stack STACK``: draft the tree (and the stack's adoption record) from the bus
that already runs there. Read-only towards the cluster and the registry; repeatable.

Exit status: 0 written (or nothing left to write), 2 the cluster, the registry or IAM could not be
read, or a bad import map.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time

from eventbus.cli.common import UsageError, root_of


def register(sub) -> None:
    p = sub.add_parser("import", help="draft events, applications and the adoption record from a stack's live cluster and registry")
    p.add_argument("--stack", required=True, help="the stack whose cluster and registry to read (Pulumi.<stack>.yaml)")
    p.add_argument("--out", metavar="DIR", help="write the draft there (default: the repository)")
    p.add_argument("--domain-map", metavar="FILE", help="YAML: topics -> <domain>[/<event>] or skip, applications -> <team>/<application> (docs/adopting.md)")
    p.add_argument("--skip", action="append", default=[], metavar="GLOB", help="leave out topics matching GLOB (repeatable; _ and __ topics always are)")
    p.add_argument("--no-input", action="store_true", help="never prompt: take the map's choices, else the proposals")
    p.set_defaults(func=run)


class _Progress:
    """``[import] <step> <done>/<total>`` on stderr: rewritten in place on a terminal, a line every
    few seconds (and at the end of each step) when piped."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, step: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        end = total is not None and done >= total
        if not self.tty and not end and now - self.last < 5:
            return
        self.last = now
        text = f"[import] {step} {done}/{total}" if total else f"[import] {step} {done}"
        if self.tty:
            print(f"\r{text}\033[K", end="\n" if end else "", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)

    def say(self, text: str) -> None:
        print(f"[import] {text}", file=sys.stderr, flush=True)


def run(args) -> int:
    from eventbus.adapters import kafka_admin
    from eventbus.adapters.aws_iam import IamUnavailable
    from eventbus.adapters.schema_registry import RegistryError
    from eventbus.desired.connection import connection
    from eventbus.importer import choices, draft, snapshot, write
    from eventbus.load.registry import load_registry
    from eventbus.load.stacks import load_stack
    from eventbus.load.workspace import admin_password
    from eventbus.text import one_line

    root = root_of(args)
    stack = load_stack(root, args.stack)
    out = os.path.abspath(args.out) if args.out else root
    try:
        chosen = choices.load_map(os.path.abspath(args.domain_map)) if args.domain_map else choices.Choices()
    except choices.MapError as exc:
        raise UsageError(str(exc)) from None
    chosen.interactive = sys.stdin.isatty() and not args.no_input
    progress = _Progress()
    tree = load_registry(root).registry
    conn = connection(stack)
    local = stack.target == "local"
    if local and os.environ.get("EVENTBUS_LOCAL_BOOTSTRAP"):  # where scripts/up.sh started the broker, as the program reads it
        conn = dataclasses.replace(conn, bootstrap_servers=(os.environ["EVENTBUS_LOCAL_BOOTSTRAP"],))
    registry_url = (os.environ.get("EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL") if local else None) or stack.registry_url
    try:
        progress.say(f"reading the cluster of stack {stack.name} ({', '.join(conn.bootstrap_servers)})")
        conf = kafka_admin.client_config(conn, password=admin_password(root))
        conf["client.id"] = "eventbus-import"
        snap = snapshot.Snapshot(kafka_admin.read_inventory(conf, acls="acl" in stack.authorization, progress=progress))
        if stack.registry_kind == "confluent" and registry_url:
            progress.say(f"reading the schema registry ({registry_url})")
            snap.subjects = snapshot.read_registry(registry_url, os.environ.get("EVENTBUS_SCHEMA_REGISTRY_USERNAME"),
                                                   os.environ.get("EVENTBUS_SCHEMA_REGISTRY_PASSWORD"), progress)
            snap.registry_read = True
        if "iam" in stack.authorization and stack.cluster.arn:
            progress.say("reading the IAM roles that name the cluster")
            snap.roles = snapshot.read_roles(stack.region, stack.cluster.arn, progress)
    except (kafka_admin.KafkaUnavailable, IamUnavailable, RegistryError, OSError) as exc:
        print(f"error: {one_line(exc, 300)}", file=sys.stderr)
        return 2
    d = draft.make_draft(tree, stack, snap, chosen, tuple(args.skip))
    try:
        written = write.write(d, out, stack.name, snap.kafka.cluster_id)
    except write.WriteError as exc:
        print(f"error: {one_line(exc, 400)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write the draft in {one_line(out, 200)}: {one_line(exc, 300)}", file=sys.stderr)
        return 2
    r = d.report
    print(f"eventbus import --stack {stack.name}: {len(snap.kafka.topics)} topics, {len(snap.subjects)} subjects, "
          f"{len({b[0] for b in snap.kafka.acls})} principals, {len(snap.roles)} roles, {len(snap.kafka.groups)} consumer groups read; nothing on the cluster changed")
    for title, lines in (("written", written), ("differs (the cluster against the tree: decide in the pull request)", r.differs),
                         ("kept as found (the adoption record keeps it; remove it there when no longer needed)", r.kept),
                         ("not imported", r.skipped)):
        if lines:
            print(f"\n{title}:")
            for line in lines:
                print(f"  - {one_line(line, 400)}")
    if written:
        rel = os.path.relpath(out, os.getcwd()) if out != root else "the tree"
        print(f"\nnext: fill in every FILL-IN placeholder in {rel} (eventbus validate lists them with file and line), "
              f"then open a pull request: its plan says 'adopted' for what the first deploy adopts (docs/adopting.md)")
    else:
        print("\nnothing to write: the tree already has everything the cluster holds")
    return 0
