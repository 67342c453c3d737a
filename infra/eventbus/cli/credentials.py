"""``eventbus credentials TEAM/APP``: the client settings of an application on a stack."""
from __future__ import annotations

from eventbus.cli.common import UsageError, root_of


def register(sub) -> None:
    cr = sub.add_parser("credentials", help="client settings of an application on a stack (the password on stacks that manage SCRAM users)")
    cr.add_argument("app", metavar="TEAM/APPLICATION")
    cr.add_argument("--stack", default="local")
    cr.set_defaults(func=run)


def run(args) -> int:
    from eventbus.desired import compute
    from eventbus.desired.clients import client_properties, scram_password
    from eventbus.load.registry import load_registry
    from eventbus.load.stacks import load_stack
    from eventbus.load.workspace import scram_seed

    root = root_of(args)
    stack = load_stack(root, args.stack)
    state = compute(load_registry(root).registry, stack)
    app = state.apps_by_ref.get(args.app)
    if app is None:
        raise UsageError(f"no application '{args.app}' with access on stack {stack.name}; known: {', '.join(sorted(state.apps_by_ref)) or 'none'}")
    password = None
    if state.scram_users and app.keep_credential:
        print(f"# {app.kafka_user} keeps the SCRAM credential it had before adoption (adopt/{stack.name}.yaml): "
              "its password is the application's own, not managed here")
    elif state.scram_users:
        seed = scram_seed(root)
        if not seed:
            raise UsageError("no SCRAM seed yet: run scripts/up.sh first (it creates .state/local/scram.seed)")
        password = scram_password(seed, app.kafka_user)
    print(f"# {app.ref} on stack {stack.name}: produces {', '.join(app.produces) or '-'}; consumes {', '.join(app.consumes) or '-'}")
    for key, value in client_properties(state, app, password):
        print(f"{key}={value}")
    for line in _pinned_ids(state, app):
        print(line)
    return 0


def _pinned_ids(state, app) -> list[str]:
    """For a producer on a stack with a Confluent registry: the latest schema id of each subject it
    writes, to pin (``use.schema.id``) instead of ``use.latest.version`` (when the registry answers)."""
    if not app.produces or state.registry.kind != "confluent" or not state.registry.url:
        return []
    from eventbus.adapters.schema_registry import RegistryError, SchemaRegistry
    from eventbus.model import naming

    registry = SchemaRegistry(state.registry.url, timeout=3)
    out = []
    for topic in app.produces:
        subject = naming.subject(topic, "value")
        try:
            latest = registry.latest(subject)
        except (RegistryError, OSError):
            return [f"# the registry at {state.registry.url} does not answer: pinned schema ids not shown"]
        if latest is not None:
            out.append(f"# {subject}: to pin the schema instead of use.latest.version, set use.schema.id={latest.id} (version {latest.version})")
    return out
