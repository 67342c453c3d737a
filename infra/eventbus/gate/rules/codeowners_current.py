"""codeowners-current"""
import os

from eventbus.gate.rules import Rule
from eventbus.load.files import ReadError, read_text
from eventbus.model import Loc
from eventbus.model.findings import Finding, Severity


class CodeownersCurrent(Rule):
    """``.github/CODEOWNERS`` is exactly what ``eventbus codeowners`` generates from the tree.

    GitHub asks each event's owning team to approve changes to its folder (so a consumer is
    admitted to a restricted event only by an approved edit of the owners' event.yaml), each
    team to approve its consumer files, and the platform team to approve the control plane,
    only while this file matches the registry. It applies to repositories with a ``.github/``
    folder, and is skipped while a team or event document has errors of its own.
    """

    id = "codeowners-current"
    hint = "run `.venv/bin/eventbus codeowners` and commit .github/CODEOWNERS"

    def check(self, ctx):
        from eventbus.ownership.codeowners import CODEOWNERS_PATH, current_text, first_change, generate, unreliable

        root = ctx.registry.root
        github = os.path.join(root, ".github")
        path = os.path.join(root, CODEOWNERS_PATH)
        for p, what in ((github, ".github"), (path, CODEOWNERS_PATH)):
            if os.path.islink(p):
                # GitHub reads CODEOWNERS only from a regular file: behind a link, no owner is asked
                yield Finding("file-symlink", Severity.ERROR, f"{what} is a symbolic link (to {os.readlink(p)}); GitHub ignores a CODEOWNERS file behind a link",
                              f"replace the link with the real {what}", Loc(what, 1, 1))
                return
        if not os.path.isdir(github) or unreliable(root, ctx.broken):
            return
        if os.path.lexists(path):
            # Adversarial-corpus fix: the file is read like every other file of the tree (no link
            # out of it, at most 1 MB, a regular UTF-8 file). A pull request could make it a link
            # to /dev/zero or a FIFO, and reading it then never ended.
            try:
                read_text(root, path)
            except ReadError as err:
                yield Finding(err.rule, Severity.ERROR, err.message, err.hint, Loc(CODEOWNERS_PATH, err.line, err.col))
                return
        want = generate(ctx.registry)
        have = current_text(root)
        if have != want:
            yield self.finding(Loc(CODEOWNERS_PATH, 1, 1), first_change(have, want))
