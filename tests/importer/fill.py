"""A person's part of an import: every FILL-IN placeholder replaced with a realistic value."""
from __future__ import annotations

from pathlib import Path

from eventbus.load.yaml import dump_yaml, parse_yaml

VALUES = {
    "summary": "A record changed in the source system and the bus published it.",
    "data": "none",
    "description": "An application of the agency that the platform team set up by hand.",
    "purpose": "Show the Veteran the current status of the claim and its letters.",
    "vasi_id": "1234",
    "fisma_level": "Moderate",
    "ato_status": "ATO",
}


def _value(path: tuple, doc: dict):
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    if path[:1] == ("principals",):
        return f"arn:aws-us-gov:iam::111122223333:role/{doc['application']}-prod"
    if path[:1] == ("contacts",):
        return "Pat Example"
    if key == "name":
        return f"Team {doc['id']}"
    if key == "github_team":
        return f"@department-of-veterans-affairs/{doc['id']}"
    return VALUES[key]  # a placeholder nobody expected: the test fails here


def fill_document(doc):
    """(the document with its placeholders filled, how many there were)."""
    count = 0

    def walk(node, path):
        nonlocal count
        if isinstance(node, dict):
            return {k: walk(v, path + (k,)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, path + (i,)) for i, v in enumerate(node)]
        if isinstance(node, str) and node.startswith("FILL-IN:"):
            count += 1
            return _value(path, doc)
        return node

    return walk(doc, ()), count


def fill_in(root: Path) -> int:
    """Fill every placeholder of the tree at ``root``; how many were filled."""
    filled = 0
    for path in sorted([*root.glob("events/*/*/event.yaml"), *root.glob("consumers/*/*.yaml"), *root.glob("teams/*.yaml")]):
        text = path.read_text()
        if "FILL-IN:" not in text:
            continue
        doc, n = fill_document(parse_yaml(text)[0])
        path.write_text(dump_yaml(doc))
        filled += n
    return filled
