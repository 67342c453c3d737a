"""Safe YAML with positions.

Only plain data is accepted: mappings, sequences and scalars with the core tags.
Anchors/aliases (the usual YAML-bomb vehicle), duplicate keys, custom tags and
deep nesting are errors. Every value's line and column is recorded under its
path, e.g. ``("subscriptions", 0, "event") -> (12, 5)``.
"""
from __future__ import annotations

from typing import Any

import yaml

from eventbus.loader.files import ReadError

try:  # the C parser is much faster; the pure one is identical in behaviour
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore

MAX_DEPTH = 32
MAX_NODES = 50_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_ctor = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR or tag == _TIMESTAMP:
        return node.value  # dates stay strings; the model parses them
    if tag == _BOOL:
        if node.value.lower() in ("true", "false"):
            return node.value.lower() == "true"
        return node.value  # yes/no/on/off stay strings (the "Norway problem")
    if tag == _NULL:
        return None
    if tag == _INT:
        return _ctor.construct_yaml_int(node)
    if tag == _FLOAT:
        return _ctor.construct_yaml_float(node)
    raise ReadError(
        "yaml-syntax",
        f"unsupported YAML tag {node.tag}",
        "use plain strings, numbers, booleans, lists and mappings",
        node.start_mark.line + 1,
        node.start_mark.column + 1,
    )


def parse_yaml(text: str) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    """Parse one YAML document into plain data and a position table."""
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "more than one document" in str(exc) or "expected a single document" in str(exc):
            raise ReadError("yaml-syntax", "file holds more than one YAML document", "keep one document per file (remove '---')", line, col) from None
        raise ReadError("yaml-syntax", f"invalid YAML: {problem}", "fix the YAML syntax at this position", line, col) from None
    except yaml.YAMLError as exc:
        raise ReadError("yaml-syntax", f"invalid YAML: {exc}", "fix the YAML syntax") from None
    except RecursionError:
        raise ReadError("yaml-depth", "YAML nesting is too deep", f"registry files nest at most {MAX_DEPTH} levels") from None
    positions: dict[tuple, tuple[int, int]] = {}
    if root is None:
        return None, positions
    # Anchors need a '&' in the text; without one no node can be shared, so the
    # (costly) identity bookkeeping is only done when the text has one.
    seen: set[int] | None = set() if "&" in text else None
    counter = [0]
    ScalarNode, SequenceNode = yaml.ScalarNode, yaml.SequenceNode

    def build(node: yaml.Node, path: tuple, depth: int) -> Any:
        if seen is not None:
            if id(node) in seen:
                raise ReadError(
                    "yaml-alias",
                    "YAML anchors and aliases are not allowed",
                    "write the value out in full instead of '*alias'",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            seen.add(id(node))
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise ReadError("yaml-size", f"file has more than {MAX_NODES:,} values", "registry files are small; split it")
        mark = node.start_mark
        if path not in positions:
            positions[path] = (mark.line + 1, mark.column + 1)
        if node.__class__ is ScalarNode:
            tag = node.tag
            return node.value if tag == _STR else _scalar(node)
        if depth > MAX_DEPTH:
            raise ReadError("yaml-depth", f"YAML nesting deeper than {MAX_DEPTH} levels", "flatten the structure", mark.line + 1, mark.column + 1)
        if node.__class__ is SequenceNode:
            if node.tag != _SEQ:
                _scalar(yaml.ScalarNode(node.tag, "", node.start_mark, node.end_mark))
            return [build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.tag != _MAP:
            _scalar(yaml.ScalarNode(node.tag, "", node.start_mark, node.end_mark))
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if knode.__class__ is not ScalarNode:
                raise ReadError(
                    "yaml-syntax",
                    "mapping keys must be plain strings",
                    "use a simple word as the key",
                    knode.start_mark.line + 1,
                    knode.start_mark.column + 1,
                )
            if knode.tag == "tag:yaml.org,2002:merge":
                raise ReadError("yaml-alias", "YAML merge keys ('<<') are not allowed", "write the keys out in full", knode.start_mark.line + 1, knode.start_mark.column + 1)
            key = knode.value
            kpath = path + (key,)
            if key in out:
                first = positions.get(kpath, (0, 0))[0]
                raise ReadError(
                    "yaml-duplicate-key",
                    f"duplicate key '{key}' (first defined on line {first})",
                    "remove one of the two entries",
                    knode.start_mark.line + 1,
                    knode.start_mark.column + 1,
                )
            kmark = knode.start_mark
            positions[kpath] = (kmark.line + 1, kmark.column + 1)
            out[key] = build(vnode, kpath, depth + 1)
        return out

    try:
        data = build(root, (), 0)
    except RecursionError:
        raise ReadError("yaml-depth", "YAML nesting is too deep", f"registry files nest at most {MAX_DEPTH} levels") from None
    return data, positions


class _PlainDumper(yaml.SafeDumper):
    """Never writes anchors/aliases (the loader refuses them), even for shared objects."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)
