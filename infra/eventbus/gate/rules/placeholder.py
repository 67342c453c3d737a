"""placeholder"""
from eventbus.gate.rules import Rule


class Placeholder(Rule):
    """A value is still a placeholder (``FILL-IN: ...``) that ``eventbus import`` wrote for a person to fill in.

    The cluster cannot know an event's owner team, its data classification, a subscription's
    purpose or an application's compliance facts: the draft says so in the value itself, and the
    gate refuses the tree until each is filled in (the finding says what to write).
    """

    id = "placeholder"
    emitted_by_loader = True
    hint = "replace the placeholder with the real value (see docs/adopting.md)"
