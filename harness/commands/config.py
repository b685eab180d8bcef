"""`harness config show|validate`: the effective settings, where each came from, and file checks."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.exitcodes import USAGE


def main(args: argparse.Namespace) -> int:
    from harness.config.loader import ConfigError, find_project_root, flatten, load_config

    root = find_project_root(Path(args.cwd) if args.cwd else None)
    try:
        loaded = load_config(root)
    except ConfigError as exc:
        if args.json:
            print(
                json.dumps(
                    {"ok": False, "source": exc.source, "key": exc.key, "error": exc.message}
                )
            )
        print(f"harness: config error: {exc}", file=sys.stderr)
        return USAGE
    if args.action == "validate":
        files = [layer.source for layer in loaded.layers if layer.name not in ("env", "flags")]
        if args.json:
            print(json.dumps({"ok": True, "files": files}))
        else:
            for source in files:
                print(f"ok  {source}")
        return 0
    values = flatten(loaded.settings)
    if args.json:
        print(
            json.dumps(
                {k: {"value": v, "layer": loaded.origin(k)} for k, v in values.items()}, indent=2
            )
        )
        return 0
    width = max(map(len, values))
    for key, value in values.items():
        print(f"{key:<{width}}  {json.dumps(value)}  [{loaded.origin(key)}]")
    return 0
