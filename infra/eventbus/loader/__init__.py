"""Reading the tree into the model: safe file reading, YAML with positions, Avro files."""


def __getattr__(name: str):
    # load_registry pulls in YAML and the JSON Schemas; a command that only reads files
    # (``eventbus compat``: eventbus.loader.files) does not pay for them
    if name in ("load_registry", "LoadResult"):
        from eventbus.loader import tree

        return getattr(tree, name)
    raise AttributeError(f"module 'eventbus.loader' has no attribute {name!r}")
