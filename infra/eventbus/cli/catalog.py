"""``eventbus catalog build [--out DIR] [--stack S ...]``: the Event Catalog (site, Backstage, AsyncAPI)."""
from __future__ import annotations

import os
import sys

from eventbus.cli.common import root_of


def register(sub) -> None:
    cat = sub.add_parser("catalog", help="build the Event Catalog (static site, Backstage entities, AsyncAPI)")
    csub = cat.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    b = csub.add_parser("build", help="write the catalog to a folder (default .state/catalog)")
    b.add_argument("--out", "-o", metavar="DIR", help="output folder (default: <root>/.state/catalog); updated in place, files of removed events, teams or applications deleted")
    b.add_argument("--stack", action="append", metavar="STACK", help="include this stack's topics and grants (repeatable; default: every Pulumi.<stack>.yaml)")
    b.add_argument("--workers", type=int, default=None, help="processes rendering pages (default: the CPU count, 1 below 400 events)")
    b.add_argument("--verbose", "-v", action="store_true", help="print the time of each phase")

    def run(args) -> int:
        from eventbus.catalog import CatalogError, build_catalog
        from eventbus.load.workspace import state_dir

        root = root_of(args)
        out = args.out or os.path.join(state_dir(root), "catalog")
        try:
            result = build_catalog(root, out, args.stack or None, workers=args.workers)
        except CatalogError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if result.load_problems:
            print(f"warning: {result.load_problems} registry file(s) could not be read and are left out; run `eventbus validate`", file=sys.stderr)
        print(f"catalog: {result.events:,} events, {result.apps:,} applications, {result.teams:,} teams; stacks {', '.join(result.stacks) or '-'}; "
              f"{result.files:,} files ({result.bytes / 1e6:.1f} MB) in {result.seconds:.2f}s")
        if args.verbose:
            print("phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()) + f"; {result.written:,} files written, {result.removed:,} removed")
        print(f"open {result.index}")
        return 0

    b.set_defaults(func=run)

