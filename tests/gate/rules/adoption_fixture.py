"""An adoption record of the prod stack for the small test tree (tests/conftest.py)."""
from eventbus.model.adoption import fingerprint
from tests.conftest import EVENTS


def record(**apps) -> dict:
    versions = EVENTS["claims/claim_created"]["versions"]
    return {
        "stack": "prod",
        "topics": {"claims_claim_created": {"event": "claims/claim_created", "topic_id": "AAAAAAAAAAAAAAAAAAAAAA", "partitions": 3, "replication_factor": 3,
                                             "config": {"cleanup.policy": "delete", "retention.ms": "604800000"}}},
        "subjects": {"claims_claim_created-value": {"event": "claims/claim_created", "compatibility": "BACKWARD",
                                                    "versions": [{"version": i, "id": 10 + i, "fingerprint": fingerprint(v)} for i, v in enumerate(versions, 1)]},
                     "claims_claim_created-key": {"event": "claims/claim_created",
                                                  "versions": [{"version": 1, "id": 9, "fingerprint": fingerprint(EVENTS["claims/claim_created"]["key"])}]}},
        "applications": apps or {"notify/notifier": {"kafka_user": "notifier-svc", "consumer_group": {"name": "notifier-consumers"}}},
    }
