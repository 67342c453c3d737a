"""deprecation-dates"""
import datetime as dt

from eventbus.gate.rules import Rule

NOTICE_DAYS = 182  # six months' notice for offboarding


class DeprecationDates(Rule):
    """A deprecated event carries ``deprecated_on`` and a ``removal_date`` at least six months later.

    Consumers get six months' notice before an event goes away.
    """

    id = "deprecation-dates"
    hint = "add deprecated_on: <today> and removal_date: <at least 6 months later>"

    def check(self, ctx):
        for e in ctx.registry.events:
            if e.lifecycle not in ("deprecated", "retired"):
                continue
            if e.removal_date is None:
                yield self.finding(e.pos.loc("lifecycle"), f"{e.lifecycle} event {e.ref} has no removal_date")
            if e.deprecated_on is None:
                yield self.finding(e.pos.loc("lifecycle"), f"{e.lifecycle} event {e.ref} has no deprecated_on date")
            if e.removal_date and e.deprecated_on and e.removal_date < e.deprecated_on + dt.timedelta(days=NOTICE_DAYS):
                earliest = e.deprecated_on + dt.timedelta(days=NOTICE_DAYS)
                yield self.finding(e.pos.loc("removal_date"), f"removal_date {e.removal_date} is less than six months after deprecated_on {e.deprecated_on}", f"set removal_date: {earliest} or later")
