"""JSON Schema conformance of registry documents, with findings at file:line."""
from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from eventbus.model import Positions
from eventbus.model.findings import Finding, Severity

if TYPE_CHECKING:
    import jsonschema_rs
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

# ``jsonschema`` (the explaining validator) is imported only when a document fails the compiled
# one or holds a float: a valid tree never needs it (its import was a quarter of the start-up);
# ``jsonschema_rs`` (the compiled one) only when a document is checked, not when the parse cache has them all

KINDS = ("event", "consumer", "team", "stack", "compliance", "adopt")
MAX_FINDINGS_PER_FILE = 20


_SCHEMAS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas")  # eventbus/schemas (importlib.resources: 7 ms of imports)


def schema_text(kind: str) -> str:
    with open(os.path.join(_SCHEMAS, f"{kind}.schema.json"), encoding="utf-8") as fh:
        return fh.read()


def _ecma(pattern: str) -> str:
    """A JSON Schema (ECMA-262) pattern for Python's ``re``: ``$`` ends the text.

    Fuzzing fix: in Python ``$`` also matches before a final newline, so the explaining
    validator found no error in ``"arn:aws-us-gov:iam::111122223333:role/x\n"`` (or an id with a
    trailing newline) that the compiled validator had refused, and the document was accepted.
    """
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        out.append("\\Z" if c == "$" and not in_class else c)
        i += 1
    return "".join(out)


def _pattern(validator, patrn, instance, schema):
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and re.search(_ecma(patrn), instance) is None:
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def _is_integer(checker, instance) -> bool:
    """JSON Schema counts 30.0 as an integer; a registry value that is written as a float is not
    one here (Kafka would receive "2592000000.0"), and booleans never are."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _validators() -> dict[str, Draft202012Validator]:
    from jsonschema import Draft202012Validator, validators
    from referencing import Registry as RefRegistry
    from referencing import Resource

    strict = validators.extend(
        Draft202012Validator,
        {"pattern": _pattern},
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )
    docs = {k: json.loads(schema_text(k)) for k in KINDS}
    reg = RefRegistry().with_resources(
        [(f"{k}.schema.json", Resource.from_contents(d)) for k, d in docs.items()]
    )
    return {
        k: strict(d, registry=reg, format_checker=Draft202012Validator.FORMAT_CHECKER) for k, d in docs.items()
    }


@cache
def _fast() -> dict[str, jsonschema_rs.Validator]:
    """Compiled (Rust) validators: the fast yes/no path. Errors are explained by ``jsonschema``."""
    import jsonschema_rs

    docs = {k: json.loads(schema_text(k)) for k in KINDS}
    reg = jsonschema_rs.Registry([(f"file:///schemas/{k}.schema.json", d) for k, d in docs.items()])
    return {
        k: jsonschema_rs.Draft202012Validator({"$ref": f"file:///schemas/{k}.schema.json"}, registry=reg, validate_formats=True)
        for k in KINDS
    }


def _dotted(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(document)"


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]*@")


def _redacted(value: str) -> str:
    """``value`` with the user and password of every URL in it replaced (``https://***@host``): the
    message goes to CI annotations and logs, and a URL refused for holding credentials holds them."""
    return _USERINFO.sub(r"\1***@", value)


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _describe(err: ValidationError) -> tuple[str, str, tuple]:
    """Plain-words message, fix hint and the path to point at."""
    path = tuple(err.absolute_path)
    where = _dotted(path)
    desc = err.schema.get("description", "") if isinstance(err.schema, dict) else ""
    v = err.validator
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        allowed = ", ".join(sorted(err.schema.get("properties", {}))) or "none"
        name = extra[0] if extra else "?"
        moved = (err.schema.get("x-moved") or {}).get(name)
        if moved:
            return (f"'{name}' is not allowed in {where}", moved, path + (name,))
        return (f"unknown field '{name}' in {where}", f"remove it or check its spelling; allowed fields: {allowed}", path + (name,))
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        sub = err.schema.get("properties", {}).get(missing, {})
        return (f"missing required field '{missing}' in {where}", sub.get("description") or f"add '{missing}'", path)
    if v == "enum":
        return (f"{where}: {json.dumps(err.instance)[:80]} is not one of {', '.join(map(str, err.validator_value))}", desc or "use one of the listed values", path)
    if v == "type" and err.validator_value == "integer" and isinstance(err.instance, float):
        return (f"{where} must be a whole number, not {err.instance!r}", f"write {int(err.instance)}" if err.instance.is_integer() else "write a whole number", path)
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        got = type(err.instance).__name__.replace("NoneType", "null").replace("dict", "mapping").replace("list", "list").replace("str", "string")
        return (f"{where} must be {_a(want)}, not {_a(got)}", desc or f"write {_a(want)}", path)
    if v == "pattern":
        return (f"{where}: '{_redacted(str(err.instance))[:80]}' has the wrong form", desc or f"it must match {err.validator_value}", path)
    if v == "format":
        return (f"{where}: '{str(err.instance)[:40]}' is not a valid {err.validator_value}", "dates are written YYYY-MM-DD" if err.validator_value == "date" else desc, path)
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "not", "const"):
        return (f"{where}: {err.message[:200]}", desc or "use a value within the allowed range", path)
    if v in ("minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "maxProperties", "propertyNames"):
        return (f"{where}: {err.message[:200]}", desc or "see the file format docs", path)
    return (f"{where}: {err.message[:200]}", desc or "see docs/file-formats.md", path)


def _has_float(data: Any) -> bool:
    """Whether a float appears anywhere in ``data`` (no field of the formats is a float)."""
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, float):
            return True
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def validate_document(kind: str, data: Any, pos: Positions) -> list[Finding]:
    if data is None:
        return [Finding("schema", Severity.ERROR, "file is empty", f"fill it in (see docs/file-formats.md, or run: eventbus new {kind})", pos.loc())]
    # the compiled validator takes 30.0 for an integer: documents with a float go the strict way
    fast_ok = _fast()[kind].is_valid(data)
    if fast_ok and not _has_float(data):
        return []
    validator = _validators()[kind]
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    if fast_ok and not errors:
        return []
    out = []
    for err in errors[:MAX_FINDINGS_PER_FILE]:
        # oneOf/anyOf wrappers: report the most specific reason
        if err.context:
            err = min(err.context, key=lambda e: -len(e.absolute_path))
        msg, hint, path = _describe(err)
        out.append(Finding("schema", Severity.ERROR, msg, hint, pos.loc(*path)))
    if not out:
        # The two validators disagree (the compiled one refused the document, the explaining one
        # found nothing): never accept it silently; report the compiled validator's reasons.
        for err in list(_fast()[kind].iter_errors(data))[:MAX_FINDINGS_PER_FILE]:
            path = tuple(err.instance_path)
            out.append(Finding("schema", Severity.ERROR, f"{_dotted(path)}: {err.message[:200]}", "see docs/file-formats.md", pos.loc(*path)))
        if not out:
            out.append(Finding("schema", Severity.ERROR, "document does not conform to its JSON Schema", "see docs/file-formats.md", pos.loc()))
    return out
