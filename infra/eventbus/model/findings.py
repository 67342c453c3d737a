"""Findings: what a rule reports. Reporters render them; rules never print."""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eventbus.model import Loc
from eventbus.text import one_line


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    hint: str
    loc: Loc

    def __post_init__(self) -> None:
        # messages quote the tree (keys, values, file names): every reporter gets them on one line
        for name in ("message", "hint"):
            value = getattr(self, name)
            safe = one_line(value)
            if safe != value:
                object.__setattr__(self, name, safe)
        if one_line(self.loc.file) != self.loc.file:
            object.__setattr__(self, "loc", Loc(one_line(self.loc.file), self.loc.line, self.loc.col))

    def sort_key(self):
        return (self.loc.file, self.loc.line, self.loc.col, self.rule, self.message)

    def one_line(self) -> str:
        return f"{self.loc}: {self.severity}[{self.rule}] {self.message} (fix: {self.hint})"
