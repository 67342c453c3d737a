"""name-folder"""
import re

from eventbus.gate.rules import Rule

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ID = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


class NameFolder(Rule):
    """Names written in files agree with the folders they sit in, and folder names have the right form.

    An event's ``domain`` equals its parent folder and both folder names are
    lowercase snake_case (they make the topic name); a consumer's ``team`` and
    ``application`` equal its folder and file name; a team's ``id`` equals its
    file name.
    """

    id = "name-folder"
    hint = "rename the folder or fix the value so they agree"

    def check(self, ctx):
        for e in ctx.registry.events:
            if e.declared_domain != e.domain:
                yield self.finding(e.pos.loc("domain"), f"domain '{e.declared_domain}' does not match its folder events/{e.domain}/", f"set domain: {e.domain}, or move the folder to events/{e.declared_domain}/")
            for part, what in ((e.domain, "domain"), (e.name, "event")):
                if not SNAKE.fullmatch(part):  # fullmatch: '$' of match() also accepts a trailing newline ("claims\n")
                    yield self.finding(e.pos.loc(), f"{what} folder name '{part}' is not lowercase snake_case", "use lowercase letters, digits and single underscores, e.g. contention_created")
        for c in ctx.registry.consumers:
            if c.declared_team != c.team:
                yield self.finding(c.pos.loc("team"), f"team '{c.declared_team}' does not match its folder consumers/{c.team}/", f"set team: {c.team}, or move the file to consumers/{c.declared_team}/")
            if c.declared_application != c.application:
                yield self.finding(c.pos.loc("application"), f"application '{c.declared_application}' does not match its file name {c.application}.yaml", f"set application: {c.application}, or rename the file to {c.declared_application}.yaml")
            if not ID.fullmatch(c.application):
                yield self.finding(c.pos.loc(), f"file name '{c.application}.yaml' is not a valid application id", "use lowercase letters, digits and hyphens")
        for t in ctx.registry.teams:
            stem = t.pos.file.rsplit("/", 1)[-1][: -len(".yaml")]
            if t.id != stem:
                yield self.finding(t.pos.loc("id"), f"team id '{t.id}' does not match its file name {stem}.yaml", f"set id: {stem}, or rename the file to {t.id}.yaml")
