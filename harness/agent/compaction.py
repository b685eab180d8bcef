"""Compaction: when the context nears the window, a model-written summary replaces older turns.

The summary is a `compaction` event, so a compacted thread resumes and forks like any other.
This is the one model call besides the agent's own turns (also in headless mode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.model.types import ModelError, ModelRequest, ModelResponse
from harness.protocol.events import Compaction, Usage

if TYPE_CHECKING:
    from harness.agent.session import AgentSession

INSTRUCTION = (
    "Summarize this coding session so far so that work can continue from the summary alone: "
    "the user's goals and constraints, what was done (files changed, commands run, results), "
    "decisions and their reasons, open problems, and the next steps. Be specific (paths, "
    "names, errors). Reply with the summary only."
)


class Compactor:
    def __init__(self, session: AgentSession) -> None:
        self.session = session

    def needed(self) -> bool:
        s = self.session
        threshold = s.settings.agent.compact_threshold * s.context_window
        return s.state.context_tokens >= threshold and len(s.state.messages) > 2

    async def compact(self) -> None:
        s = self.session
        messages = [dict(m, content=list(m["content"])) for m in s.state.messages]
        if not messages:
            return
        if messages[-1]["role"] == "user":
            messages[-1]["content"].append({"type": "text", "text": INSTRUCTION})
        else:
            messages.append({"role": "user", "content": [{"type": "text", "text": INSTRUCTION}]})
        request = ModelRequest(
            model=s.model_name,
            system=s.system,
            tools=s.tool_schemas,
            messages=messages,
            max_tokens=min(s.settings.model.max_tokens, 8192),
        )
        response: ModelResponse | None = None
        try:
            async for item in s.model.stream(request):
                if isinstance(item, ModelResponse):
                    response = item
        except ModelError as exc:
            from harness.protocol.outcomes import RunFailed

            raise RunFailed(f"compaction failed: {exc.message}") from None
        if response is None:
            return
        summary = "".join(b.get("text", "") for b in response.content if b.get("type") == "text")
        usage = response.usage or Usage()
        s.record(
            Compaction(
                summary=summary.strip() or "(empty summary)",
                replaced_events=s.state.last_seq,
                usage=usage,
                cost_usd=s.price(response.model, usage),
            )
        )
