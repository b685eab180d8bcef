"""`harness --demo`: a scratch project and a built-in scripted model, no API key needed.

It shows the loop, a permission prompt for an edit, a shell command, and then how to
resume and fork the saved thread.
"""

from __future__ import annotations

import argparse
import time

DEMO_TASK = "Make hello.py greet harness, then run it."
DEMO_MODEL = "demo"


def prepare_demo(args: argparse.Namespace) -> argparse.Namespace:
    from harness.config.home import harness_home

    if not args.cwd:
        folder = harness_home() / "demo" / time.strftime("%Y%m%d-%H%M%S")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "hello.py").write_text('print("hello")\n')
        args.cwd = str(folder)
    if getattr(args, "model", None) is None:
        args.model = DEMO_MODEL  # what the status line and toolbar show: no real model here
    if args.prompt is None and args.resume is None and args.fork is None:
        args.prompt_default = DEMO_TASK
    return args
