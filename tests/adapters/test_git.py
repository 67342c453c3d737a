"""adapters.git: a base commit's registry files, read in memory exactly as committed."""
import os
import subprocess

from eventbus.adapters.git import tree_at
from eventbus.load.files import MAX_FILE_BYTES
from eventbus.load.fs import TooLarge


def test_the_files_are_the_commits_bytes_whatever_gitattributes_say(tree):
    before = tree.files()
    # export-ignore and export-subst change what `git archive` writes, not what was committed
    (tree.root / ".gitattributes").write_text("events/** export-ignore\nconsumers/** export-subst\n")
    (tree.root / "consumers/notify/notifier.yaml").write_text("application: notifier  # $Format:%H$\n")
    base = tree.commit("attributes")
    fs = tree_at(str(tree.root), base)
    assert set(fs.files) == set(before)  # the registry folders and Pulumi files
    assert fs.files["consumers/notify/notifier.yaml"] == b"application: notifier  # $Format:%H$\n"
    assert all(fs.files[p] == before[p].encode() for p in before if p.startswith("events/"))


def test_a_file_over_the_limit_is_kept_as_its_size_and_names_are_not_patterns(tree):
    (tree.root / "consumers/notify/huge.yaml").write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    (tree.root / "Pulumi.[d]ev.yaml").write_text("config: {}\n")  # a glob would match Pulumi.dev.yaml
    base = tree.commit("huge")
    fs = tree_at(str(tree.root), base)
    huge = fs.files["consumers/notify/huge.yaml"]
    assert isinstance(huge, TooLarge) and huge.size == MAX_FILE_BYTES + 1 and huge == b""
    assert fs.files["Pulumi.[d]ev.yaml"] == b"config: {}\n"


def test_a_registry_in_a_subfolder_is_read_from_that_folder(tmp_path):
    from tests.conftest import Tree

    repo = tmp_path / "repo"
    sub = repo / "platform" / "bus"
    sub.mkdir(parents=True)
    t = Tree(sub).write()
    (repo / "events").mkdir()
    (repo / "events" / "outside.yaml").write_text("not: registry\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "x"], check=True, env=env)
    fs = tree_at(str(sub), "HEAD")
    assert "events/outside.yaml" not in fs.files
    assert fs.files["events/claims/claim_created/event.yaml"] == t.files()["events/claims/claim_created/event.yaml"].encode()


def test_changed_files_are_named_as_they_are(tree):
    # git quotes a name with non-ASCII characters unless -z: CODEOWNERS would then match nothing
    from eventbus.adapters.git import changed_files

    base = tree.commit("base")
    (tree.root / "events/claims/claim_created/examples/é.json").write_text("{}\n")
    tree.commit("unicode name")
    (tree.root / "consumers/notify/ü.yaml").write_text("x: 1\n")  # untracked
    assert changed_files(str(tree.root), base) == ["consumers/notify/ü.yaml", "events/claims/claim_created/examples/é.json"]


def test_a_base_codeowners_that_is_not_utf8_is_read_as_github_reads_it(tree, capsys):
    # git.show decoded strictly: a byte 0xff in the base's .github/CODEOWNERS made `codeowners --approvals`
    # stop with an internal UnicodeDecodeError (the pull request's required check could not run)
    from eventbus.cli.main import main

    (tree.root / ".github").mkdir(exist_ok=True)
    (tree.root / ".github/CODEOWNERS").write_bytes(b"* @org/platform\n/events/ @org/ev\xffents\n/consumers/ @org/apps\n")
    base = tree.commit("base")
    (tree.root / "consumers/notify/notifier.yaml").write_text((tree.root / "consumers/notify/notifier.yaml").read_text() + "# edited\n")
    assert main(["--root", str(tree.root), "codeowners", "--approvals", base]) == 0
    captured = capsys.readouterr()
    assert "internal error" not in captured.err
    assert "| `@org/apps` | `consumers/notify/notifier.yaml` |" in captured.out
