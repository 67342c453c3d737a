"""``eventbus catalog build [--out DIR] [--stack S ...]``: the Event Catalog (site, Backstage, AsyncAPI);
``eventbus catalog serve [--port N]``: the same, served on this machine and rebuilt as the tree changes."""
from __future__ import annotations

import os
import sys

from eventbus.cli.common import registry_root_of


def register(sub) -> None:
    cat = sub.add_parser("catalog", help="build the Event Catalog (static site, Backstage entities, AsyncAPI)")
    csub = cat.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    b = csub.add_parser("build", help="write the catalog to a folder (default .state/catalog)")
    b.add_argument("--out", "-o", metavar="DIR", help="output folder (default: <root>/.state/catalog); updated in place, files of removed events, teams or applications deleted")
    b.add_argument("--stack", action="append", metavar="STACK", help="include this stack's topics and grants (repeatable; default: every Pulumi.<stack>.yaml)")
    b.add_argument("--workers", type=_positive, default=None, help="processes rendering pages (default: the CPU count, 1 below 400 events)")
    b.add_argument("--schema-ids", action="append", metavar="[STACK=]FILE",
                   help='schema ids the stack\'s registry assigned, a JSON {"<subject>": {"<version>": <id>}} (repeatable; STACK= needed with several stacks)')
    b.add_argument("--base-url", action="append", metavar="[STACK=]URL", help="https URL the stack's catalog is served at (default: eventbus:catalog.url)")
    b.add_argument("--verbose", "-v", action="store_true", help="print the time of each phase")

    def run(args) -> int:
        from eventbus.catalog import CatalogError, build_catalog
        from eventbus.load.workspace import state_dir
        from eventbus.text import one_line

        root = registry_root_of(args)
        out = args.out or os.path.join(state_dir(root), "catalog")
        try:
            stacks = args.stack or None
            schema_ids = {k: read_schema_ids(v) for k, v in _per_stack(args.schema_ids or [], stacks, root, "--schema-ids", "FILE").items()}
            base_urls = _per_stack(args.base_url or [], stacks, root, "--base-url", "URL")
            for v in base_urls.values():
                if not v.startswith("https://"):
                    raise CatalogError(f"--base-url {v}: not an https URL (fix: give https://host/path/)")
            progress = Progress()
            try:
                result = build_catalog(root, out, stacks, workers=args.workers, schema_ids=schema_ids or None, base_urls=base_urls or None,
                                       progress=progress)
            finally:
                progress.done()
        except CatalogError as exc:
            print(f"error: {one_line(exc)}", file=sys.stderr)
            return 1
        if result.load_problems:
            print(f"warning: {result.load_problems} registry file(s) could not be read and are left out; run `eventbus validate`", file=sys.stderr)
        print(f"catalog: {result.events:,} events, {result.apps:,} applications, {result.teams:,} teams; stacks {', '.join(result.stacks) or '-'}; "
              f"{result.files:,} files ({result.bytes / 1e6:.1f} MB) in {result.seconds:.2f}s")
        if args.verbose:
            print(f"{result.mode} build; phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
                  + f"; {result.written:,} files written, {result.removed:,} removed")
        print(f"open {result.index}")
        from eventbus.cli.main import FAST_EXIT

        FAST_EXIT["on"] = True  # the model is garbage now: not worth freeing one object at a time
        return 0

    b.set_defaults(func=run)

    v = csub.add_parser("serve", help="build the catalog, serve it on this machine and rebuild it as the tree changes")
    v.add_argument("--out", "-o", metavar="DIR", help="output folder (default: <root>/.state/catalog), as for build")
    v.add_argument("--stack", action="append", metavar="STACK", help="include this stack's topics and grants (repeatable; default: every Pulumi.<stack>.yaml)")
    v.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free port)")
    v.add_argument("--interval", type=_seconds, default=1.0, help="seconds between looks for changes (default 1)")
    v.add_argument("--no-reload", dest="reload", action="store_false",
                   help="send every file as it is on disk (by default pages get a script that reloads them after each build)")

    def run_serve(args) -> int:
        from eventbus.catalog import CatalogError
        from eventbus.catalog.serve import serve
        from eventbus.load.workspace import state_dir
        from eventbus.text import one_line

        root = registry_root_of(args)
        out = args.out or os.path.join(state_dir(root), "catalog")
        try:
            serve(root, out, args.stack or None, port=args.port, interval=args.interval, reload=args.reload,
                  say=lambda line: print(line, flush=True))
        except CatalogError as exc:
            print(f"error: {one_line(exc)}", file=sys.stderr)
            return 1
        except OSError as exc:  # the port is taken, ...
            print(f"error: cannot serve on port {args.port}: {one_line(exc.strerror or exc)} (fix: --port another, or 0 for any free one)", file=sys.stderr)
            return 1
        return 0

    v.set_defaults(func=run_serve)


