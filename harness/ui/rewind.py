"""`/rewind` for every front-end: the question asked before anything is restored, its three
answers (files, conversation, both), and carrying out the chosen one through the session.

Files are restored by the session's rewind (the shadow repository of snapshots); the
conversation is rewound as a fork at that step, so the thread as it was stays saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from harness.protocol.session import Session

RewindChoice = Literal["files", "conversation", "both"]


@dataclass(frozen=True, slots=True)
class RewindOption:
    key: str  # the one key (TUI) or letter (inline) that picks it
    choice: RewindChoice
    label: str


REWIND_OPTIONS: tuple[RewindOption, ...] = (
    RewindOption("f", "files", "files — put back the files changed after this step"),
    RewindOption("c", "conversation", "conversation — fork at this step (files stay as they are)"),
    RewindOption("b", "both", "both — put back the files and fork at this step"),
)


def choice_for(answer: str) -> RewindChoice | None:
    """`f`, `files`, `c`, `conversation`, `b`, `both` (any case); anything else: None."""
    word = answer.strip().lower()
    for option in REWIND_OPTIONS:
        if word in (option.key, option.choice):
            return option.choice
    return None


def files_changed_after(history: Sequence[tuple[int, Any]], seq: int) -> list[str]:
    """Files a tool changed after `seq` (their snapshots are what a files rewind restores)."""
    paths: list[str] = []
    for at, event in history:
        if at > seq and event.type == "file_snapshot" and event.path not in paths:
            paths.append(event.path)
    return paths


def rewind_question(seq: int, changed: Sequence[str], shown: Callable[[str], str] = str) -> str:
    """What the person is asked, naming the files a files-rewind would put back."""
    if changed:
        names = ", ".join(shown(p) for p in changed[:6]) + (" …" if len(changed) > 6 else "")
        files = f"{len(changed)} file(s) changed since: {names}"
    else:
        files = "no file was changed since"
    return f"Rewind to step {seq}? {files}."


@dataclass
class RewindOutcome:
    choice: RewindChoice
    seq: int
    old_thread: str
    restored: list[str] = field(default_factory=list)
    new_thread: str = ""  # the fork, for conversation and both

    def lines(self, shown: Callable[[str], str] = str) -> list[str]:
        out = []
        if self.choice in ("files", "both"):
            names = ", ".join(shown(p) for p in self.restored[:8])
            more = " …" if len(self.restored) > 8 else ""
            out.append(f"files restored to step {self.seq}: {names}{more}" if self.restored
                       else f"files: nothing changed after step {self.seq}, nothing to restore")
        if self.new_thread:
            out.append(f"conversation rewound to step {self.seq}: forked {self.old_thread}"
                       f"@{self.seq} → now on thread {self.new_thread}")
        return out


async def apply_rewind(session: Session, seq: int, choice: RewindChoice) -> RewindOutcome:
    """Do what was chosen: restore files first (they belong to this thread's snapshots),
    then fork the conversation at `seq`."""
    outcome = RewindOutcome(choice=choice, seq=seq, old_thread=session.thread_id)
    if choice in ("files", "both"):
        outcome.restored = list(await session.rewind(seq))
    if choice in ("conversation", "both"):
        outcome.new_thread = await session.fork(seq)
    return outcome
