"""Layered configuration: schema, loader, rule syntax and harness's home folder."""