class Progress:
    """``[catalog] <phase>`` on stderr as each phase of a build ends: on a terminal one line rewritten in place and
    cleared when the build ends (the summary follows on stdout); when piped, a line per phase once the build has run
    ``quiet`` seconds, so that a long build's log shows where it is and a short one adds nothing."""

    def __init__(self, stream=None, quiet: float = 5.0, clock=None) -> None:
        import time

        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.quiet = quiet
        self.shown = False

    def __call__(self, text: str) -> None:
        elapsed = self.clock() - self.started
        if self.tty:
            self.stream.write(f"\r[catalog] {text} ({elapsed:.1f}s)\033[K")
            self.shown = True
        elif elapsed >= self.quiet:
            self.stream.write(f"[catalog] {text} ({elapsed:.1f}s)\n")
        else:
            return
        self.stream.flush()

    def done(self) -> None:
        """Clear the line a terminal shows."""
        if self.tty and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _port(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: give a port number, 0 to 65535")
    return int(text)


def _seconds(text: str) -> float:
    import argparse

    try:
        n = float(text)
    except ValueError:
        n = 0.0
    if not 0.05 <= n <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds between 0.05 and 3600")
    return n



def _positive(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of processes, 1 or more")
    return n


def _per_stack(values: list[str], stacks: list[str] | None, root: str, flag: str, what: str) -> dict[str, str]:
    """``STACK=VALUE`` pairs; a bare VALUE belongs to the only stack of the build."""
    from eventbus.catalog import CatalogError
    from eventbus.load.stacks import stack_files

    names = stacks or [f[len("Pulumi.") : -len(".yaml")] for f in stack_files(root)]
    out: dict[str, str] = {}
    for v in values:
        stack, sep, rest = v.partition("=")
        if sep and stack in names and not stack.startswith(("/", ".", "https")):
            out[stack] = rest
        elif len(names) == 1:
            out[names[0]] = v
        else:
            raise CatalogError(f"{flag} {v}: the catalog covers {len(names)} stacks (fix: write {flag} STACK={what}, e.g. {names[0]}={what})")
    return out


def read_schema_ids(path: str) -> dict[str, dict[int, int]]:
    """``{subject: {version: id}}`` from a JSON file: that, or the deploy's stack output ``subjects``
    (``pulumi stack output subjects --json``: per subject a list of ``{"version": N, "id": I}``); a bad file is one
    error naming it and the fix."""
    import json

    from eventbus.catalog import CatalogError

    hint = ('write {"<topic>-value": {"1": 101, "2": 117}} (subject -> schema version -> schema id), '
            'or give what `pulumi stack output subjects --json` prints')
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read it ({exc.strerror}) (fix: give the path of the JSON file)") from None
    except ValueError as exc:
        raise CatalogError(f"{path}:{getattr(exc, 'lineno', 1)}: not JSON ({str(exc).split(':')[0]}) (fix: {hint})") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected an object of subjects (fix: {hint})")
    out: dict[str, dict[int, int]] = {}
    for subject, versions in data.items():
        if isinstance(versions, list) and all(isinstance(r, dict) and set(r) == {"version", "id"} for r in versions):
            versions = {(str(r["version"]) if type(r["version"]) is int else r["version"]): r["id"] for r in versions}
        if not isinstance(versions, dict):
            raise CatalogError(f"{path}: subject {json.dumps(subject)[:80]} maps to {type(versions).__name__}, not an object (fix: {hint})")
        out[str(subject)] = {}
        for version, sid in versions.items():
            if not (isinstance(version, str) and version.isdigit() and isinstance(sid, int) and not isinstance(sid, bool) and sid >= 0):
                raise CatalogError(f"{path}: subject {json.dumps(subject)[:80]}: version {json.dumps(version)[:20]} -> {json.dumps(sid)[:20]} "
                                   f"is not <version number>: <schema id> (fix: {hint})")
            out[str(subject)][int(version)] = sid
    return out
