#!/usr/bin/env python3
"""Coverage-guided fuzzing of the gate with atheris (libFuzzer), for the long runs.

    .venv/bin/python tests/fuzz/atheris_fuzz.py <target> [libFuzzer options]

targets: decode, yaml, json, avro, compat, loader, gate, catalog (see tests/fuzz/harness.py). Examples:

    .venv/bin/python tests/fuzz/atheris_fuzz.py yaml -runs=400000
    .venv/bin/python tests/fuzz/atheris_fuzz.py gate -max_total_time=600

The corpus lives in ``.state/fuzz/corpus/<target>/`` (git-ignored); it is seeded from the
repository's own registry files on the first run, with a dictionary of the format's tokens.
A crash (an exception that is not the code's own ReadError/AvroError/finding, a property
violation, a timeout: ``-timeout``, default 10 s here, or memory over ``-rss_limit_mb``) stops
the run and leaves ``crash-*``/``timeout-*`` in ``.state/fuzz/artifacts/<target>/``; copy it
into ``tests/fuzz/regressions/<target>/`` once fixed (``test_regressions.py`` replays it).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

with atheris.instrument_imports(include=["eventbus", "tests.fuzz.harness"]):
    import eventbus.gate  # noqa: F401 - instrumented now: the rules and the gate are imported lazily elsewhere
    from eventbus.gate.rules import all_rules

    try:
        import eventbus.catalog  # noqa: F401
        import eventbus.catalog.exporters.site  # noqa: F401
    except ImportError:  # the catalog is optional
        pass
    from tests.fuzz import harness

    all_rules()

DICTS = {
    "yaml": ["&a", "*a", "<<:", "!!int", "!!float", "!!str", "!!python/object:", "!custom", "---", "...", "%YAML 1.1", "%TAG", "? ", "- ", ": ", "|", ">", "'", '"',
             "\t", "yes", "no", "~", ".nan", ".inf", "0x", "0o", "0b", "1_0", "1:2", "2026-01-02", "title", "summary", "principals", "subscriptions", "arn:aws-us-gov:iam::"],
    "json": ['"', "{", "}", "[", "]", ":", ",", "null", "true", "false", "NaN", "Infinity", "-Infinity", "1e999", "\\u0000", "\\ud800", '"type"', '"name"'],
    "avro": ['"type"', '"record"', '"error"', '"enum"', '"fixed"', '"array"', '"map"', '"items"', '"values"', '"fields"', '"name"', '"namespace"', '"symbols"',
             '"size"', '"default"', '"aliases"', '"doc"', '"logicalType"', '"decimal"', '"precision"', '"scale"', '"null"', '"int"', '"long"', '"string"', '"bytes"',
             '"boolean"', '"float"', '"double"', '"timestamp-millis"', '"date"', '"uuid"', '"order"'],
}
DICTS["compat"] = DICTS["avro"] + ["\x00"]
DICTS["loader"] = DICTS["gate"] = DICTS["catalog"] = DICTS["yaml"] + DICTS["avro"] + ["<script>", "javascript:", "[a](", "![i](", "<img src=x onerror=", "&#"]


def _dict_entry(token: str) -> str:
    """One line of a libFuzzer dictionary: quoted, with \\, \" and non-printable bytes escaped."""
    out = []
    for b in token.encode("utf-8"):
        c = chr(b)
        out.append("\\\\" if c == "\\" else '\\"' if c == '"' else c if 32 <= b < 127 else f"\\x{b:02X}")
    return '"' + "".join(out) + '"\n'


def seeds(target: str) -> list[bytes]:
    """Starting inputs: the repository's own files of the kind the target reads."""
    avsc = sorted((REPO / "events").rglob("*.avsc"))
    yml = sorted((REPO / "events").rglob("*.yaml")) + sorted((REPO / "consumers").rglob("*.yaml")) + sorted((REPO / "teams").glob("*.yaml"))
    jsn = sorted((REPO / "events").rglob("examples/*.json"))
    read = lambda ps: [p.read_bytes() for p in ps]  # noqa: E731
    if target == "yaml":
        return read(yml) + read(REPO.glob("Pulumi.*.yaml"))
    if target == "json":
        return read(jsn) + read(avsc)
    if target == "avro":
        return read(avsc)
    if target == "compat":
        out = []
        for folder in sorted({p.parent for p in avsc}):
            vs = sorted(folder.glob("v*.avsc"))
            if len(vs) > 1:
                out.append(b"\x00".join(p.read_bytes() for p in reversed(vs)))
        return out or read(avsc)
    if target == "decode":
        return read(yml[:5]) + [b"\xef\xbb\xbfa: 1\n", b"\xff\xfea\x00"]
    tree = harness.base_tree()
    return [bytes([i]) + tree.originals.get(s, b"") for i, s in enumerate(tree.slots)]


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in harness.TARGETS:
        sys.exit(f"usage: {sys.argv[0]} <{'|'.join(harness.TARGETS)}> [libFuzzer options]")
    target = sys.argv[1]
    state = REPO / ".state" / "fuzz"
    corpus = state / "corpus" / target
    artifacts = state / "artifacts" / target
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for i, data in enumerate(seeds(target)):
            (corpus / f"seed-{i:04d}").write_bytes(data)
    dict_file = state / f"{target}.dict"
    dict_file.write_text("".join(_dict_entry(t) for t in DICTS.get(target, [])))
    # libFuzzer owns SIGALRM (-timeout); the harness's own timer guard is for pytest only
    harness.USE_ALARM = False
    fn = harness.TARGETS[target]
    args = [sys.argv[0], *sys.argv[2:]]
    if not any(a.startswith("-timeout=") for a in args):
        args.append("-timeout=10")
    if not any(a.startswith("-max_len=") for a in args):
        args.append(f"-max_len={65536 if target in ('yaml', 'json', 'avro', 'compat') else 16384}")
    if not any(a.startswith("-len_control=") for a in args):
        args.append("-len_control=0")  # mutate the (structured) seeds at full length from the start
    if DICTS.get(target):
        args.append(f"-dict={dict_file}")
    args += [f"-artifact_prefix={artifacts}/", str(corpus)]
    os.environ.setdefault("NO_COLOR", "1")
    atheris.Setup(args, fn)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
