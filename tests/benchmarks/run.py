"""Run the benchmarks and update tests/benchmarks/RESULTS.md.

    .venv/bin/python tests/benchmarks/run.py            # every bench_*.py
    .venv/bin/python tests/benchmarks/run.py store cli  # only bench_store.py, bench_cli.py

Each bench_<name>.py defines `run() -> str` returning a Markdown section (a table of the
measurements beside the reference the issue names, as ratios). Its section in RESULTS.md
is replaced between `<!-- bench:<name> -->` markers; other sections are kept.
"""

from __future__ import annotations

import importlib
import platform
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\nProduced by `.venv/bin/python tests/benchmarks/run.py [NAME ...]`.\n"
)


def _section(name: str, body: str) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    cmd = f".venv/bin/python tests/benchmarks/run.py {name}"
    return (
        f"<!-- bench:{name} -->\n{body.rstrip()}\n\n"
        f"_Command: `{cmd}` · {stamp} · {platform.python_implementation()} "
        f"{platform.python_version()} · {platform.machine()}_\n<!-- /bench:{name} -->"
    )


def main(names: list[str]) -> int:
    sys.path.insert(0, str(HERE.parent.parent))
    sys.path.insert(0, str(HERE))
    available = sorted(p.stem[len("bench_") :] for p in HERE.glob("bench_*.py"))
    wanted = names or available
    unknown = [n for n in wanted if n not in available]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {available}", file=sys.stderr)
        return 2
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    for name in wanted:
        print(f"== bench_{name}", flush=True)
        body = importlib.import_module(f"bench_{name}").run()
        print(body, flush=True)
        block = _section(name, body)
        pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.DOTALL)
        if pattern.search(text):
            text = pattern.sub(lambda _m, block=block: block, text)
        else:
            text = f"{text}\n{block}\n"
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
