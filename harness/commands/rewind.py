"""`harness rewind`: not built yet (see the open issues)."""

from __future__ import annotations

import argparse
import sys

from harness.exitcodes import USAGE


def main(args: argparse.Namespace) -> int:
    print("harness: 'rewind' is not available in this build yet", file=sys.stderr)
    return USAGE
