"""What every tool is: an input schema, a permission category, `preview`, `revalidate`, `run`.

One tool per module. The agent knows tools only through this protocol; a tool never knows
about the agent loop, the UI or the permission engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from harness.permissions.types import Category
from harness.protocol.usage import Usage


class ToolInput(BaseModel):
    """Base of tool input models: unknown fields are an error the model can fix."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class FileFingerprint:
    """What the model last read of a file: enough to tell whether it changed since."""

    mtime_ns: int
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"mtime_ns": self.mtime_ns, "size": self.size, "sha256": self.sha256}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFingerprint:
        return cls(int(data["mtime_ns"]), int(data["size"]), str(data["sha256"]))


@dataclass
class ToolContext:
    """The world a tool acts on, rebuilt from the thread's log on resume."""

    project_root: Path
    thread_id: str = ""
    cwd: Path | None = None  # Bash's working directory, kept across calls
    file_reads: dict[str, FileFingerprint] = field(default_factory=dict)  # abs path → seen
    sandbox_enabled: bool = True
    sandbox_network: bool = False
    sandbox_writable: tuple[Path, ...] = ()
    sandbox_env_include: tuple[str, ...] = ()  # sandbox.env.include / exclude patterns
    sandbox_env_exclude: tuple[str, ...] = ()
    sandbox_protected: tuple[Path, ...] = ()  # hook scripts kept read-only in the sandbox
    sandbox_unix_sockets: bool = False  # sandbox.unix_sockets
    harness_home: Path | None = None
    snapshot: Any = None  # callable(path) -> awaitable: saves prior content for rewind
    answer: str | None = None  # AskUser: the person's answer, set by the agent loop
    # Task: async (agent_name, handoff: dict, call_id) -> ToolOutput, provided by the agent
    # layer (tools cannot import it); None where sub-agents are not available.
    subagent_runner: Any = None
    # Glob/Grep: (tool name) -> (absolute path -> why the search must leave it out, or None),
    # built by the agent from the permission rules; None hides likely secrets only.
    search_filter: Any = None

    @property
    def workdir(self) -> Path:
        return self.cwd or self.project_root


@dataclass(slots=True)
class ToolOutput:
    """A tool's result. `content` is what the model reads; `metadata` is for the log and UI
    (e.g. `diff`, `exit_code`, `todos`, `file_reads` {abs path: fingerprint json}, `cwd`)."""

    content: str
    is_error: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    # What running the tool cost in model calls (a sub-agent's turns): the caller's run adds
    # it to its own counters and budget; the tool never writes into them.
    usage: Usage | None = None
    cost_usd: float = 0.0


class ToolError(Exception):
    """A failure the model can act on: what failed, why, and what to try."""


class Tool(Protocol):
    name: ClassVar[str]
    description: ClassVar[str]

    # Read-only members: each tool narrows them (its own input model, one category).
    @property
    def Input(self) -> type[ToolInput]: ...  # the tool's input model class

    @property
    def category(self) -> Category: ...  # Bash's real category comes from the engine

    concurrent_safe: ClassVar[bool]  # read-only calls of one turn may run together

    def schema(self) -> dict[str, Any]:
        """The tool definition sent to the model: name, description, input_schema."""

    async def preview(self, input: Any, ctx: ToolContext) -> str:
        """What an approval shows: a unified diff, the command, the commits a push sends."""

    async def revalidate(self, input: Any, ctx: ToolContext) -> None:
        """Raise ToolError if the world changed so that running now would be wrong."""

    async def run(self, input: Any, ctx: ToolContext) -> ToolOutput: ...  # parse()'s value

    def parse(self, raw: dict[str, Any]) -> ToolInput:
        """Validate raw model input; a ToolError names each wrong field."""


InputT = TypeVar("InputT", bound=ToolInput)


class BaseTool(Generic[InputT]):
    """Shared defaults for tools: schema from the input model, no preview, no revalidation.
    Generic over the input model, so each tool's methods take its own input type."""

    name: ClassVar[str]
    description: ClassVar[str]
    Input: type[InputT]  # set by each tool's class body
    category: ClassVar[Category] = "read"
    concurrent_safe: ClassVar[bool] = False

    def schema(self) -> dict[str, Any]:
        schema = self.Input.model_json_schema()
        schema.pop("title", None)
        return {"name": self.name, "description": self.description, "input_schema": schema}

    async def preview(self, input: InputT, ctx: ToolContext) -> str:
        return ""

    async def revalidate(self, input: InputT, ctx: ToolContext) -> None:
        return None

    async def run(self, input: InputT, ctx: ToolContext) -> ToolOutput:  # pragma: no cover
        raise ToolError(f"{self.name} cannot run")

    def parse(self, raw: dict[str, Any]) -> InputT:
        """Validate raw model input; a ToolError names each wrong field."""
        from pydantic import ValidationError

        try:
            return self.Input.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()
            )
            raise ToolError(f"invalid input for {self.name}: {problems}") from None
