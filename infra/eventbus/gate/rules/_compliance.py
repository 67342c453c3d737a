"""Shared helpers for the compliance rules (not a rule)."""
from __future__ import annotations


def is_reference(text: str | None) -> bool:
    """Whether a document reference (data sharing agreement, OBI approval) can name a signed
    document: it holds a number (``DSA-VHA-PBM-2024-112``, ``OBI-DAR-2026-0077-P``). ``TBD``,
    ``N/A``, ``none``, ``pending``, ``XXX`` or spaces name none, so they count as no reference."""
    return isinstance(text, str) and any(ch.isdigit() for ch in text)
