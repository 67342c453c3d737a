"""``eventbus new``: scaffold a valid file set from flags (and prompts when interactive).

Never overwrites: an existing event folder or application file is an error. A new event's
producer is an application of the owning team: when ``consumers/<owner>/<producer>.yaml``
does not exist yet, it is written too, as the one place that application's principals live.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ID = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
ARN = re.compile(r"^arn:aws(-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$")
REF = re.compile(r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$")


class ScaffoldError(Exception):
    pass


# field -> (question with explanation, validator regex or choices, required)
QUESTIONS: dict[str, dict[str, tuple[str, Any, bool]]] = {
    "event": {
        "domain": ("Business domain, snake_case (the first part of the topic name, e.g. claims)", SNAKE, True),
        "name": ("Event name, snake_case, past tense (e.g. contention_created); the topic is <domain>_<name>", SNAKE, True),
        "owner": ("Owning team id (a file teams/<id>.yaml)", ID, True),
        "title": ("Title shown in the catalog (e.g. Contention created)", None, True),
        "summary": ("One sentence: what happened in your data when this event is published", None, True),
        "classification": ("Most sensitive data in the payload: none, PII or PHI", ("none", "PII", "PHI"), True),
        "producer": ("Producing application id of the owning team (lowercase, hyphens): consumers/<owner>/<producer>.yaml", ID, True),
    },
    # asked only when the producer's application file does not exist yet
    "producer_app": {
        "vasi_id": ("VASI id of the producing system (digits)", re.compile(r"^[0-9]{1,8}$"), True),
        "fisma_level": ("FISMA level of the producing system: Low or Moderate (High is refused)", ("Low", "Moderate", "High"), True),
    },
    "consumer": {
        "team": ("Your team id (a file teams/<id>.yaml)", ID, True),
        "application": ("Application id (lowercase, hyphens); the file is consumers/<team>/<application>.yaml", ID, True),
        "description": ("What the application does (one or two sentences)", None, True),
        "event": ("Event to subscribe to, <domain>/<event> (see the catalog)", REF, True),
        "purpose": ("Why the application needs this data (reviewers read this)", None, True),
        "vasi_id": ("VASI id of your system (digits)", re.compile(r"^[0-9]{1,8}$"), True),
        "fisma_level": ("FISMA level of your system: Low or Moderate (High is refused)", ("Low", "Moderate", "High"), True),
    },
}


def _valid(value: Any, check: Any) -> bool:
    if value in (None, "", []):
        return False
    if check is None:
        return True
    if isinstance(check, tuple):
        return value in check
    values = value if isinstance(value, list) else [value]
    return all(check.match(v) for v in values)


def prompt_missing(kind: str, values: dict, interactive: bool) -> dict:
    values = dict(values)
    missing = []
    for key, (question, check, required) in QUESTIONS[kind].items():
        val = values.get(key)
        if isinstance(val, list) and val == []:
            val = None
        if val is not None and not _valid(val, check):
            raise ScaffoldError(f"--{key.replace('_', '-')} {val!r}: {question}")
        if val is None and required:
            if not interactive:
                missing.append(key)
                continue
            while True:
                answer = input(f"{question}:\n> ").strip()
                if _valid(answer, check):
                    values[key] = [answer] if isinstance(values.get(key), list) else answer
                    break
                print("  that does not look right; try again")
    if missing:
        flags = " ".join(f"--{m.replace('_', '-')}" for m in missing)
        raise ScaffoldError(f"missing {flags} (or run in a terminal to be asked)")
    return values


def _principals(pairs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pair in pairs:
        env, sep, arn = pair.partition("=")
        if not sep or not ARN.match(arn):
            raise ScaffoldError(f"--principal {pair!r}: write ENV=arn:aws-us-gov:iam::<12-digit account>:role/<name>")
        out.setdefault(env, []).append(arn)
    return out


# free-text flags -> (min, max) characters, as infra/eventbus/schemas/*.schema.json allow them
LENGTHS = {"title": (3, 120), "summary": (10, 300), "description": (10, 5000), "purpose": (10, 1000)}
NAME_MAX = 100  # a snake_case domain or event name (event.schema.json)


def _environments(root: str) -> set[str]:
    """The environments of the stacks (empty when the stack files cannot be read: the gate says why)."""
    from eventbus.load.stacks import load_stacks

    try:
        return {s.environment for s in load_stacks(root)}
    except Exception:  # noqa: BLE001 - a broken stack file is the gate's finding, not the scaffold's
        return set()


def check_against_tree(root: str, v: dict, team_key: str) -> None:
    """Refuse, before writing anything, what the gate would refuse in the values themselves: a team
    without a file, an unknown event or environment, a text of the wrong length, FISMA High."""
    team = v[team_key]
    teams = os.path.join(root, "teams")
    if not os.path.isfile(os.path.join(teams, f"{team}.yaml")):
        known = sorted(f[:-5] for f in os.listdir(teams) if f.endswith(".yaml")) if os.path.isdir(teams) else []
        raise ScaffoldError(f"--{team_key} {team!r}: there is no teams/{team}.yaml (fix: use one of: {', '.join(known) or 'none'}, or add the team file first)")
    for key in ("domain", "name"):
        if isinstance(v.get(key), str) and len(v[key]) > NAME_MAX:
            raise ScaffoldError(f"--{key}: {len(v[key])} characters (fix: at most {NAME_MAX})")
    for key, (lo, hi) in LENGTHS.items():
        text = v.get(key)
        if isinstance(text, str) and not lo <= len(text.strip()) <= hi:
            raise ScaffoldError(f"--{key} {text[:40]!r}: {len(text.strip())} characters (fix: write {lo} to {hi})")
    if v.get("fisma_level") == "High":
        raise ScaffoldError("--fisma-level High: FISMA High data cannot travel on the bus (fix: talk to the platform team about alternatives)")
    events = v.get("event") if isinstance(v.get("event"), list) else [v["event"]] if v.get("event") else []
    for i, ref in enumerate(events):
        if ref in events[:i]:
            raise ScaffoldError(f"--event {ref}: given twice (fix: name each event once)")
        if not os.path.isfile(os.path.join(root, "events", *ref.split("/"), "event.yaml")):
            raise ScaffoldError(f"--event {ref}: there is no events/{ref}/event.yaml (fix: name an event of the catalog, <domain>/<event>)")
    envs = _environments(root)
    named = list(v.get("environment") or []) + [p.partition("=")[0] for p in v.get("principal") or []]
    for env in named:
        if envs and env not in envs:
            raise ScaffoldError(f"environment {env!r}: no stack has it (fix: use one of: {', '.join(sorted(envs))})")


def _write_new(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:  # "x": never overwrite
        fh.write(text)


def _dump(data: dict) -> str:
    from eventbus.load.yaml import dump_yaml

    return dump_yaml(data)


def _pascal(snake: str) -> str:
    return "".join(p.capitalize() for p in snake.split("_"))


def producer_app_path(root: str, v: dict) -> str:
    return os.path.join(root, "consumers", v["owner"], f"{v['producer']}.yaml")


def new_event(root: str, v: dict) -> list[str]:
    folder = os.path.join(root, "events", v["domain"], v["name"])
    check_against_tree(root, v, "owner")
    if os.path.exists(folder):
        raise ScaffoldError(f"{os.path.relpath(folder, root)} already exists; edit it instead")
    app_path = producer_app_path(root, v)
    if not os.path.exists(app_path) and v.get("principal") is None:
        v = {**v, "principal": []}
    meta = {
        "title": v["title"],
        "summary": v["summary"],
        "description": "Describe when this event is published, what its key is, and how consumers should use it.\n",
        "owner": v["owner"],
        "domain": v["domain"],
        "lifecycle": "experimental",
        "classification": {"data": v["classification"], "bip_sourced": False},
        "source_systems": [{"name": "CHANGE-ME"}],
        "producers": [{"application": v["producer"], "idempotent": False}],
        "topic": {"partitions": 3, "retention_days": 7, "cleanup_policy": "delete"},
        "schema": {"compatibility": "BACKWARD"},
        "access": {"policy": "restricted" if v["classification"] != "none" else "open", "allowed_consumers": []},
        "tags": [v["domain"].replace("_", "-")],
    }
    schema = {
        "type": "record",
        "name": _pascal(v["name"]),
        "namespace": f"gov.va.eventbus.{v['domain']}",
        "doc": v["summary"],
        "fields": [
            {"name": "eventId", "type": {"type": "string", "logicalType": "uuid"}, "doc": "Unique id of this event (UUID), for de-duplication."},
            {"name": "occurredAt", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "When the change happened in the source system (UTC)."},
        ],
    }
    example = {"eventId": "3f1c2d7e-9a4b-4c1e-8f2a-2b6d9e0c1a77", "occurredAt": 1767225600000}
    files = {
        "event.yaml": "# yaml-language-server: $schema=../../../infra/eventbus/schemas/event.schema.json\n" + _dump(meta),
        "v1.avsc": json.dumps(schema, indent=2) + "\n",
        os.path.join("examples", "example.json"): json.dumps(example, indent=2) + "\n",
    }
    created = []
    if not os.path.exists(app_path):
        created += _write_app(root, v["owner"], v["producer"], f"Publishes {v['domain']}/{v['name']}.", v, [])
    for rel, text in files.items():
        path = os.path.join(folder, rel)
        _write_new(path, text)
        created.append(path)
    return created


def _write_app(root: str, team: str, application: str, description: str, v: dict, subscriptions: list[dict]) -> list[str]:
    path = os.path.join(root, "consumers", team, f"{application}.yaml")
    if os.path.exists(path):
        raise ScaffoldError(f"{os.path.relpath(path, root)} already exists; edit it instead")
    envs = v.get("environment") or ["sandbox"]
    principals = _principals(v.get("principal") or []) or {env: [f"arn:aws-us-gov:iam::000000000000:role/CHANGE-ME-{team}-{application}-{env}"] for env in envs}
    doc = {
        "application": application,
        "team": team,
        "description": description,
        "principals": principals,
        "consumer_group": {"name": f"{team}.{application}"},
    }
    if subscriptions:
        doc["subscriptions"] = subscriptions
    doc["compliance"] = {"vasi_id": v["vasi_id"], "fisma_level": v["fisma_level"], "ato_status": "ATO"}
    _write_new(path, "# yaml-language-server: $schema=../../infra/eventbus/schemas/consumer.schema.json\n" + _dump(doc))
    return [path]


def new_consumer(root: str, v: dict) -> list[str]:
    check_against_tree(root, v, "team")
    envs = v.get("environment") or ["sandbox"]
    events = v["event"] if isinstance(v["event"], list) else [v["event"]]
    subs = [{"event": e, "purpose": v["purpose"], "environments": envs} for e in events]
    return _write_app(root, v["team"], v["application"], v["description"], v, subs)
