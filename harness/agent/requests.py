"""What a model request is made of, from settings and thread state (never the session):
the request itself, the system prompt, the tool schemas, prices and the permission context
with what follows from it (search filters, rules a person grants)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.config.loader import ConfigError
from harness.config.schema import Settings
from harness.protocol.events import Usage

if TYPE_CHECKING:
    from harness.agent.state import ThreadState
    from harness.model.types import ModelRequest
    from harness.permissions.context import PermissionContext


# --- the request -------------------------------------------------------------------------


def model_request(settings: Settings, state: ThreadState, *, model: str,
                  system: list[dict], tools: list[dict]) -> ModelRequest:
    """The next request: the thread's messages after the byte-stable prefix."""
    from harness.model.types import ModelRequest

    m = settings.model
    return ModelRequest(
        model=model,
        system=system,
        tools=tools,
        messages=list(state.messages),
        max_tokens=m.max_tokens,
        thinking_budget=m.thinking_budget,
    )


def system_prompt(project_root: Path, settings: Settings) -> list[dict]:
    """The system blocks: built once per session, part of the cached prefix."""
    from harness.agent.prompt import system_blocks

    return system_blocks(project_root, settings.agent.instructions_files)


def tool_schemas(tools: list[Any], harness_home: Path | None) -> list[dict]:
    """The tool definitions sent with every request (once per session: cached prefix)."""
    from harness.tools.registry import tool_schemas as schemas

    return schemas(tools, harness_home / "cache" if harness_home else None)


def default_tool_table() -> dict[str, Any]:
    """The built-in tools by name, in the order the prompt prefix depends on."""
    from harness.tools.registry import default_tools

    return {tool.name: tool for tool in default_tools()}


# --- prices ------------------------------------------------------------------------------


def price(settings: Settings, model: str, usage: Usage, *, demo: bool) -> float:
    if demo:
        return 0.0  # the scripted demo model costs nothing
    from harness.model.pricing import cost_usd

    return cost_usd(model, usage, settings.prices)


def unpriced_models(settings: Settings, state: ThreadState, model: str, *,
                    demo: bool) -> list[str]:
    """Models of this thread (the current one included) with no configured price."""
    if demo:
        return []  # the scripted demo model costs nothing, truly
    from harness.model.pricing import is_priced

    names = {model, *state.models}
    return sorted(m for m in names if not is_priced(m, settings.prices))


def pricing_notices(settings: Settings, unpriced: list[str], budget_source: str) -> list[str]:
    """A start-up notice for an unpriced model; a ConfigError when a cost budget is set
    for one, since the budget could never trip."""
    from harness.model.pricing import unpriced_budget_message, unpriced_notice

    if not unpriced:
        return []
    budget = settings.agent.max_cost_usd
    if budget:
        raise ConfigError(budget_source, unpriced_budget_message(unpriced, budget),
                          "agent.max_cost_usd")
    return [unpriced_notice(unpriced)]


def check_model_priced(settings: Settings, name: str, *, demo: bool) -> None:
    """`/model NAME` under a cost budget: ValueError when NAME has no price."""
    from harness.model.pricing import is_priced, unpriced_budget_message

    budget = settings.agent.max_cost_usd
    if budget and not demo and not is_priced(name, settings.prices):
        raise ValueError(unpriced_budget_message([name], budget))


# --- permissions -------------------------------------------------------------------------


def permission_context(settings: Settings, project_root: Path, state: ThreadState, *,
                       mode: str, cwd: Path | None) -> PermissionContext:
    from harness.permissions.context import context_from_settings

    return context_from_settings(
        settings,
        project_root,
        mode=mode,
        session_allow=tuple(state.session_rules),
        cwd=cwd,
    )


def search_filter(pctx: PermissionContext, tool: str) -> Any:
    """What Glob and Grep leave out of results: secrets no rule allows, denied paths."""
    from harness.permissions.engine import search_filter as engine_filter

    return engine_filter(pctx, tool)


def grant(project_root: Path, call: Any, pctx: Any, scope: str) -> str | None:
    """The rule a person's "always allow" adds (written to the project for that scope)."""
    from harness.permissions.grants import suggest_rule, write_project_rule

    rule = suggest_rule(call, pctx)
    if rule is None:
        return None
    if scope == "project":
        write_project_rule(project_root, rule)
    return str(rule)


def decide(call: Any, ctx: Any) -> Any:
    """The permission engine, imported at the first tool call: its shell parser is not
    needed to send the first request, and start-up is a hot path."""
    from harness.permissions.engine import decide as engine_decide

    return engine_decide(call, ctx)
