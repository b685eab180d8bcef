"""How far a "this session" / "always" grant may reach: the number of words that name a
command's subcommand (`git commit`, `npm run dev`, `docker compose up`), kept as data and
reviewed like code. The idea and many rows follow OpenCode's `BashArity` table.

A grant is `Bash(<those words>:*)`. The longest matching row wins. No row, fewer words than
the row asks for, an option before the subcommand, or a program that can run other programs
through its options: the grant is the exact command, nothing wider."""

from __future__ import annotations

import re

# prefix → how many words name the command. Rows only where the count differs from what a
# shorter prefix implies. Arity 1: the program has no subcommands worth telling apart.
ARITY: dict[str, int] = {
    # version control
    "git": 2, "git config": 3, "git remote": 3, "git stash": 3, "git submodule": 3,
    "git worktree": 3, "git bisect": 3, "git lfs": 3, "gh": 3, "glab": 3, "hg": 2, "svn": 2,
    # JavaScript
    "npm": 2, "npm run": 3, "npm run-script": 3, "npm init": 3, "npm view": 3,
    "pnpm": 2, "pnpm run": 3, "yarn": 2, "yarn run": 3, "yarn workspace": 4,
    "bun": 2, "bun run": 3, "npx": 2, "nx": 2, "turbo": 2, "turbo run": 3,
    "ng": 2, "vite": 2, "next": 2, "tsc": 1, "eslint": 1, "prettier": 1, "jest": 1,
    "vitest": 2, "playwright": 2,
    # Python
    "pytest": 1, "tox": 1, "nox": 1, "mypy": 1, "black": 1, "isort": 1, "ruff": 2,
    "pip": 2, "pip3": 2, "uv": 2, "uv pip": 3, "poetry": 2, "pipenv": 2, "hatch": 2,
    "pdm": 2, "conda": 2, "pre-commit": 2, "django-admin": 2,
    # Rust, Go, JVM, .NET, Ruby, PHP, Elixir, Swift, C
    "cargo": 2, "rustup": 2, "go": 2, "go mod": 3, "gradle": 2,
    "./gradlew": 2, "mvn": 2, "./mvnw": 2, "sbt": 2, "dotnet": 2, "bundle": 2,
    "bundle exec": 3, "rake": 2, "rails": 2, "composer": 2, "mix": 2, "swift": 2,
    "make": 2, "cmake": 2, "ninja": 2, "bazel": 2, "meson": 2,
    # containers, clusters, clouds, infrastructure
    "docker": 2, "docker compose": 3, "docker container": 3, "docker image": 3,
    "docker network": 3, "docker volume": 3, "docker buildx": 3, "docker-compose": 2,
    "podman": 2, "kubectl": 2, "kubectl rollout": 3, "kubectl config": 3, "helm": 2,
    "kind": 2, "minikube": 2, "terraform": 2, "terraform workspace": 3, "tofu": 2,
    "pulumi": 2, "aws": 3, "gcloud": 3, "az": 3, "flyctl": 2, "vercel": 2, "heroku": 2,
    "firebase": 2, "systemctl": 2, "brew": 2, "apt": 2, "apt-get": 2,
    # plain file and text utilities with no option that runs a program
    "touch": 1, "mkdir": 1, "echo": 1, "printf": 1, "cat": 1, "ls": 1, "head": 1, "tail": 1,
    "wc": 1, "grep": 1, "egrep": 1, "fgrep": 1, "diff": 1, "cmp": 1, "which": 1, "pwd": 1,
    "cd": 1, "true": 1, "false": 1, "sleep": 1, "basename": 1, "dirname": 1, "realpath": 1,
    "readlink": 1, "file": 1, "stat": 1, "du": 1, "df": 1, "tree": 1, "jq": 1, "cut": 1,
    "tr": 1, "nl": 1, "column": 1, "comm": 1, "paste": 1, "rev": 1, "tac": 1, "seq": 1,
    "uniq": 1, "id": 1, "whoami": 1, "uname": 1,
}

# Programs that run other programs, or have options that execute or write anywhere
# (`sort --compress-program`, `awk system()`, `sed e`, `tar --to-command`, `find -exec`,
# `xargs`, `env`, shells, interpreters, privilege and process wrappers): no prefix of
# theirs is ever granted; the exact command is.
EXACT_ONLY: frozenset[str] = frozenset({
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "csh", "tcsh", "eval", "exec",
    "source", ".", "command", "builtin", "env", "xargs", "find", "sort", "awk", "gawk",
    "mawk", "nawk", "sed", "gsed", "tar", "gtar", "bsdtar", "rg", "fd", "fdfind", "parallel",
    "sudo", "doas", "su", "runuser", "pkexec", "chroot", "unshare", "nsenter", "setsid",
    "timeout", "nice", "nohup", "ionice", "stdbuf", "time", "watch", "strace", "ltrace",
    "flock", "script", "expect", "python", "python2", "python3", "node", "nodejs", "perl",
    "ruby", "php", "lua", "luajit", "Rscript", "deno", "tclsh", "wish", "osascript",
    "rm", "rmdir", "dd", "mv", "cp", "ln", "install", "chmod", "chown", "chgrp", "truncate",
    "shred", "curl", "wget", "ssh", "scp", "sftp", "rsync", "nc", "ncat", "socat", "telnet",
    "kill", "pkill", "killall", "git-shell", "vim", "vi", "nvim", "emacs", "less", "more",
    "man", "uvx", "bunx", "pnpx", "pipx",
})
# Subcommands that run whatever command follows them: granted exactly, never as a prefix.
EXACT_ONLY_SUBCOMMANDS: frozenset[str] = frozenset({
    "git submodule foreach", "git bisect run", "git filter-branch", "git rebase",
    "npm exec", "npm x", "pnpm exec", "pnpm dlx", "yarn dlx", "yarn exec", "bun x",
    "uv run", "uv tool", "poetry run", "pipenv run", "hatch run", "pdm run", "conda run",
    "docker run", "docker exec", "docker compose run", "docker compose exec",
    "docker container run", "docker container exec", "podman run", "podman exec",
    "kubectl exec", "kubectl run", "kubectl debug", "go run", "dotnet exec",
    "bundle exec rake", "cargo install", "aws ssm start-session",
})
_PLAIN_WORD = re.compile(r"[A-Za-z0-9][\w.:@+-]*")


def grant_prefix(words: list[str]) -> list[str] | None:
    """The words a `:*` grant for this command may fix, or None when only the exact command
    may be granted (see the module docstring)."""
    if not words or words[0] in EXACT_ONLY or "=" in words[0]:
        return None
    first = words[0]
    if "/" in first and first not in ARITY:
        return None  # `./build.sh`, `/usr/bin/x`: a path names whatever file is there now
    arity = None
    for n in range(len(words), 0, -1):
        key = " ".join(words[:n])
        if key in ARITY:
            arity = ARITY[key]
            break
    if arity is None or len(words) < arity:
        return None
    prefix = words[:arity]
    if not all(_PLAIN_WORD.fullmatch(w) for w in prefix[1:]):
        return None  # an option or a quoted word where the subcommand should be
    for n in range(len(words), 0, -1):
        if " ".join(words[:n]) in EXACT_ONLY_SUBCOMMANDS:
            return None
    return prefix
