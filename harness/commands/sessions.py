"""`harness sessions list|show|fork|gc`: look at, branch and clean up saved threads."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from harness.exitcodes import DONE, FAILURE, USAGE

SUMMARY_WIDTH = 100


def _err(message: str) -> None:
    print(f"harness: {message}", file=sys.stderr)


def _short(text: str, width: int = SUMMARY_WIDTH) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _ago(ts: float, now: float) -> str:
    delta = max(0.0, now - ts)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if delta >= size:
            return f"{int(delta // size)}{unit} ago"
    return f"{int(delta)}s ago"


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def summarize(data: dict[str, Any]) -> str:
    """One line describing an event (decoded JSON), for timelines."""
    kind = data.get("type", "")
    if kind == "user_message":
        return _short(data.get("text", ""))
    if kind == "assistant_message":
        parts = []
        for block in data.get("content", []):
            if block.get("type") == "text":
                parts.append(block.get("text", ""))
            elif block.get("type") == "tool_use":
                parts.append(f"[{block.get('name', '?')}]")
            elif block.get("type") == "thinking":
                parts.append("[thinking]")
        cut = "[cut: not an answer] " if data.get("partial") else ""
        return _short(cut + " ".join(parts))
    if kind in ("tool_call", "tool_started"):
        return _short(f"{data.get('tool')} {json.dumps(data.get('input', {}))}")
    if kind == "tool_result":
        flag = " (error)" if data.get("is_error") else ""
        flag = " (outcome unknown)" if data.get("outcome_unknown") else flag
        return _short(f"{data.get('tool')}{flag}: {data.get('content', '')}")
    if kind == "permission_request":
        return _short(f"{data.get('tool')} asks: {data.get('reason', '')}")
    if kind == "permission_decision":
        return _short(f"{data.get('outcome')} by {data.get('source')}"
                      + (f" ({data['scope']})" if data.get("scope") else ""))
    if kind in ("turn_completed", "result"):
        usage = data.get("usage") or {}
        tokens = sum(v for v in usage.values() if isinstance(v, int))
        head = f"turn {data.get('turn')}" if kind == "turn_completed" else data.get("status")
        return _short(f"{head} · {tokens} tokens · ${data.get('cost_usd', 0.0):.4f}"
                      + (f" · {data['result']}" if data.get("result") else ""))
    rest = {k: v for k, v in data.items() if k not in ("type", "v", "ts")}
    return _short(json.dumps(rest, ensure_ascii=False))


def _resolve(store: Any, text: str) -> Any:
    """A thread by id, or by a unique id prefix of at least 4 characters."""
    return store.resolve_thread(text)


def _cmd_list(store: Any, args: argparse.Namespace, project: str, prices: Any) -> int:
    from harness.model.pricing import cost_text, is_priced

    threads = store.list_threads(None if args.all else project, limit=1000)
    if args.json:
        print(json.dumps([t.to_json() for t in threads], indent=2))
        return DONE
    if not threads:
        print("no threads yet" + ("" if args.all else f" in {project}"))
        return DONE
    now = time.time()
    for t in threads:
        where = f"  {t.project}" if args.all else ""
        cost = cost_text(t.cost_usd, not t.model or is_priced(t.model, prices))
        print(f"{t.thread_id}  {t.state:<17} {_ago(t.updated_at, now):>8}  {t.num_turns:>3} turns"
              f"  {t.tokens:>8} tok  {cost:>7}  {_short(t.title or '(untitled)', 60)}{where}")
    return DONE


def _tree(store: Any, thread: Any) -> dict[str, Any]:
    return {
        **thread.to_json(),
        "duration_s": round(max(0.0, thread.updated_at - thread.created_at), 3),
        "children": [_tree(store, c) for c in store.children(thread.thread_id)],
    }


def _print_tree(node: dict[str, Any], depth: int = 0) -> None:
    label = node["agent"] or ("fork" if node["parent_thread_id"] and depth else "thread")
    at = f" @{node['parent_seq']}" if depth and node["parent_seq"] is not None else ""
    line = (f"{'  ' * depth}{'└─ ' if depth else ''}{label} {node['thread_id']}{at}  "
            f"{node['state']}  {_duration(node['duration_s'])}  {node['tokens']} tok  "
            f"${node['cost_usd']:.4f}  {_short(node['title'] or '', 50)}")
    print(line.rstrip())
    for child in node["children"]:
        _print_tree(child, depth + 1)


def _cmd_show(store: Any, args: argparse.Namespace) -> int:
    from harness.store.base import CorruptEvent

    thread = _resolve(store, args.thread)
    if args.tree:
        tree = _tree(store, thread)
        if args.json:
            print(json.dumps(tree, indent=2))
        else:
            _print_tree(tree)
        return DONE
    rows: list[dict[str, Any]] = []
    error: CorruptEvent | None = None
    try:
        for stored in store.events(thread.thread_id):
            data = json.loads(stored.raw)
            rows.append({"seq": stored.seq, "type": stored.type, "thread_id": stored.thread_id,
                         "summary": summarize(data), "event": data})
    except CorruptEvent as exc:  # show what is readable, then say where it breaks
        error = exc
    if args.json:
        print(json.dumps({"thread": thread.to_json(), "events": rows,
                          "error": str(error) if error else None}, indent=2))
    else:
        parent = (f" · forked from {thread.parent_thread_id}@{thread.parent_seq}"
                  if thread.parent_thread_id else "")
        print(f"thread {thread.thread_id} · {thread.state} · {thread.project}{parent}")
        if thread.title:
            print(f"title: {thread.title}")
        for row in rows:
            print(f"{row['seq']:>5}  {row['type']:<20} {row['summary']}")
    if error:
        _err(str(error))
        return FAILURE
    return DONE


def _cmd_fork(store: Any, args: argparse.Namespace) -> int:
    target, _, seq_text = args.target.partition("@")
    seq: int | None = None
    if seq_text:
        try:
            seq = int(seq_text)
        except ValueError:
            _err(f"{args.target!r}: SEQ must be a number, as in THREAD@12")
            return USAGE
    parent = _resolve(store, target)
    child = store.fork(parent.thread_id, seq)
    if args.json:
        print(json.dumps({"thread_id": child.thread_id, "parent_thread_id": child.parent_thread_id,
                          "parent_seq": child.parent_seq}))
    else:
        print(f"forked {child.parent_thread_id}@{child.parent_seq} → {child.thread_id}; "
              f"continue it with `harness --resume {child.thread_id}`")
    return DONE


def _cmd_gc(store: Any, args: argparse.Namespace, abandon_after: str) -> int:
    from harness.config.schema import parse_duration
    from harness.store.gc import collect

    if args.delete_older_than:
        try:
            parse_duration(args.delete_older_than)
        except ValueError as exc:
            _err(f"--delete-older-than: {exc}")
            return USAGE
    report = collect(store, abandon_after, delete_older_than_age=args.delete_older_than)
    if args.json:
        print(json.dumps({
            "abandoned": [t.to_json() for t in report.abandoned],
            "deleted": [t.to_json() for t in report.deleted],
            "kept": [{"thread_id": t.thread_id, "reason": why} for t, why in report.kept],
        }, indent=2))
        return DONE
    print(f"{len(report.abandoned)} thread(s) marked abandoned "
          f"(awaiting approval for more than {abandon_after})")
    for t in report.abandoned:
        print(f"  {t.thread_id}  {t.project}  {_short(t.title or '(untitled)', 60)}")
    if args.delete_older_than:
        print(f"{len(report.deleted)} thread(s) deleted (finished or abandoned, idle for more "
              f"than {args.delete_older_than})")
        for t, why in report.kept:
            print(f"  kept {t.thread_id}: {why}")
    return DONE


def main(args: argparse.Namespace) -> int:
    from harness.config.loader import ConfigError, find_project_root, load_config
    from harness.store.base import StoreError, ThreadNotFound
    from harness.store.open import open_store

    root = find_project_root(Path(args.cwd).expanduser() if args.cwd else None)
    try:
        settings = load_config(root).settings
    except ConfigError as exc:
        _err(str(exc))
        return USAGE
    url = args.store if args.store is not None else settings.sessions.store
    try:
        store = open_store(url)
    except StoreError as exc:
        _err(str(exc))
        return USAGE if "unknown store URL" in str(exc) or "names no file" in str(exc) else FAILURE
    try:
        if args.action == "list":
            return _cmd_list(store, args, str(root), settings.prices)
        if args.action == "show":
            return _cmd_show(store, args)
        if args.action == "fork":
            return _cmd_fork(store, args)
        return _cmd_gc(store, args, settings.sessions.abandon_after)
    except ThreadNotFound as exc:
        _err(str(exc))
        return USAGE
    except StoreError as exc:
        _err(str(exc))
        return USAGE if args.action == "fork" and "cannot start" in str(exc) else FAILURE
    finally:
        store.close()
