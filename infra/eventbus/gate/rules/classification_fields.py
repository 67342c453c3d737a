"""classification-fields"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import parses, schema_files


class ClassificationFields(Rule):
    """An event's classification (``classification.data``) is at least that of its most sensitive field, in every schema version.

    Every version's records can be on the topic, so an event whose ``v2.avsc`` classifies a
    field PHI is a PHI event, with what that means for environments, agreements and reviews.
    """

    id = "classification-fields"
    uses_avro = True
    hint = "raise classification.data to the field's level (or correct the field's classification in a new version)"

    def check(self, ctx):
        classified = ctx.avro.classified  # schema files whose text holds a classification property
        if not classified:
            return
        from eventbus.avro.contract import RANK

        for e in ctx.registry.events:
            above = []  # (rank, file, field path, level)
            for sv, _role in schema_files(e):
                facts = classified.get(sv.path)
                if facts is None or not parses(ctx, sv):
                    continue
                for path, level in facts.fields:
                    if RANK[level] > RANK.get(e.classification, 0):
                        above.append((RANK[level], sv.path.rsplit("/", 1)[-1], path, level))
            if not above:
                continue
            top = max(r for r, *_ in above)
            level = next(lv for r, _f, _p, lv in above if r == top)
            shown = list(dict.fromkeys(f"'{path}' {lv} ({file})" for r, file, path, lv in above if r == top))
            more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
            yield self.finding(e.pos.loc("classification", "data"),
                               f"{e.ref} is classified {e.classification}, but its schemas classify {', '.join(shown[:3])}{more}",
                               f"set classification.data: {level} (an event is as sensitive as its most sensitive field)")
