"""Enterprise Event Bus registry: model, gate, desired state and adapters."""

__version__ = "0.1.0"
