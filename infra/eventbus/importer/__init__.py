"""``eventbus import``: adopt a bus that already exists.

Reads a stack's live cluster (topics with their partitions and settings, ACL bindings or, on IAM
stacks, the IAM roles whose policies name the cluster, SASL/SCRAM users, consumer groups and the
topics they committed offsets on) and its schema registry (subjects, every version in order,
levels), and writes a draft tree: events, application files, team stubs, and the stack's
adoption record ``adopt/<stack>.yaml``. What the cluster cannot know is written as a
``FILL-IN:`` placeholder the gate refuses until a person fills it in. Read-only towards the
cluster and the registry; repeatable (writes only what the tree lacks, reports what differs).

* :mod:`.snapshot` — what was read (through :mod:`eventbus.adapters`);
* :mod:`.choices` — domains per topic and applications per identity (``--domain-map``, prompts);
* :mod:`.draft` — the proposal, pure: snapshot + tree + choices → files, record, report;
* :mod:`.write` — the files the tree lacks, and the merged record.
"""
