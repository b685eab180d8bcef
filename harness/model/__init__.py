"""Model clients: the ModelClient protocol and the Anthropic implementation."""
