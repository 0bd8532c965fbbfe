"""What replaces `on_delete` across a module boundary: the owning module handles the target's
`<Model>Deleted` event (mmkit.events), and the target publishes it from its delete use case.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from mmkit.decouple.edits import Workspace
from mmkit.decouple.errors import DecoupleError
from mmkit.decouple.imports import add_imports

HANDLED = ("CASCADE", "SET_NULL", "DO_NOTHING")


@dataclass(frozen=True)
class Cleanup:
    """What one module must do to its rows when a row of the target is deleted."""

    module_path: Path
    module_name: str
    model: str
    plural: str
    id_field: str
    action: str


@dataclass(frozen=True)
class Target:
    """The target module and model: where its event lives and where it deletes its rows."""

    module_path: Path
    module_name: str
    model: str
    key_type: str

    @property
    def snake(self) -> str:
        return snake_case(self.model)

    @property
    def event(self) -> str:
        return f"{self.model}Deleted"

    @property
    def event_field(self) -> str:
        return f"{self.snake}_id"


def snake_case(name: str) -> str:
    """`BlogPost` -> `blog_post`, as Django users name ids."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def article(word: str) -> str:
    """ "an author", "a book": for the sentences mmkit writes into code and notes."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def refuse_unsupported(name: str, action: str | None) -> None:
    """PROTECT and RESTRICT need the other module's answer before deleting: they cannot cross
    a boundary without coupling the modules, so the user chooses first."""
    if action in HANDLED:
        return
    if action in ("PROTECT", "RESTRICT"):
        raise DecoupleError(
            f"{name} has on_delete={action}, which cannot cross a module boundary without "
            "coupling the modules; nothing was changed. Options: (1) make it CASCADE, SET_NULL "
            "or DO_NOTHING (a handler of the deletion event then does the same) and run again; "
            "(2) let the target module ask this module's facade before it deletes (it then "
            "depends on this module); (3) keep the relation: suppress or baseline the E001"
        )
    raise DecoupleError(
        f"{name} has on_delete={action}: mmkit decouple turns CASCADE, SET_NULL and "
        "DO_NOTHING into a handler; change it to one of those first"
    )


def plan_handlers(
    work: Workspace,
    target: Target,
    cleanups: list[Cleanup],
    first_party: set[str],
    width: int,
) -> list[str]:
    """Handlers in the owning modules, the event in the target; returns notes for the user."""
    notes: list[str] = []
    needed = [c for c in cleanups if c.action in ("CASCADE", "SET_NULL")]
    if not needed:
        return notes
    notes.extend(_ensure_event(work, target, first_party))
    for cleanup in needed:
        notes.extend(_add_handler(work, target, cleanup, first_party, width))
    return notes


def handler_name(target: Target, cleanup: Cleanup) -> str:
    plural = snake_case(re.sub(r"\W+", "_", cleanup.plural.title()).replace("_", ""))
    if cleanup.action == "CASCADE":
        return f"delete_{plural}_of_deleted_{target.snake}"
    return f"forget_deleted_{target.snake}_of_{plural}"


def handler_source(target: Target, cleanup: Cleanup, width: int) -> str:
    """The handler function: the rows that kept the deleted id are deleted or unset, written
    as `ruff format` writes it at the project's line length."""
    lookup = f"{cleanup.id_field}=event.{target.event_field}"
    query = f"{cleanup.model}.objects.filter({lookup})"
    if cleanup.action == "CASCADE":
        doc = f"Delete the {cleanup.plural} of a deleted {target.snake}, as on_delete=CASCADE did."
        action = "delete()"
    else:
        doc = f"Unset the deleted {target.snake}'s id, as on_delete=SET_NULL did."
        action = f"update({cleanup.id_field}=None)"
    if len(doc) + 10 > width:
        doc = f"What on_delete={cleanup.action} did, now that the relation is an id."
    name = handler_name(target, cleanup)
    signature = f"def {name}(event: {target.event}) -> None:"
    if len(signature) > width:
        signature = f"def {name}(\n    event: {target.event},\n) -> None:"
    body = [f"    {query}.{action}"]
    if len(body[0]) > width:
        assignment = f"    rows = {query}"
        if len(assignment) > width:
            assignment = f"    rows = {cleanup.model}.objects.filter(\n        {lookup}\n    )"
        body = [assignment, f"    rows.{action}"]
    lines = [f"@handles({target.event})", signature, f'    """{doc}"""', *body]
    return "\n".join(lines) + "\n"


