"""Reading the tree into the model: safe file reading, YAML with positions, Avro files."""
from eventbus.load.registry import load_registry, LoadResult  # noqa: F401
