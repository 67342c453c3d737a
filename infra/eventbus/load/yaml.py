"""Safe YAML with positions.

Only plain data is accepted: mappings, sequences and scalars with the core tags.
Anchors/aliases (the usual YAML-bomb vehicle), duplicate keys, custom tags and
deep nesting are errors. Every value's line and column is recorded under its
path, e.g. ``("subscriptions", 0, "event") -> (12, 5)``.
"""
from __future__ import annotations

import bisect
import re
from typing import Any

import yaml

from eventbus.load.files import ReadError

try:  # the C parser is much faster; the pure one is identical in behaviour
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore

_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}  # (plain scalar, implicit flags) -> its resolved tag


class _Loader(_BaseLoader):
    """The safe loader, remembering the tag each scalar text resolves to: the parser asks for
    every scalar, and the answer (a regular expression search) depends on the text and the two
    flags only (the safe loader has no path resolvers)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and not self.yaml_path_resolvers:
            key = (value, implicit)
            tag = _TAGS.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_TAGS) < 65536 and len(value) <= 256:
                    _TAGS[key] = tag
            return tag
        return super().resolve(kind, value, implicit)

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


def _plain_mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _mark_mapper(text: str):
    """Mark -> 1-based (line, column) as reviewers' tools (git, GitHub) count them.

    Fuzzing fixes: YAML also breaks lines at a lone CR, NEL, LS and PS (U+0085, U+2028,
    U+2029), git and GitHub only at LF, so positions in files holding those characters
    pointed at lines past the end of the file; marks carry a character index, which is
    mapped to LF-based lines here (only for such files). And at the end of the input
    libyaml marks the line after the last one (an error at the end of the file, an empty
    document): such positions point at the end of the last line instead.
    """
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a final newline ends the last line, it does not start another
    last, end = len(lines), len(lines[-1]) + 1
    if not any(c in text for c in "\r\x85\u2028\u2029"):

        def plain(mark: Any) -> tuple[int, int]:
            line = mark.line + 1
            return (line, mark.column + 1) if line <= last else (last, end)

        return plain
    newlines = [m.start() for m in re.finditer("\n", text)]

    def at(mark: Any) -> tuple[int, int]:
        i = min(max(mark.index, 0), len(text))
        n = bisect.bisect_left(newlines, i)  # LFs before index i
        if n + 1 > last:
            return last, end
        start = newlines[n - 1] + 1 if n else 0
        return n + 1, i - start + 1

    return at


def _scalar(node: yaml.ScalarNode, at=_plain_mark) -> Any:
    tag = node.tag
    if tag == _STR or tag == _TIMESTAMP:
        return node.value  # dates stay strings; the model parses them
    if tag == _BOOL:
        if node.value.lower() in ("true", "false"):
            return node.value.lower() == "true"
        return node.value  # yes/no/on/off stay strings (the "Norway problem")
    if tag == _NULL:
        return None
    if tag == _INT or tag == _FLOAT:
        # Fuzzing fix: an explicit tag on text that is no number (``!!int x``, ``!!float x``,
        # ``!!int 0b12``) and integers of thousands of digits (Python refuses to convert them,
        # see sys.get_int_max_str_digits) raised a bare ValueError out of the loader, and an
        # empty one (``!!int ``) an IndexError.
        try:
            value = _ctor.construct_yaml_int(node) if tag == _INT else _ctor.construct_yaml_float(node)
            # A hex, octal or binary integer has no digit limit, but its decimal repr() (every
            # error message that shows the value) raises past 4,300 digits: refuse huge ones.
            if isinstance(value, int) and value.bit_length() > 3000:
                raise ValueError("integer too large")
            return value
        except (ValueError, IndexError):
            raise ReadError(
                "yaml-syntax",
                f"invalid or oversized number '{node.value[:40]}{'...' if len(node.value) > 40 else ''}'",
                "write a plain number of a sensible size (or quote the value to make it text)",
                *at(node.start_mark),
            ) from None
    raise ReadError(
        "yaml-syntax",
        f"unsupported YAML tag {node.tag}",
        "use plain strings, numbers, booleans, lists and mappings",
        *at(node.start_mark),
    )


def parse_yaml(text: str) -> tuple[Any, dict[tuple, tuple[int, int]]]:
    """Parse one YAML document into plain data and a position table."""
    at = _mark_mapper(text)
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = at(mark) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem:
            # Adversarial-corpus fix: libyaml stops at 1000 levels with a syntax error; report
            # it as the depth rule it is (the limit for registry files is MAX_DEPTH).
            raise ReadError("yaml-depth", f"YAML nesting deeper than {MAX_DEPTH} levels", "flatten the structure", line, col) from None
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
                    *at(node.start_mark),
                )
            seen.add(id(node))
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise ReadError("yaml-size", f"file has more than {MAX_NODES:,} values", "registry files are small; split it")
        mark = node.start_mark
        if path not in positions:
            positions[path] = at(mark)
        if node.__class__ is ScalarNode:
            tag = node.tag
            return node.value if tag == _STR else _scalar(node, at)
        if depth > MAX_DEPTH:
            raise ReadError("yaml-depth", f"YAML nesting deeper than {MAX_DEPTH} levels", "flatten the structure", *at(mark))
        if node.__class__ is SequenceNode:
            if node.tag != _SEQ:
                _scalar(yaml.ScalarNode(node.tag, "", node.start_mark, node.end_mark), at)
            return [build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.tag != _MAP:
            _scalar(yaml.ScalarNode(node.tag, "", node.start_mark, node.end_mark), at)
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if knode.__class__ is not ScalarNode:
                raise ReadError(
                    "yaml-syntax",
                    "mapping keys must be plain strings",
                    "use a simple word as the key",
                    *at(knode.start_mark),
                )
            if knode.tag == "tag:yaml.org,2002:merge":
                raise ReadError("yaml-alias", "YAML merge keys ('<<') are not allowed", "write the keys out in full", *at(knode.start_mark))
            key = knode.value
            kpath = path + (key,)
            if key in out:
                first = positions.get(kpath, (0, 0))[0]
                raise ReadError(
                    "yaml-duplicate-key",
                    f"duplicate key '{key}' (first defined on line {first})",
                    "remove one of the two entries",
                    *at(knode.start_mark),
                )
            positions[kpath] = at(knode.start_mark)
            if seen is None and vnode.__class__ is ScalarNode and vnode.tag == _STR:  # most values: build() inlined
                counter[0] += 1
                if counter[0] > MAX_NODES:
                    raise ReadError("yaml-size", f"file has more than {MAX_NODES:,} values", "registry files are small; split it")
                out[key] = vnode.value
            else:
                out[key] = build(vnode, kpath, depth + 1)
        return out

    try:
        data = build(root, (), 0)
    except RecursionError:
        raise ReadError("yaml-depth", "YAML nesting is too deep", f"registry files nest at most {MAX_DEPTH} levels") from None
    finally:
        build = None  # type: ignore[assignment]  # the recursive closure refers to itself: no cycle left per file
    return data, positions


class _PlainDumper(yaml.SafeDumper):
    """Never writes anchors/aliases (the loader refuses them), even for shared objects."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Fuzzing fix (round trip dump_yaml -> parse_yaml): with allow_unicode the emitter writes
    # NEL/LS/PS (U+0085, U+2028, U+2029) raw inside single-quoted or plain scalars, where YAML
    # reads them as line breaks and folds them into a space: '\x85' came back as ' '. Double
    # quotes escape them (\N, \L, \P).
    if "\x85" in data or "\u2028" in data or "\u2029" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    if "\n" in data.rstrip("\n"):  # several lines: a literal block, as people write them (the emitter falls back when it cannot)
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_str(data)


_PlainDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)
