"""Reading the tree into the model: safe file reading (files, fs), YAML with positions (yaml),
the JSON Schemas (schemas), the registry (registry), the stacks (stacks), this machine (workspace).
Nothing is imported here, so a command that only reads a file does not pay for the rest."""
