"""Rules the loader applies while reading files. Documents with these findings
are left out of the model (so no follow-up noise); the gate still fails."""
from eventbus.gate.rules import Rule


class _Loader(Rule):
    emitted_by_loader = True


class FileSymlink(_Loader):
    """A symbolic link in the tree points outside the repository (refused unread)."""

    id = "file-symlink"
    hint = "replace the link with the real file"


class FileTooLarge(_Loader):
    """A registry file is larger than 1 MB (refused unread)."""

    id = "file-too-large"
    hint = "registry files are small text files; split or shorten it"


class FileEncoding(_Loader):
    """A file is not valid UTF-8 text (or contains NUL bytes), or its name is not UTF-8."""

    id = "file-encoding"
    hint = "save the file as UTF-8"


class FileUnreadable(_Loader):
    """A file could not be read (permissions, special file)."""

    id = "file-unreadable"
    hint = "make it a regular, readable file"


class YamlSyntax(_Loader):
    """YAML that does not parse, holds several documents, or uses custom tags."""

    id = "yaml-syntax"
    hint = "fix the YAML syntax at the position given"


class YamlAlias(_Loader):
    """YAML anchors, aliases and merge keys are refused (they are how YAML bombs work)."""

    id = "yaml-alias"
    hint = "write values out in full"


class YamlDuplicateKey(_Loader):
    """The same key appears twice in one mapping (YAML would silently keep the last)."""

    id = "yaml-duplicate-key"
    hint = "remove one of the entries"


class YamlDepth(_Loader):
    """YAML nested deeper than 32 levels."""

    id = "yaml-depth"
    hint = "flatten the structure"


class YamlSize(_Loader):
    """A YAML file with more than 50,000 values."""

    id = "yaml-size"
    hint = "registry files are small; split it"


class JsonSyntax(_Loader):
    """A .avsc or example file is not valid standard JSON (NaN, Infinity and numbers out of range are refused too)."""

    id = "json-syntax"
    hint = "fix the JSON at the position given"


class JsonDuplicateKey(_Loader):
    """The same key appears twice in one JSON object."""

    id = "json-duplicate-key"
    hint = "remove one of the entries"


class Schema(_Loader):
    """A document does not conform to its published JSON Schema (unknown field, wrong type, missing field, bad value)."""

    id = "schema"
    hint = "see docs/file-formats.md"


class Layout(_Loader):
    """A file or folder sits where the registry does not expect one."""

    id = "layout"
    hint = "events/<domain>/<event>/{event.yaml,v<N>.avsc,key.avsc,examples/*.json}, consumers/<team>/<app>.yaml, teams/<team>.yaml"


class StackSettings(_Loader):
    """A stack file is inconsistent: a cloud stack without a cluster ARN or bootstrap servers, a region that differs from the ARN's, Glue on a local target."""

    id = "stack-settings"
    hint = "see docs/stacks-and-access.md"
