"""The slash-command table every interactive front-end (TUI, inline) offers: one name, one
meaning. `/clear` starts a new conversation (the old thread stays saved, `/resume` lists it);
it never only wipes the screen."""

from __future__ import annotations

SLASH_COMMANDS: dict[str, str] = {
    "/help": "keys and commands",
    "/mode": "show or set the permission mode (/mode plan)",
    "/model": "show or switch the model (/model NAME)",
    "/resume": "pick a thread of this project to continue",
    "/fork": "continue from a step in a new thread (/fork [SEQ])",
    "/sessions": "this project's threads",
    "/compact": "summarise older turns to free context",
    "/cost": "tokens and cost of this thread",
    "/clear": "start a new conversation (the old thread stays saved)",
    "/rewind": "go back to a step: files, conversation (a fork) or both (/rewind [SEQ])",
    "/quit": "leave (the thread is saved)",
}
