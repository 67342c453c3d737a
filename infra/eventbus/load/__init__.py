"""Reading the tree into the model: safe file reading, YAML with positions, Avro files."""
from eventbus.load.registry import LoadResult, load_registry  # noqa: F401
