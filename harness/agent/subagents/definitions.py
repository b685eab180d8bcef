"""Agent definitions: which sub-agents the `Task` tool may start, and with what.

A definition is a Markdown file in `.harness/agents/` (project) or
`~/.config/harness/agents/` (user) whose YAML front matter sets the name, tools, model,
context mode and limits, and whose body is the sub-agent's instructions. Built-ins
(`explore`, `general`) come first; a user file overrides a built-in, a project file both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.config.loader import ConfigError

ContextMode = Literal["none", "summary", "full"]
READ_ONLY_TOOLS: tuple[str, ...] = ("Read", "Glob", "Grep", "LS", "GitStatus", "GitDiff", "GitLog")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
# Claude Code's model aliases are accepted so its agent files load unchanged.
_MODEL_INHERIT = frozenset({"", "inherit"})
MODEL_ALIASES = {
    "sonnet": "claude-sonnet-4-5", "opus": "claude-opus-4-5", "haiku": "claude-haiku-4-5",
}


class AgentDefinitionError(ConfigError):
    """A definition file that cannot be used: names the file, the field and what is allowed.
    A ConfigError, so front-ends report it like any broken config (exit 2, no traceback)."""

    def __init__(self, source: str, message: str, field: str | None = None) -> None:
        super().__init__(source, message, key=field)
        self.field = field


class AgentDefinition(BaseModel):
    """One sub-agent type. `tools=None` means "the parent's tools" (never more than those)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = Field(min_length=1)
    instructions: str = ""
    tools: tuple[str, ...] | None = None
    model: str = ""  # '' = the parent's model
    context: ContextMode = "none"
    max_turns: int = Field(30, ge=1, le=1000)
    max_cost_usd: float = Field(0.0, ge=0)  # 0 = only the parent's budget applies
    time_limit_seconds: float = Field(600.0, gt=0)
    output_schema: dict[str, Any] | None = None
    output: str = ""  # a short description of the expected output, when no schema
    source: str = "built-in"

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                f"{value!r} is not a valid agent name; use lower-case letters, digits, '-' "
                "or '_', starting with a letter (e.g. 'code-reviewer')"
            )
        return value

    @field_validator("tools", mode="before")
    @classmethod
    def _tools(cls, value: Any) -> Any:
        # `tools: Read, Grep` (Claude Code style) and `tools: [Read, Grep]` both work.
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, str) or not item:
                    raise ValueError(f"tool names must be non-empty strings, got {item!r}")
            return tuple(dict.fromkeys(value))
        return value

    @field_validator("model", mode="before")
    @classmethod
    def _model(cls, value: Any) -> Any:
        if value is None or value in _MODEL_INHERIT:
            return ""
        return MODEL_ALIASES.get(value, value)

    @field_validator("output_schema")
    @classmethod
    def _schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            check_json_schema(value)
        return value

    def allowed_tools(self, parent_tools: Iterable[str]) -> list[str]:
        """The definition's tools that the parent also has, in the parent's order."""
        parent = list(parent_tools)
        if self.tools is None:
            return parent
        wanted = set(self.tools)
        return [name for name in parent if name in wanted]


def check_json_schema(schema: Any) -> None:
    """Raise ValueError naming what is wrong if `schema` is not a usable JSON Schema."""
    if not isinstance(schema, dict):
        raise ValueError("a JSON Schema must be an object (mapping)")
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ValueError(f"not a valid JSON Schema at {where}: {exc.message}") from None


BUILTIN_AGENTS: dict[str, AgentDefinition] = {
    "explore": AgentDefinition(
        name="explore",
        description=(
            "Read-only investigator: searches and reads the code base and git history to "
            "answer a question or gather facts. Cannot change files or run commands."
        ),
        instructions=(
            "You are a read-only exploration agent. Use the tools to search and read the "
            "repository until you can answer the goal with evidence (file paths, line "
            "numbers, short quotes). Do not guess; say what you could not find. Your final "
            "message is your answer and is all the delegating agent will see: make it "
            "complete and compact."
        ),
        tools=READ_ONLY_TOOLS,
        context="none",
        max_turns=30,
    ),
    "general": AgentDefinition(
        name="general",
        description=(
            "General-purpose agent with the same tools as you, for a self-contained "
            "multi-step task (research, an isolated change, a check)."
        ),
        instructions=(
            "You are a sub-agent working on one delegated task. Do only what the goal asks, "
            "within its constraints. Your final message is your result and is all the "
            "delegating agent will see: state what you did, what you found, and anything "
            "left undone."
        ),
        tools=None,
        context="none",
        max_turns=50,
    ),
}

_FIELDS = frozenset(AgentDefinition.model_fields) - {"instructions", "source"}


def parse_definition(text: str, source: str) -> AgentDefinition:
    """Parse one definition file's text; errors name `source` and the field."""
    front, body = _split_front_matter(text, source)
    import yaml

    try:
        data = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise AgentDefinitionError(
            source, f"front matter is not valid YAML{line}: {problem}"
        ) from None
    if not isinstance(data, dict):
        raise AgentDefinitionError(source, "front matter must be a mapping of `key: value`")
    data = {str(k).replace("-", "_"): v for k, v in data.items()}
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise AgentDefinitionError(
            source,
            f"unknown key; allowed keys are {', '.join(sorted(_FIELDS))}",
            field=unknown[0],
        )
    if "name" not in data:
        stem = Path(source).stem
        if _NAME.match(stem):
            data["name"] = stem
    try:
        return AgentDefinition(**data, instructions=body.strip(), source=source)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "is required"
        raise AgentDefinitionError(source, message, field=field) from None


def _split_front_matter(text: str, source: str) -> tuple[str, str]:
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise AgentDefinitionError(
            source, "must start with a `---` line, then YAML front matter, then `---`"
        )
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :])
    raise AgentDefinitionError(source, "front matter is not closed by a `---` line")


def definition_dirs(project_root: Path) -> list[Path]:
    """Where definition files are looked for, lowest precedence first."""
    from harness.config.home import user_config_path

    return [user_config_path().parent / "agents", project_root / ".harness" / "agents"]


def load_definitions(
    project_root: Path, *, known_tools: Iterable[str] | None = None
) -> dict[str, AgentDefinition]:
    """Built-ins, then user files, then project files (later wins by name).

    With `known_tools`, a definition naming a tool that does not exist is an error, so a
    typo never silently leaves a sub-agent without the tool it needs.
    """
    found: dict[str, AgentDefinition] = dict(BUILTIN_AGENTS)
    known = set(known_tools) if known_tools is not None else None
    for folder in definition_dirs(project_root):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise AgentDefinitionError(str(path), f"cannot be read: {exc}") from None
            definition = parse_definition(text, str(path))
            if known is not None and definition.tools is not None:
                for tool in definition.tools:
                    if tool not in known:
                        raise AgentDefinitionError(
                            str(path),
                            f"unknown tool {tool!r}; available tools are "
                            f"{', '.join(sorted(known))}",
                            field="tools",
                        )
            found[definition.name] = definition
    return found
