"""classification-lowered"""
from eventbus.gate.rules import Rule
from eventbus.model import CLASSIFICATIONS

RANK = {c: i for i, c in enumerate(CLASSIFICATIONS)}  # none < PII < PHI


class ClassificationLowered(Rule):
    """An event with merged schema versions never lowers its classification (PHI to PII or none, PII to none; checked against ``--base``).

    Its records were published, and its consumers approved (data sharing agreements, the
    environments that may hold it), at the classification it had. Lowered, the same records
    reach consumers without an agreement and environments that refuse such data. Data that
    really is less sensitive is a new event whose schema shows it
    (``eventbus new version EVENT --breaking``).
    """

    id = "classification-lowered"
    needs_base = True
    hint = "keep the classification; if the data really is less sensitive, publish a successor event (eventbus new version EVENT --breaking)"

    def check(self, ctx):
        for e in ctx.registry.events:
            old = ctx.history.get(e.ref)
            if old is None or not old.versions or RANK.get(e.classification, 0) >= RANK.get(old.classification, 0):
                continue
            yield self.finding(e.pos.loc("classification", "data"),
                               f"classification of {e.ref} lowered from {old.classification} to {e.classification}; its merged versions were published as {old.classification}")
