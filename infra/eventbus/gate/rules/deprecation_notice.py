"""deprecation-notice"""
import datetime as dt

from eventbus.gate.rules import Rule

BACKDATE_DAYS = 30  # how far a new deprecation's deprecated_on may lie before today (a pull request open a while)


class DeprecationNotice(Rule):
    """The notice a deprecation gives is not shortened (checked against ``--base``).

    An event is retired only in a later pull request than the one that deprecates it; a new
    deprecation's ``deprecated_on`` is not more than 30 days before today; once deprecated,
    neither ``deprecated_on`` nor ``removal_date`` moves earlier. Otherwise a backdated
    ``deprecated_on`` would make deprecation-dates and retirement pass with no notice given.
    """

    id = "deprecation-notice"
    hint = "deprecate with deprecated_on: <today> and removal_date: <at least 6 months later>; retire in a later pull request"
    needs_base = True

    def check(self, ctx):
        ended = ("deprecated", "retired")
        for e in ctx.registry.events:
            old = ctx.history.get(e.ref)
            if old is None or e.lifecycle not in ended:
                continue
            if old.lifecycle not in ended:
                if e.lifecycle == "retired":
                    yield self.finding(e.pos.loc("lifecycle"), f"{e.ref} goes from {old.lifecycle} to retired in one change: its consumers got no notice")
                elif e.deprecated_on and e.deprecated_on < ctx.today - dt.timedelta(days=BACKDATE_DAYS):
                    yield self.finding(e.pos.loc("deprecated_on"), f"{e.ref} is deprecated now but deprecated_on {e.deprecated_on} lies in the past: the notice would be shorter than six months", f"set deprecated_on: {ctx.today}")
                continue
            if e.deprecated_on and old.deprecated_on and e.deprecated_on < old.deprecated_on:
                yield self.finding(e.pos.loc("deprecated_on"), f"deprecated_on moved earlier, from {old.deprecated_on} to {e.deprecated_on}", f"keep deprecated_on: {old.deprecated_on}")
            if e.removal_date and old.removal_date and e.removal_date < old.removal_date:
                yield self.finding(e.pos.loc("removal_date"), f"removal_date moved earlier, from {old.removal_date} to {e.removal_date}: consumers were told {old.removal_date}", f"keep removal_date: {old.removal_date} or later")
