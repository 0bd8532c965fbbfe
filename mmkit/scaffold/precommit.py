"""The mmkit hook in a project's .pre-commit-config.yaml: a `repo: local` hook that runs the
`mmkit check` installed in the project's environment, appended as text so the file keeps
its comments and layout (no YAML library needed, nothing rewritten)."""

from __future__ import annotations

from mmkit.scaffold.register import CannotEdit

PRE_COMMIT = ".pre-commit-config.yaml"


def has_mmkit_hook(text: str) -> bool:
    """Whether the file already lists a hook with id mmkit."""
    return any(
        line.split("#")[0].strip() in ("- id: mmkit", "id: mmkit") for line in text.splitlines()
    )


def pre_commit_hook(indent: str) -> str:
    """The hook, one list item of `repos:` indented by `indent`."""
    return "".join(
        f"{indent}{line}\n"
        for line in (
            "- repo: local",
            "  hooks:",
            "    - id: mmkit",
            "      name: mmkit check",
            "      entry: mmkit check",
            "      language: system",
            "      types: [python]",
            "      pass_filenames: false",
        )
    )


def add_pre_commit_hook(text: str) -> str:
    """The YAML text with the hook appended to its top-level `repos:` list."""
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if line.split("#")[0].rstrip() == "repos:"), None
    )
    if start is None:
        raise CannotEdit("no top-level `repos:` list")
    end = start + 1
    last = start
    indent = None
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            if not line[0].isspace() and not line.startswith("- "):
                break
            if indent is None and stripped.startswith("- "):
                indent = line[: len(line) - len(line.lstrip())]
            last = end
        end += 1
    if indent is None:
        raise CannotEdit("`repos:` has no entries to line the hook up with")
    newline = "\r\n" if "\r\n" in text else "\n"
    if not lines[last].endswith("\n"):
        lines[last] += newline
    hook = pre_commit_hook(indent).replace("\n", newline)
    return "".join([*lines[: last + 1], hook, *lines[last + 1 :]])
