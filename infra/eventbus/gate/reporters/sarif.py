"""SARIF 2.1.0 for GitHub code scanning."""
from __future__ import annotations

from collections.abc import Sequence

from eventbus import __version__
from eventbus.model.findings import Finding, Severity
from eventbus.text import json_dumps

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(findings: Sequence[Finding], meta: dict) -> str:
    from eventbus.gate.rules import all_rules

    rules = all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "eventbus",
                        "version": __version__,
                        "informationUri": "https://github.com/department-of-veterans-affairs/eventbus-registry/blob/main/docs/rules.md",
                        "rules": [
                            {
                                "id": r.id,
                                "shortDescription": {"text": r.summary()},
                                "help": {"text": r.hint or r.summary()},
                                "defaultConfiguration": {"level": LEVEL[r.severity]},
                            }
                            for r in rules
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": f.rule,
                        **({"ruleIndex": index[f.rule]} if f.rule in index else {}),
                        "level": LEVEL[f.severity],
                        "message": {"text": f"{f.message}. Fix: {f.hint}"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.loc.file, "uriBaseId": "%SRCROOT%"},
                                    "region": {"startLine": max(1, f.loc.line), "startColumn": max(1, f.loc.col)},
                                }
                            }
                        ],
                    }
                    for f in findings
                ],
            }
        ],
    }
    return json_dumps(doc, indent=2)
