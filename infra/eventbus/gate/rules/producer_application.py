"""producer-application"""
from eventbus.gate.rules import Rule
from eventbus.model import naming


class ProducerApplication(Rule):
    """Each producer of an event is an application of the event's owning team, declared in ``consumers/<owner>/<application>.yaml``.

    An application's identity (its principals per environment, its role, its Kafka user) is
    declared once, in its own team's file, which only that team approves. An event can
    therefore grant write access only to applications of its own team, and can never add a
    principal to an application.
    """

    id = "producer-application"
    hint = "declare the application in consumers/<owner>/<application>.yaml, or list an application of the owning team"

    def check(self, ctx):
        by_name: dict[str, list[str]] = {}
        for c in ctx.registry.consumers:
            by_name.setdefault(c.application, []).append(c.team)
        for e, p, app in ctx.producers():
            if app is not None or naming.app_ref(e.owner, p.application) in ctx.broken:
                continue
            others = sorted(t for t in by_name.get(p.application, ()) if t != e.owner)
            if others:
                msg = f"producer '{p.application}' is an application of team {', '.join(others)}, not of the owning team '{e.owner}'"
                hint = f"an event lists only applications of its owning team; declare consumers/{e.owner}/{p.application}.yaml, or ask team {others[0]} to register its own event"
            else:
                msg = f"producer '{p.application}' is not declared: there is no consumers/{e.owner}/{p.application}.yaml"
                hint = f"add consumers/{e.owner}/{p.application}.yaml with its principals per environment (try: eventbus new consumer --team {e.owner} --application {p.application})"
            yield self.finding(e.pos.loc("producers", p.index, "application"), msg, hint)
