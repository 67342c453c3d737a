"""``eventbus``: the thin command line over the library.

Exit status: 0 clean, 1 findings of error severity (or incompatible / drift),
2 usage or internal error. Bad input never produces a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from eventbus import __version__
from eventbus.desired.stack import StackError


class UsageError(Exception):
    """A problem with how the command was called (exit 2)."""


def find_root(start: str | None = None) -> str:
    env = os.environ.get("EVENTBUS_ROOT")
    if env:
        return os.path.abspath(env)
    here = os.path.abspath(start or os.getcwd())
    cur = here
    while True:
        if os.path.isfile(os.path.join(cur, "Pulumi.yaml")) or os.path.isdir(os.path.join(cur, "events")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return here
        cur = parent


def _root(args) -> str:
    root = os.path.abspath(args.root) if args.root else find_root()
    if not os.path.isdir(root):
        raise UsageError(f"--root {args.root}: no such folder")
    return root


# -- validate -----------------------------------------------------------------
def cmd_validate(args) -> int:
    from eventbus.adapters.git import GitError
    from eventbus.gate import validate
    from eventbus.reporters import REPORTERS
    from eventbus.reporters.text import use_colour

    root = _root(args)
    started = time.perf_counter()
    try:
        result = validate(root, args.base)
    except GitError as exc:
        raise UsageError(f"--base {args.base}: {exc}") from None
    elapsed = time.perf_counter() - started
    reg = result.registry
    meta = {
        "colour": use_colour(),
        "stats": f"{len(reg.events)} events, {sum(len(e.versions) for e in reg.events)} schema versions, "
        f"{len(reg.consumers)} consumers, {len(reg.teams)} teams in {elapsed:.2f}s",
        "counts": {"events": len(reg.events), "consumers": len(reg.consumers), "teams": len(reg.teams)},
    }
    out = REPORTERS[args.format](result.findings, meta)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(out + "\n")
        if args.format != "text":
            from eventbus.reporters.text import render as text_render

            print(text_render(result.findings, meta))
    else:
        print(out)
    return 0 if result.ok else 1


# -- compat -------------------------------------------------------------------
def cmd_compat(args) -> int:
    from eventbus.avro.compat import check
    from eventbus.avro.schema import AvroError
    from eventbus.loader.files import ReadError, read_text

    texts = []
    for path in [args.new, *args.history]:
        try:
            texts.append(read_text(os.path.dirname(os.path.abspath(path)) or ".", path))
        except ReadError as exc:
            print(f"{path}:{exc.line}: {exc.message} (fix: {exc.hint})", file=sys.stderr)
            return 1
    new, history = texts[0], texts[1:]
    try:
        problems = check(args.mode, new, history)
    except AvroError as exc:
        print(f"error: not a valid Avro schema: {exc}", file=sys.stderr)
        return 1
    labels = [os.path.basename(p) for p in args.history]
    if not problems:
        checked = "nothing to check" if args.mode == "NONE" or not history else f"checked against {', '.join(labels) if args.mode.endswith('TRANSITIVE') else labels[-1]}"
        print(f"compatible ({args.mode}, {checked})")
        return 0
    print(f"INCOMPATIBLE under {args.mode}:")
    for p in problems:
        print(f"  - {p.describe(os.path.basename(args.new), labels[p.against])}")
        print(f"    fix: {p.advice}")
    return 1


# -- new ----------------------------------------------------------------------
def cmd_new(args) -> int:
    from eventbus.scaffold import ScaffoldError, new_consumer, new_event, producer_app_path, prompt_missing

    root = _root(args)
    interactive = sys.stdin.isatty() and not args.no_input
    try:
        values = prompt_missing(args.kind, vars(args), interactive)
        if args.kind == "event" and not os.path.exists(os.path.join(root, "events", values["domain"], values["name"])) \
                and not os.path.exists(producer_app_path(root, values)):
            values = prompt_missing("producer_app", values, interactive)
        created = new_event(root, values) if args.kind == "event" else new_consumer(root, values)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in created:
        print(f"created {os.path.relpath(path, root)}")
    print("next: edit the files, then run `eventbus validate`")
    return 0


# -- plan ---------------------------------------------------------------------
def cmd_plan(args) -> int:
    from eventbus.adapters.git import GitError
    from eventbus.plan import make_plan
    from eventbus.plan.render import as_json, markdown

    root = _root(args)
    try:
        plan = make_plan(root, args.base, args.stack or None)
        if args.ci_out:
            return _plan_ci(root, args, plan)
    except GitError as exc:
        raise UsageError(f"--base {args.base}: {exc}") from None
    text = as_json(plan) if args.format == "json" else markdown(plan)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text, end="")
    return 0


def _plan_ci(root: str, args, plan) -> int:
    """Everything the pull-request workflow posts, computed once: plan.md, plan.json,
    approvals.md, approvals.json, changed-files.txt, plan-comment.md and preview-stacks.json."""
    from eventbus import codeowners
    from eventbus.loader import load_registry
    from eventbus.plan import comment
    from eventbus.plan.render import as_json, markdown
    from eventbus.text import json_dumps

    out = args.ci_out
    os.makedirs(out, exist_ok=True)
    registry = load_registry(root).registry
    approvals = codeowners.approvals_data(root, args.base, registry)
    changed = codeowners.changed_files(root, args.base)
    plan_md = markdown(plan)
    approvals_md = codeowners.approvals_markdown(root, args.base, registry, data=approvals)
    files = {
        "plan.md": plan_md,
        "plan.json": as_json(plan),
        "approvals.md": approvals_md,
        "approvals.json": json_dumps(approvals, indent=2) + "\n",
        "changed-files.txt": "".join(f + "\n" for f in changed),
        "plan-comment.md": comment.body(plan_md, approvals_md, changed),
        "preview-stacks.json": json_dumps(comment.preview_stacks(plan, changed)),
    }
    for name, text in files.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    print(f"wrote {', '.join(files)} to {out}")
    return 0


# -- drift / credentials (local environment) -----------------------------------
def _admin_password(root: str) -> str | None:
    if os.environ.get("KAFKA_ADMIN_PASSWORD"):
        return os.environ["KAFKA_ADMIN_PASSWORD"]
    path = os.path.join(os.environ.get("EVENTBUS_STATE", os.path.join(root, ".state")), "kafka", "admin.password")
    if os.path.isfile(path):
        with open(path) as fh:
            return fh.read().strip()
    return None


def cmd_drift(args) -> int:
    from eventbus.adapters.kafka_admin import KafkaUnavailable, client_config, compare, read_live
    from eventbus.desired.stack import load_stack
    from eventbus.desired.state import compute
    from eventbus.gate import validate

    root = _root(args)
    stack = load_stack(root, args.stack)
    result = validate(root)
    if not result.ok:
        print(f"the registry does not pass the gate ({result.errors} errors): run `eventbus validate`", file=sys.stderr)
        return 1
    desired = compute(result.registry, stack)
    try:
        live = read_live(client_config(stack, password=_admin_password(root)))
    except KafkaUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    drift = compare(desired, live)
    if drift.clean:
        print(f"no drift: {len(desired.topics)} topics, {len(desired.acls)} ACLs and {len(desired.apps)} applications match stack {stack.name}")
        return 0
    print(f"drift on stack {stack.name} ({len(drift.lines)} differences):")
    for line in drift.lines:
        print(f"  - {line}")
    return 1


def scram_seed(root: str) -> str | None:
    if os.environ.get("EVENTBUS_SCRAM_SEED"):
        return os.environ["EVENTBUS_SCRAM_SEED"]
    path = os.path.join(os.environ.get("EVENTBUS_STATE", os.path.join(root, ".state")), "local", "scram.seed")
    if os.path.isfile(path):
        with open(path) as fh:
            return fh.read().strip()
    return None


def cmd_credentials(args) -> int:
    from eventbus.adapters.pulumi_program import SCRAM_MECHANISM, scram_password
    from eventbus.desired.stack import load_stack
    from eventbus.desired.state import compute
    from eventbus.loader import load_registry

    root = _root(args)
    stack = load_stack(root, args.stack)
    if stack.target != "local":
        raise UsageError(f"stack {stack.name} uses IAM roles; credentials are only for local SASL/SCRAM stacks")
    apps = {a.ref: a for a in compute(load_registry(root).registry, stack).apps}
    if args.app not in apps:
        raise UsageError(f"no application '{args.app}' with access on stack {stack.name}; known: {', '.join(sorted(apps))}")
    seed = scram_seed(root)
    if not seed:
        raise UsageError("no SCRAM seed yet: run scripts/up.sh first (it creates .state/local/scram.seed)")
    app = apps[args.app]
    pw = scram_password(seed, app.kafka_user)
    print(f"# {app.ref} on stack {stack.name}: produces {', '.join(app.produces) or '-'}; consumes {', '.join(app.consumes) or '-'}")
    print(f"bootstrap.servers={','.join(stack.cluster.bootstrap_servers)}")
    print("security.protocol=SASL_SSL" if stack.cluster.tls else "security.protocol=SASL_PLAINTEXT")
    print(f"sasl.mechanism={SCRAM_MECHANISM}")
    print(f"sasl.username={app.kafka_user}")
    print(f"sasl.password={pw}")
    if app.group:
        print(f"group.id={app.group}")
    return 0


# -- rules --------------------------------------------------------------------
def cmd_rules(args) -> int:
    from eventbus.docs import rules_markdown
    from eventbus.rules import all_rules

    if args.markdown:
        print(rules_markdown(), end="")
        return 0
    for r in all_rules():
        print(f"{r.id:28} {str(r.severity):8} {r.summary()}")
    return 0


COMMAND_MODULES = ("eventbus.catalog.cli", "eventbus.codeowners")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eventbus", description="Registry, gate and deploy tooling of the Enterprise Event Bus.")
    p.add_argument("--version", action="version", version=f"eventbus {__version__}")
    p.add_argument("--root", help="repository root (default: nearest folder with Pulumi.yaml)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser("validate", help="run the pull-request gate on the tree")
    v.add_argument("--base", metavar="GIT_REF", help="compare with this ref (merge base of a pull request) for history rules")
    v.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    v.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (a text summary still goes to stdout)")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("compat", help="check one Avro schema against its history")
    c.add_argument("--mode", required=True, type=str.upper, choices=["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"])
    c.add_argument("new", metavar="NEW.avsc")
    c.add_argument("history", metavar="OLD.avsc", nargs="+", help="previous versions, oldest first")
    c.set_defaults(func=cmd_compat)

    n = sub.add_parser("new", help="scaffold a new event or consumer")
    nsub = n.add_subparsers(dest="kind", metavar="KIND", required=True)
    ne = nsub.add_parser("event", help="events/<domain>/<event>/ with event.yaml, v1.avsc and an example")
    ne.add_argument("--domain")
    ne.add_argument("--name", help="event name, snake_case (e.g. contention_created)")
    ne.add_argument("--owner", help="owning team id")
    ne.add_argument("--title")
    ne.add_argument("--summary")
    ne.add_argument("--classification", choices=["none", "PII", "PHI"])
    ne.add_argument("--producer", help="producing application id")
    ne.add_argument("--principal", action="append", default=[], metavar="ENV=ARN",
                    help="IAM principal per environment of a producer application that has no file yet (repeatable)")
    ne.add_argument("--vasi-id", help="VASI id of the producing system (for a new producer application)")
    ne.add_argument("--fisma-level", choices=["Low", "Moderate", "High"], help="FISMA level of the producing system (for a new producer application)")
    ne.add_argument("--no-input", action="store_true", help="never prompt")
    nc = nsub.add_parser("consumer", help="consumers/<team>/<application>.yaml")
    nc.add_argument("--team")
    nc.add_argument("--application")
    nc.add_argument("--description")
    nc.add_argument("--event", action="append", default=[], help="event to subscribe to, <domain>/<event> (repeatable)")
    nc.add_argument("--purpose")
    nc.add_argument("--environment", action="append", default=[], help="environment to subscribe in (repeatable)")
    nc.add_argument("--principal", action="append", default=[], metavar="ENV=ARN")
    nc.add_argument("--vasi-id")
    nc.add_argument("--fisma-level", choices=["Low", "Moderate", "High"])
    nc.add_argument("--no-input", action="store_true", help="never prompt")
    n.set_defaults(func=cmd_new)

    pl = sub.add_parser("plan", help="what merging would change, per stack (for the pull-request comment)")
    pl.add_argument("--base", required=True, metavar="GIT_REF", help="the pull request's merge base")
    pl.add_argument("--stack", action="append", metavar="STACK", help="only this stack (repeatable; default: all)")
    pl.add_argument("--format", choices=["markdown", "json"], default="markdown")
    pl.add_argument("--output", "-o", metavar="FILE")
    pl.add_argument("--ci-out", metavar="DIR", help="write everything the pull-request workflow posts into DIR (plan, approvals, comment, stacks to preview)")
    pl.set_defaults(func=cmd_plan)

    d = sub.add_parser("drift", help="compare the live cluster with the registry (exit 1 when they differ)")
    d.add_argument("--stack", default="local")
    d.set_defaults(func=cmd_drift)

    cr = sub.add_parser("credentials", help="client settings of an application on the local stack (SASL/SCRAM)")
    cr.add_argument("app", metavar="TEAM/APPLICATION")
    cr.add_argument("--stack", default="local")
    cr.set_defaults(func=cmd_credentials)

    r = sub.add_parser("rules", help="list the gate's rules")
    r.add_argument("--markdown", action="store_true", help="print docs/rules.md")
    r.set_defaults(func=cmd_rules)

    # commands that live beside their feature: each module has register(subparsers)
    import importlib

    for module in COMMAND_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not exc.name or not (module == exc.name or module.startswith(exc.name + ".")):
                raise
            continue
        mod.register(sub, UsageError)

    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage error
        return 2 if exc.code else 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StackError as exc:  # a bad Pulumi.<stack>.yaml: a finding, not a usage error
        print(f"{exc.loc}: error: {exc.message} (fix: {exc.hint})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("EVENTBUS_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set EVENTBUS_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return 2


def entry() -> None:
    """Console entry point: skip the interpreter's teardown of a large model (saves ~10% on big trees)."""
    import gc

    gc.disable()  # a short-lived command over many small acyclic objects: collection only costs time (~15% at 10k events)
    rc = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(rc)


if __name__ == "__main__":
    sys.exit(main())