def _add_handler(
    work: Workspace, target: Target, cleanup: Cleanup, first_party: set[str], width: int
) -> list[str]:
    path = cleanup.module_path / "handlers.py"
    source = work.read(path)
    event_module = f"{target.module_name}.events"
    if source is not None and _handles(source, target.event):
        return [
            f"{_rel(path)} already handles {target.event}: check that it does what "
            f"on_delete={cleanup.action} did for {cleanup.model}"
        ]
    if source is None:
        source = (
            f'"""What module {cleanup.module_name} does when other modules\' events arrive '
            '(private)."""\n\nfrom __future__ import annotations\n'
        )
    source = add_imports(
        source,
        [("mmkit.events", "handles"), (event_module, target.event), (".models", cleanup.model)],
        first_party,
    )
    source = source.rstrip("\n") + "\n\n\n" + handler_source(target, cleanup, width)
    work.write(path, source, f"handler of {target.event} (was on_delete={cleanup.action})")
    return []


def _handles(source: str, event: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and any(
                    isinstance(a, ast.Name) and a.id == event for a in decorator.args
                ):
                    return True
    return False


def _ensure_event(work: Workspace, target: Target, first_party: set[str]) -> list[str]:
    """The event class in the target's events.py, and its publication in the delete use case."""
    events = target.module_path / "events.py"
    source = work.read(events)
    if source is None or not _defines(source, target.event):
        work.write(events, _with_event(source, target), f"event {target.event}")
    return _publish(work, target, first_party)


def _defines(source: str, name: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.ClassDef) and n.name == name for n in tree.body)


def _with_event(source: str | None, target: Target) -> str:
    key = "UUID" if target.key_type == "UUIDField" else "int"
    if target.key_type == "CharField":
        key = "str"
    cls = (
        f"@dataclass(frozen=True)\nclass {target.event}:\n"
        f'    """{article(target.snake).title()} {target.snake} was deleted; modules that keep its '
        'id clean up after it."""\n\n'
        f"    {target.event_field}: {key}\n"
    )
    if source is None:
        source = (
            f'"""The events of module {target.module_name}: what other modules may react to."""\n\n'
            "from __future__ import annotations\n\n"
            f'__all__ = ["{target.event}"]\n'
        )
    else:
        source = _export(source, target.event)
    wanted = [("dataclasses", "dataclass")] + ([("uuid", "UUID")] if key == "UUID" else [])
    source = add_imports(source, wanted, set())
    return source.rstrip("\n") + "\n\n\n" + cls


def _export(source: str, name: str) -> str:
    """Add the name to a literal one-line `__all__`, sorted as ruff's RUF022 wants."""
    match = re.search(r"^__all__ = \[(.*)\]$", source, re.MULTILINE)
    if match is None:
        return source
    names = [n.strip().strip("\"'") for n in match.group(1).split(",") if n.strip()]
    listed = ", ".join(f'"{n}"' for n in sorted({*names, name}))
    return source[: match.start()] + f"__all__ = [{listed}]" + source[match.end() :]


def _publish(work: Workspace, target: Target, first_party: set[str]) -> list[str]:
    """Publish the event from the delete use case when it has the shape new-module writes."""
    path = target.module_path / "use_cases.py"
    source = work.read(path)
    publish = f"publish({target.event}({target.event_field}={target.event_field}))"
    advice = (
        f"module {target.module_name} must publish {target.event}: add "
        f"`{publish}` (from mmkit.events import publish) where it deletes "
        f"{article(target.snake)} {target.snake}, "
        "in the same transaction"
    )
    if source is None:
        return [advice]
    if f"publish({target.event}(" in source:
        return []
    rewritten = _publish_in_use_case(source, target, publish)
    if rewritten is None:
        return [advice]
    rewritten = add_imports(
        rewritten,
        [("django.db", "transaction"), ("mmkit.events", "publish"), (".events", target.event)],
        first_party,
    )
    work.write(path, rewritten, f"delete_{target.snake} publishes {target.event}")
    return []


def _publish_in_use_case(source: str, target: Target, publish: str) -> str | None:
    """`delete_<model>` as `mmkit new-module` writes it, its body in one transaction that also
    publishes the event; None for any other shape."""
    tree = ast.parse(source)
    function = next(
        (
            n
            for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name == f"delete_{target.snake}"
        ),
        None,
    )
    if function is None or [a.arg for a in function.args.args] != [target.event_field]:
        return None
    body = function.body
    start = 1 if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else 0
    statements = body[start:]
    if not statements or ".delete()" not in ast.unparse(function):
        return None
    if any(isinstance(s, ast.With | ast.Return) for s in statements):
        return None
    lines = source.splitlines(keepends=True)
    first, last = statements[0].lineno - 1, (statements[-1].end_lineno or 0)
    indented = ["    " + line if line.strip() else line for line in lines[first:last]]
    block = ["    with transaction.atomic():\n", *indented, f"        {publish}\n"]
    return "".join(lines[:first] + block + lines[last:])


def _rel(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"
