"""The tool set: one module per tool (see `registry.default_tools`)."""
