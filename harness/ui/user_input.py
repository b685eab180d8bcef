"""What a person's prompt line means besides text, the same in every interactive front-end:
`!cmd` runs their own shell command, and each `@path` attaches that file's content (size
capped, binary refused, and only what Read may read without asking). Blocking file reads:
front-ends call `attach_files` off their event loop."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness.protocol.events import Attachment, UserShell

MAX_ATTACHMENT_BYTES = 100_000  # per file; the rest is cut and the model is told so
MAX_ATTACHMENTS = 10  # per prompt
BINARY_SNIFF = 8192

# `@path` at the start or after whitespace (so `me@example.com` is not a mention); the path
# runs to the next whitespace, minus trailing punctuation of the sentence around it.
_MENTION = re.compile(r"(?:(?<=\s)|^)@([^\s@]+)")
_TRAILING = ".,;:!?)]}'\""

CheckRead = Callable[[str], "str | None"]  # the session's `check_read`


def shell_command(text: str) -> str | None:
    """`!git status` → `git status`; None when the line is not a shell command."""
    stripped = text.strip()
    if not stripped.startswith("!"):
        return None
    command = stripped[1:].strip()
    return command or None


def mentions(text: str) -> list[str]:
    """The `@path` mentions of a prompt, in order, each once."""
    found: list[str] = []
    for match in _MENTION.finditer(text):
        path = match.group(1).rstrip(_TRAILING)
        if path and path not in found:
            found.append(path)
    return found


@dataclass
class Attached:
    """What `attach_files` made of a prompt's mentions."""

    attachments: list[Attachment] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one clear notice per refused path

    def notes(self) -> list[str]:
        """One line per attached file, for the person to see what the model got."""
        lines = []
        for a in self.attachments:
            cut = f", cut to {MAX_ATTACHMENT_BYTES // 1000} kB" if a.truncated else ""
            lines.append(f"📎 attached {a.path} ({_size(a.size)}{cut})")
        return lines


def attach_files(text: str, root: Path, check_read: CheckRead) -> Attached:
    """Read each `@path` of `text` that names a file Read may read without asking.

    A mention that names nothing is left as text (it may be an npm scope or a handle); a
    folder is left as text too (the model can list it). Everything else that cannot be
    attached is refused with a notice saying why: denied or secret (the permission rules
    of Read), binary, unreadable, or over the per-prompt count.
    """
    out = Attached()
    for name in mentions(text):
        path = root / Path(name).expanduser()  # an absolute mention stays absolute
        if not path.exists() or path.is_dir():
            continue
        why = check_read(str(path))
        if why is not None:
            out.refused.append(f"@{name} not attached: {why}")
            continue
        if len(out.attachments) >= MAX_ATTACHMENTS:
            out.refused.append(f"@{name} not attached: at most {MAX_ATTACHMENTS} files a prompt")
            continue
        try:
            attachment = _read(name, path)
        except OSError as exc:
            out.refused.append(f"@{name} not attached: {exc.strerror or exc}")
            continue
        if attachment is None:
            out.refused.append(f"@{name} not attached: it is a binary file (only text is sent)")
            continue
        out.attachments.append(attachment)
    return out


def _read(name: str, path: Path) -> Attachment | None:
    size = path.stat().st_size
    with path.open("rb") as f:
        data = f.read(MAX_ATTACHMENT_BYTES + 1)
    if b"\0" in data[:BINARY_SNIFF]:
        return None
    truncated = len(data) > MAX_ATTACHMENT_BYTES
    text = data[:MAX_ATTACHMENT_BYTES].decode("utf-8", "replace")
    if not truncated and "\ufffd" in text[:BINARY_SNIFF] and text.count("\ufffd") > 8:
        return None  # not UTF-8 text: mostly replacement characters
    return Attachment(path=name, content=text, truncated=truncated, size=size)


def _size(n: int) -> str:
    return f"{n} B" if n < 1000 else f"{n / 1000:.1f} kB"


def shell_lines(event: UserShell, keep: int = 8) -> list[str]:
    """A `!` command's output for the person: its first lines and the outcome."""
    lines = event.output.rstrip("\n").splitlines()
    shown = lines[:keep]
    if len(lines) > keep:
        shown.append(f"… +{len(lines) - keep} lines (the model gets up to 10 kB)")
    return shown
