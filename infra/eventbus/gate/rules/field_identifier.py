"""field-identifier"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._avro import line_of, parses
from eventbus.model.findings import Severity


class FieldIdentifier(Rule):
    """A field of the latest schema version whose name looks like a known identifier has a classification of its own (or inherits PII/PHI).

    The names (words split at camelCase, underscores and digits; the name ends with them, or
    with them and a qualifier such as ``last4``, ``4``, ``digits``, ``masked``, ``hash``,
    ``encrypted``, ``token``, ``number``, ``no``, ``value``, ``text``: ``ssnLast4``, ``icnHash``):
    ``icn``, ``integrationControlNumber`` (ICN: PII); ``ssn``, ``socialSecurityNumber``,
    ``socialSecurityNo`` (PII); ``edipi`` (PII); ``fileNumber`` (VA file number: PII);
    ``participantId``, ``ptcpntId``, e.g. ``VeteranParticipantId`` (PII); ``dateOfBirth``,
    ``birthDate``, ``birth_dt``, ``birthday``, ``dob`` (PII);
    ``diagnosticCode``, ``diagnosticTypeCode``, ``diagnosisCode``, ``icdCode``, ``icd10Code``
    (diagnostic codes: PHI, or PII where HIPAA does not apply). ``"classification": "none"``
    says a field is not one and silences the warning. With ``--base`` only a latest version
    that is new since the base is checked.
    """

    id = "field-identifier"
    severity = Severity.WARNING
    uses_avro = True
    hint = 'classify the field in a new version: "classification": "PII" (or "none" if it is not one)'

    def check(self, ctx):
        found = ctx.avro.identifiers  # latest versions with unclassified identifier-like fields
        for e in ctx.registry.events if found else ():
            sv = e.latest
            if sv is None or sv.path not in found or not parses(ctx, sv) or (ctx.base is not None and _merged(ctx, e.ref, sv.version)):
                continue
            for f in found[sv.path]:
                yield self.finding(line_of(sv, f.name), f"field '{f.path}' looks like {f.what} but has no classification",
                                   f'add "classification": "{f.level}" to the field in v{sv.version + 1}.avsc (eventbus new version {e.ref}), '
                                   'or "classification": "none" if it is not one')

def _merged(ctx, ref: str, version: int) -> bool:
    old = ctx.history.get(ref)
    return old is not None and any(v.version == version for v in old.versions)
