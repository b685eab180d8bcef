"""The settings schema: every key a config file may hold, its type, default and meaning.

Unknown keys are errors (extra="forbid") so a typo never silently does nothing.
`python -m harness.config.schema` regenerates `config/schema.json` for editors and refreshes
the packaged copies of it and of `config/defaults.toml` in `harness/config/data/`.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from harness.config.rules import parse_rule
from harness.protocol.kinds import Mode

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """`90s`, `30m`, `12h`, `7d`, `2w` → seconds."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(
            f"{text!r} is not a duration; use a number and a unit s/m/h/d/w, e.g. '7d'"
        )
    return float(m.group(1)) * _UNIT_SECONDS[m.group(2)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSettings(_Section):
    name: str = Field("claude-sonnet-4-5", description="Model id sent to the Messages API.")
    max_tokens: int = Field(8192, ge=1, description="max_tokens per model response.")
    thinking_budget: int = Field(
        0, ge=0, description="Extended thinking budget in tokens; 0 turns thinking off."
    )
    context_window: int = Field(200_000, ge=1000, description="Context window of the model.")
    max_retries: int = Field(6, ge=0, le=20, description="Retries on 429/529/5xx/dropped streams.")
    request_timeout: float = Field(600.0, gt=0, description="Seconds before one request times out.")


class AgentSettings(_Section):
    max_turns: int = Field(200, ge=1, description="Model turns per run before stopping (exit 4).")
    max_cost_usd: float = Field(0.0, ge=0, description="Cost budget per run in USD; 0 = none.")
    max_tokens_total: int = Field(0, ge=0, description="Token budget per run; 0 = none.")
    wall_clock_seconds: float = Field(0.0, ge=0, description="Wall-clock limit per run; 0 = none.")
    compact_threshold: float = Field(
        0.85, gt=0.1, le=1.0, description="Compact when context use reaches this share."
    )
    instructions_files: list[str] = Field(
        default_factory=lambda: ["AGENTS.md", "HARNESS.md"],
        description="Project instruction files read into the system prompt.",
    )
    max_depth: int = Field(3, ge=0, le=10, description="Deepest subagent delegation allowed.")


class PermissionSettings(_Section):
    mode: Mode = Field("default", description="Starting permission mode.")
    allow: list[str] = Field(default_factory=list, description="Rules that run without asking.")
    ask: list[str] = Field(default_factory=list, description="Rules that always ask.")
    deny: list[str] = Field(default_factory=list, description="Rules that are always refused.")
    interrupt_before: list[str] = Field(
        default_factory=list, description="Static breakpoints: ask in every mode, bypass included."
    )
    extra_roots: list[str] = Field(
        default_factory=list, description="Folders besides the project root that may be read."
    )
    allow_bypass: bool = Field(
        False, description="Offer bypassPermissions when cycling modes in the TUI/inline prompt."
    )

    @field_validator("allow", "ask", "deny", "interrupt_before")
    @classmethod
    def _rules_parse(cls, rules: list[str], info: ValidationInfo) -> list[str]:
        # The loader passes the project root so an error can name the exact `//abs` form.
        root = (info.context or {}).get("project_root")
        for rule in rules:
            parse_rule(rule, root)
        return rules


class SandboxEnvSettings(_Section):
    include: list[str] = Field(
        default_factory=list,
        description="Variables passed to commands although their names look like credentials "
        "(shell patterns, e.g. 'GITHUB_TOKEN'); ANTHROPIC_API_KEY/AUTH_TOKEN never are.",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Further variables kept from commands (shell patterns, e.g. 'AWS_*'); "
        "wins over include. Always kept out: *KEY*, *SECRET*, *TOKEN*, *PASSWORD*, "
        "*CREDENTIAL*.",
    )


class SandboxSettings(_Section):
    enabled: bool = Field(True, description="Run shell commands under the OS sandbox.")
    network: bool = Field(False, description="Let sandboxed commands use the network.")
    writable: list[str] = Field(
        default_factory=list, description="Extra folders sandboxed commands may write."
    )
    unix_sockets: bool = Field(
        False, description="Let sandboxed commands create unix sockets; they could then "
        "connect to sockets outside the project (docker's, an ssh or gpg agent's).",
    )
    env: SandboxEnvSettings = Field(
        default_factory=SandboxEnvSettings,
        description="Which environment variables commands started for the model get.",
    )


class SessionSettings(_Section):
    store: str = Field("", description="'' for SQLite under $HARNESS_HOME, or a postgresql:// URL.")
    abandon_after: str = Field(
        "7d", description="Threads awaiting approval longer than this are marked abandoned by gc."
    )
    reconnect_window: str = Field(
        "30s",
        description="How long a lost PostgreSQL connection is retried (with backoff) mid-run "
        "before the run stops with exit 1; '0s' gives up at once.",
    )

    @field_validator("abandon_after", "reconnect_window")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator("store")
    @classmethod
    def _store_url(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgres://", "sqlite:")):
            raise ValueError("use '' (SQLite), 'sqlite:PATH' or a 'postgresql://…' URL")
        return value


class Hook(_Section):
    command: str = Field(description="Shell command; gets the event as JSON on stdin.")
    matcher: str = Field("*", description="Tool name, `A|B`, or `*` for every tool.")
    timeout: float = Field(30.0, gt=0, le=600, description="Seconds before the hook is killed.")


class HookSettings(_Section):
    pre_tool_use: list[Hook] = Field(default_factory=list)
    post_tool_use: list[Hook] = Field(default_factory=list)
    user_prompt_submit: list[Hook] = Field(default_factory=list)
    stop: list[Hook] = Field(default_factory=list)
    notification: list[Hook] = Field(default_factory=list)


class UiSettings(_Section):
    theme: Literal["auto", "dark", "light"] = Field("auto", description="TUI colour theme.")
    vi_mode: bool = Field(False, description="Vi key bindings in the inline prompt.")
    show_thinking: bool = Field(False, description="Expand thinking blocks by default.")


class TracingSettings(_Section):
    enabled: bool = Field(False, description="Emit OpenTelemetry spans.")
    otlp_endpoint: str = Field("", description="OTLP/HTTP endpoint; '' keeps spans in-process.")


class Price(_Section):
    input: float = Field(ge=0, description="USD per million input tokens.")
    output: float = Field(ge=0, description="USD per million output tokens.")
    cache_write: float = Field(ge=0, description="USD per million cache-write tokens.")
    cache_read: float = Field(ge=0, description="USD per million cache-read tokens.")


class Settings(_Section):
    model: ModelSettings = Field(default_factory=ModelSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    permissions: PermissionSettings = Field(default_factory=PermissionSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    hooks: HookSettings = Field(default_factory=HookSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    prices: dict[str, Price] = Field(
        default_factory=dict, description="Prices per model id, in USD per million tokens."
    )


# Rule lists are merged (union, in layer order) instead of replaced.
MERGED_LISTS: frozenset[tuple[str, ...]] = frozenset(
    {("permissions", k) for k in ("allow", "ask", "deny", "interrupt_before", "extra_roots")}
    | {("sandbox", "writable"), ("sandbox", "env", "include"), ("sandbox", "env", "exclude")}
    | {("hooks", k) for k in HookSettings.model_fields}
)


def json_schema() -> dict:
    schema = Settings.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "harness config (.harness/config.toml)"
    return schema


if __name__ == "__main__":  # pragma: no cover - a development script, run from a checkout
    import shutil
    from pathlib import Path

    from harness.config.home import repo_config_dir

    path = repo_config_dir() / "schema.json"
    path.write_text(json.dumps(json_schema(), indent=2) + "\n")
    print(f"wrote {path}")
    packaged = Path(__file__).resolve().parent / "data"
    for name in ("defaults.toml", "schema.json"):
        shutil.copyfile(repo_config_dir() / name, packaged / name)
        print(f"copied {name} to {packaged}")
