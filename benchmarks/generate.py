"""Generate a Django-shaped modular monolith with a known set of boundary violations.

    python benchmarks/generate.py OUT --modules N --files M --layout rooted|flat

The output is a pure function of the arguments (no randomness, no clock), so every tool in the
benchmark checks the same tree and every run of the benchmark measures the same work. OUT gets:

- N modules (`proj.m0001` … under one root package, or top-level `m0001` … with `--layout flat`)
  of exactly M Python files each: `__init__`, `apps` (AppConfig with a label), `models` (same-module
  relations, relations to the shared kernel and to the user model), `dto`, `use_cases`, `facade`
  (the public interface, with `__all__`), and `services/` files that call other modules' facades;
- a shared kernel module `common` (an abstract base model and a `Tag` model anyone may relate to);
- `pyproject.toml` with `[tool.mmkit]`, `.importlinter` (one `protected` contract per module) and
  `tach.toml` (every module's interface is its facade): the closest equivalent configurations;
- `expected.json`: every violation placed on purpose, with its rule, path and line.

Violations are placed per block of 50 modules (by the module's number modulo 50), so a multiple
of 50 modules has every rule; per block: 5 E001, 2 E002 (each also an E003: the parent model has
to be imported), 5 E003, 1 E004 (two facades importing each other), 2 E005, 1 W001, 2 W002.
Every other import between modules goes through a facade and points to a lower-numbered module,
so the deliberate cycles are the only ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

BLOCK = 50
LAYOUTS = ("rooted", "flat")
ROOT_PACKAGE = "proj"
SHARED = "common"
FIXED_FILES = 7
MIN_FILES = FIXED_FILES + 1
NEIGHBOURHOOD = 40
RULES = ("E001", "E002", "E003", "E004", "E005", "W001", "W002")

E001_SLOTS = (5, 15, 25, 38, 45)
E002_SLOTS = (8, 33)
E003_SLOTS = (3, 13, 23, 28, 43)
CYCLE_LOW_SLOTS = (20,)
CYCLE_HIGH_SLOTS = (21,)
E005_SLOTS = (11, 36)
W001_SLOTS = (49,)
W002_SLOTS = (17, 42)


@dataclass(frozen=True)
class Spec:
    """What to generate: the size and the layout of the project."""

    modules: int
    files: int
    layout: str

    def package(self, index: int) -> str:
        """The dotted package name of module number `index` (1-based)."""
        return self._dotted(label(index))

    @property
    def shared(self) -> str:
        return self._dotted(SHARED)

    def _dotted(self, name: str) -> str:
        return f"{ROOT_PACKAGE}.{name}" if self.layout == "rooted" else name

    @property
    def top_level_packages(self) -> tuple[str, ...]:
        """The packages directly under the project root: what an import graph is built of."""
        if self.layout == "rooted":
            return (ROOT_PACKAGE,)
        return (SHARED, *(label(i) for i in range(1, self.modules + 1)))


@dataclass(frozen=True)
class Site:
    """One violation placed on purpose: where a checker must report it."""

    rule: str
    module: str
    path: str | None = None
    line: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class IllegalImport:
    """An import of another module's private code, as import-linter and tach see it."""

    importer: str
    imported: str
    line: int


@dataclass
class Text:
    """A file being written line by line, so violations know their line numbers."""

    lines: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> int:
        """Append lines; return the 1-based number of the first of them."""
        first = len(self.lines) + 1
        self.lines.extend(lines)
        return first

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass
class Tree:
    """Everything generated: files by POSIX path, and what the checkers must find."""

    files: dict[str, str] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)
    illegal_imports: list[IllegalImport] = field(default_factory=list)
    cycles: list[tuple[str, str]] = field(default_factory=list)
    cycle_edges: list[Site] = field(default_factory=list)
    depends_on: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dependencies: dict[str, set[str]] = field(default_factory=dict)


def label(index: int) -> str:
    """The app label (and last package part) of module number `index`."""
    return f"m{index:04d}"


def slot(index: int) -> int:
    return index % BLOCK


def has_facade(index: int) -> bool:
    return slot(index) not in W001_SLOTS


def below(index: int, k: int) -> int | None:
    """The k-th module with a facade below `index` (0 is the nearest), wrapping around the
    nearest NEIGHBOURHOOD of them; None when no module below has a facade."""
    candidates = []
    for other in range(index - 1, 0, -1):
        if has_facade(other):
            candidates.append(other)
            if len(candidates) == NEIGHBOURHOOD:
                break
    return candidates[k % len(candidates)] if candidates else None


def path_of(dotted: str, filename: str = "__init__.py") -> str:
    return "/".join(dotted.split(".")) + "/" + filename


def generate(spec: Spec) -> Tree:
    """Render the whole project in memory (a pure function of `spec`)."""
    validate(spec)
    tree = Tree()
    if spec.layout == "rooted":
        tree.files[f"{ROOT_PACKAGE}/__init__.py"] = '"""The project package."""\n'
    _shared_module(spec, tree)
    for index in range(1, spec.modules + 1):
        _module(spec, index, tree)
    tree.files["pyproject.toml"] = _pyproject(spec, tree)
    tree.files[".importlinter"] = _importlinter(spec)
    tree.files["tach.toml"] = _tach(spec, tree)
    tree.files["expected.json"] = json.dumps(expected(spec, tree), indent=1) + "\n"
    return tree


def validate(spec: Spec) -> None:
    """Refuse sizes the layout cannot hold, with a message fit for the command line."""
    if spec.layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {spec.layout!r}")
    if not 1 <= spec.modules <= 9999:
        raise ValueError(f"--modules must be between 1 and 9999, not {spec.modules}")
    if spec.files < MIN_FILES:
        raise ValueError(f"--files must be at least {MIN_FILES} (the fixed files and a service)")


def _shared_module(spec: Spec, tree: Tree) -> None:
    package = spec.shared
    tree.files[path_of(package)] = (
        '"""The shared kernel: anyone may import it and relate to it."""\n'
    )
    tree.files[path_of(package, "apps.py")] = _apps(package, SHARED, "CommonConfig")
    tree.files[path_of(package, "models.py")] = "\n".join(
        [
            '"""Models every module may use: an abstract base and tags."""',
            "",
            "from django.db import models",
            "",
            "",
            "class Stamped(models.Model):",
            '    """Creation and update times, for every concrete model of the project."""',
            "",
            "    created = models.DateTimeField(auto_now_add=True)",
            "    updated = models.DateTimeField(auto_now=True)",
            "",
            "    class Meta:",
            "        abstract = True",
            "",
            "",
            "class Tag(models.Model):",
            "    name = models.CharField(max_length=50, unique=True)",
            "",
        ]
    )


def _apps(package: str, app_label: str, class_name: str) -> str:
    return "\n".join(
        [
            "from django.apps import AppConfig",
            "",
            "",
            f"class {class_name}(AppConfig):",
            f'    """The Django app of {app_label}."""',
            "",
            f'    name = "{package}"',
            f'    label = "{app_label}"',
            '    default_auto_field = "django.db.models.BigAutoField"',
            "",
        ]
    )


def _module(spec: Spec, index: int, tree: Tree) -> None:
    package = spec.package(index)
    name = label(index)
    tree.dependencies[package] = set()
    files = tree.files
    files[path_of(package)] = f'"""Module {name}: owns the {name} slice of the domain."""\n'
    files[path_of(package, "apps.py")] = _apps(package, name, f"M{index:04d}Config")
    files[path_of(package, "models.py")] = _models(spec, index, tree)
    files[path_of(package, "dto.py")] = _dto(name)
    files[path_of(package, "use_cases.py")] = _use_cases(spec, index, tree)
    services = spec.files - FIXED_FILES
    if has_facade(index):
        files[path_of(package, "facade.py")] = _facade(spec, index, tree)
    else:
        services += 1
        tree.sites.append(Site("W001", package, detail="no facade.py"))
    files[path_of(package, "services/__init__.py")] = f'"""Services of {name}."""\n'
    undeclared = _undeclared_dependency(index, services) if _is(index, E005_SLOTS) else None
    for number in range(1, services + 1):
        files[path_of(package, f"services/svc_{number:03d}.py")] = _service(
            spec, index, number, tree, undeclared if number == 1 else None
        )
    if _is(index, E005_SLOTS):
        unlisted = {spec.package(undeclared)} if undeclared is not None else set()
        tree.depends_on[package] = (*sorted(tree.dependencies[package] - unlisted), spec.shared)


def _is(index: int, slots: Iterable[int]) -> bool:
    return slot(index) in slots


def _site_number(index: int, slots: tuple[int, ...]) -> int:
    """A running number of this module among the modules with the same role."""
    return (index // BLOCK) * len(slots) + slots.index(slot(index))


def _models(spec: Spec, index: int, tree: Tree) -> str:
    package = spec.package(index)
    name = label(index)
    path = path_of(package, "models.py")
    text = Text()
    text.add(
        f'"""The models of {name}: private to the module; other modules\' data is kept by id."""',
        "",
        "from django.conf import settings",
        "from django.db import models",
        "",
        f"from {spec.shared}.models import Stamped",
    )
    parent = None
    if _is(index, E002_SLOTS):
        number = _site_number(index, E002_SLOTS)
        parent = below(index, 1 + number % 3)
        assert parent is not None
        parent_package = spec.package(parent)
        line = text.add(
            f"from {parent_package}.models import Entity as {label(parent).title()}Entity"
        )
        _illegal_import(tree, spec, index, path, f"{parent_package}.models", line, "models")
    text.add(
        "",
        "",
        "class Entity(Stamped):",
        "    name = models.CharField(max_length=100)",
        "    code = models.SlugField(max_length=40, unique=True)",
        "",
        "    def __str__(self) -> str:",
        "        return self.name",
        "",
        "",
        "class Line(Stamped):",
        '    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="lines")',
        '    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)',
        "    owner = models.ForeignKey(",
        '        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"',
        "    )",
        '    tags = models.ManyToManyField("common.Tag", blank=True, related_name="+")',
        "    quantity = models.PositiveIntegerField(default=1)",
        "",
        "",
        "class Note(models.Model):",
        '    line = models.OneToOneField("Line", on_delete=models.CASCADE)',
        f'    entity = models.ForeignKey("{name}.Entity", on_delete=models.CASCADE, '
        'related_name="notes")',
        "    text = models.TextField(blank=True)",
    )
    if _is(index, E001_SLOTS):
        number = _site_number(index, E001_SLOTS)
        target = below(index, 2 + number % 5)
        assert target is not None
        reference = f'"{label(target)}.Entity"'
        field_line = (
            f"models.ForeignKey({reference}, on_delete=models.PROTECT, related_name='+')",
            f"models.OneToOneField({reference}, on_delete=models.PROTECT, related_name='+')",
            f"models.ManyToManyField({reference}, blank=True, related_name='+')",
        )[number % 3]
        line = text.add(f"    counterpart = {field_line}")
        tree.sites.append(Site("E001", package, path, line, f"{label(target)}.Entity"))
    if parent is not None:
        number = _site_number(index, E002_SLOTS)
        line = text.add("", "", f"class Special({label(parent).title()}Entity):") + 2
        if number % 2:
            text.add("    class Meta:", "        proxy = True")
        else:
            text.add("    badge = models.CharField(max_length=20)")
        tree.sites.append(Site("E002", package, path, line, f"{label(parent)}.Entity"))
    return text.render()


def _dto(name: str) -> str:
    return "\n".join(
        [
            f'"""Data that crosses the boundary of {name}: frozen, no models."""',
            "",
            "from __future__ import annotations",
            "",
            "from dataclasses import dataclass",
            "",
            "",
            "@dataclass(frozen=True)",
            "class EntityDTO:",
            "    id: int",
            "    name: str",
            "    code: str",
            "",
            "",
            "@dataclass(frozen=True)",
            "class LineDTO:",
            "    id: int",
            "    entity_id: int",
            "    parent_id: int | None",
            "    quantity: int",
            "",
        ]
    )


def _use_cases(spec: Spec, index: int, tree: Tree) -> str:
    package = spec.package(index)
    path = path_of(package, "use_cases.py")
    private_import = _is(index, E003_SLOTS)
    number = _site_number(index, E003_SLOTS) if private_import else 0
    variant = number % 5
    target = below(index, number % 4) if private_import else None
    target_package = spec.package(target) if target is not None else ""
    text = Text()
    text.add(
        f'"""Business logic of {label(index)}: takes and returns DTOs; touches the models."""',
        "",
        "from __future__ import annotations",
        "",
    )
    if private_import and variant == 4:
        text.add("from typing import TYPE_CHECKING", "")
    text.add("from .dto import EntityDTO, LineDTO", "from .models import Entity, Line")
    if private_import and variant == 0:
        line = text.add(f"from {target_package}.models import Entity as OtherEntity")
        _illegal_import(tree, spec, index, path, f"{target_package}.models", line, "models")
    elif private_import and variant == 1:
        line = text.add(f"from {target_package} import use_cases as other_use_cases")
        _illegal_import(tree, spec, index, path, f"{target_package}.use_cases", line, "use_cases")
    elif private_import and variant == 3:
        line = text.add(f"import {target_package}.use_cases")
        _illegal_import(tree, spec, index, path, f"{target_package}.use_cases", line, "use_cases")
    elif private_import and variant == 4:
        text.add("", "if TYPE_CHECKING:")
        line = text.add(f"    from {target_package}.models import Line as OtherLine")
        _illegal_import(tree, spec, index, path, f"{target_package}.models", line, "models")
    text.add(
        "",
        "",
        "def _to_dto(entity: Entity) -> EntityDTO:",
        "    return EntityDTO(id=entity.pk, name=entity.name, code=entity.code)",
        "",
        "",
        "def get_entity(entity_id: int) -> EntityDTO:",
        '    """The entity with this id; LookupError when there is none."""',
        "    try:",
        "        entity = Entity.objects.get(pk=entity_id)",
        "    except Entity.DoesNotExist as error:",
        '        raise LookupError(f"no entity {entity_id}") from error',
        "    return _to_dto(entity)",
        "",
        "",
        "def load_entity(entity_id: int) -> Entity:",
        "    return Entity.objects.get(pk=entity_id)",
        "",
        "",
        "def list_entities() -> list[EntityDTO]:",
        '    return [_to_dto(entity) for entity in Entity.objects.order_by("name")]',
        "",
        "",
        "def entity_exists(entity_id: int) -> bool:",
        "    return Entity.objects.filter(pk=entity_id).exists()",
        "",
        "",
        "def lines_of(entity_id: int) -> list[LineDTO]:",
        "    return [",
        "        LineDTO(id=line.pk, entity_id=line.entity_id, parent_id=line.parent_id, "
        "quantity=line.quantity)",
        "        for line in Line.objects.filter(entity_id=entity_id)",
        "    ]",
    )
    if private_import and variant == 0:
        text.add("", "", "def other_count() -> int:", "    return OtherEntity.objects.count()")
    elif private_import and variant == 1:
        text.add("", "", "def other_names() -> list[str]:")
        text.add("    return [entity.name for entity in other_use_cases.list_entities()]")
    elif private_import and variant == 2:
        text.add("", "", "def other_code(entity_id: int) -> str:")
        line = text.add(f"    from {target_package}.dto import EntityDTO as OtherDTO")
        text.add('    return OtherDTO(id=entity_id, name="", code="").code')
        _illegal_import(tree, spec, index, path, f"{target_package}.dto", line, "dto")
    elif private_import and variant == 3:
        text.add("", "", "def other_exists(entity_id: int) -> bool:")
        text.add(f"    return {target_package}.use_cases.entity_exists(entity_id)")
    elif private_import and variant == 4:
        text.add("", "", "def count_lines(lines: list[OtherLine]) -> int:")
        text.add("    return len(lines)")
    return text.render()


def _facade(spec: Spec, index: int, tree: Tree) -> str:
    package = spec.package(index)
    path = path_of(package, "facade.py")
    exported = ["EntityDTO", "LineDTO", "entity_exists", "get_entity", "list_entities", "lines_of"]
    returns_model = _is(index, W002_SLOTS)
    number = _site_number(index, W002_SLOTS) if returns_model else 0
    if returns_model:
        exported.append("rename_entity" if number % 2 else "load_entity")
    if _is(index, CYCLE_LOW_SLOTS) and index + 1 <= spec.modules:
        exported.append("peer_exists")
    text = Text()
    text.add(
        f'"""The public interface of {label(index)}: the only code other modules may import."""',
        "",
        "from __future__ import annotations",
        "",
    )
    if _is(index, CYCLE_HIGH_SLOTS) and index > 1:
        low = spec.package(index - 1)
        line = text.add(f"from {low} import facade as {label(index - 1)}_facade", "")
        tree.dependencies[package].add(low)
        tree.cycles.append((low, package))
        tree.cycle_edges.append(Site("E004", package, path, line, f"{low}.facade"))
        exported.append("peer_entity")
    text.add("from . import use_cases", "from .dto import EntityDTO, LineDTO")
    if returns_model:
        text.add("from .models import Entity")
    text.add("", f"__all__ = {json.dumps(sorted(exported))}")
    text.add(
        "",
        "",
        "def get_entity(entity_id: int) -> EntityDTO:",
        '    """The entity with this id; LookupError when there is none."""',
        "    return use_cases.get_entity(entity_id)",
        "",
        "",
        "def list_entities() -> list[EntityDTO]:",
        "    return use_cases.list_entities()",
        "",
        "",
        "def entity_exists(entity_id: int) -> bool:",
        "    return use_cases.entity_exists(entity_id)",
        "",
        "",
        "def lines_of(entity_id: int) -> list[LineDTO]:",
        "    return use_cases.lines_of(entity_id)",
    )
    if returns_model:
        if number % 2:
            line = text.add("", "", "def rename_entity(entity: Entity, name: str) -> None:") + 2
            text.add("    entity.name = name", "    entity.save()")
            detail = "rename_entity takes Entity"
        else:
            line = text.add("", "", "def load_entity(entity_id: int) -> Entity:") + 2
            text.add("    return use_cases.load_entity(entity_id)")
            detail = "load_entity returns Entity"
        tree.sites.append(Site("W002", package, path, line, detail))
    if _is(index, CYCLE_LOW_SLOTS) and index + 1 <= spec.modules:
        high = spec.package(index + 1)
        text.add("", "", "def peer_exists(entity_id: int) -> bool:")
        line = text.add(f"    from {high}.facade import entity_exists as peer_entity_exists")
        text.add("    return peer_entity_exists(entity_id)")
        tree.dependencies[package].add(high)
        tree.cycle_edges.append(Site("E004", package, path, line, f"{high}.facade"))
    if _is(index, CYCLE_HIGH_SLOTS) and index > 1:
        text.add("", "", "def peer_entity(entity_id: int) -> EntityDTO:")
        text.add(f"    return {label(index - 1)}_facade.get_entity(entity_id)")
    return text.render()


def _service_targets(index: int, number: int) -> list[int]:
    """The modules whose facades service file `number` of module `index` calls: 0 to 2 of them,
    all lower-numbered, so these imports never close a cycle."""
    wanted = 0 if number % 5 == 0 else 1 + number % 2
    targets: list[int] = []
    for k in range(wanted):
        target = below(index, index * 31 + number * 17 + k * 7)
        if target is not None and target not in targets:
            targets.append(target)
    return targets


def _undeclared_dependency(index: int, services: int) -> int | None:
    """A lower module that a depends_on module imports without listing it: its E005."""
    used = {t for n in range(1, services + 1) for t in _service_targets(index, n)}
    for k in range(NEIGHBOURHOOD):
        candidate = below(index, k)
        if candidate is not None and candidate not in used:
            return candidate
    return None


def _service(spec: Spec, index: int, number: int, tree: Tree, undeclared: int | None) -> str:
    package = spec.package(index)
    path = path_of(package, f"services/svc_{number:03d}.py")
    targets = _service_targets(index, number)
    text = Text()
    text.add(
        f'"""Service {number:03d} of {label(index)}: its use cases and other modules\' facades."""',
        "",
        "from __future__ import annotations",
        "",
    )
    calls = []
    for position, target in enumerate(targets):
        other = spec.package(target)
        alias = f"{label(target)}_facade"
        if position == 0:
            text.add(f"from {other} import facade as {alias}")
            calls.append(f"{alias}.entity_exists(entity_id)")
        else:
            text.add(f"from {other}.facade import entity_exists as {alias}_exists")
            calls.append(f"{alias}_exists(entity_id)")
        tree.dependencies[package].add(other)
    if undeclared is not None:
        other = spec.package(undeclared)
        line = text.add(f"from {other}.facade import get_entity as {label(undeclared)}_get")
        calls.append(f"{label(undeclared)}_get(entity_id).id == entity_id")
        tree.dependencies[package].add(other)
        tree.sites.append(Site("E005", package, path, line, f"{other}.facade"))
    if targets or undeclared is not None:
        text.add("")
    text.add(
        "from ..dto import EntityDTO",
        "from ..use_cases import entity_exists, get_entity",
        "",
        "",
        f"def describe_{number:03d}(entity_id: int) -> str:",
        '    """A one-line description of the entity, for logs and admin screens."""',
        "    entity: EntityDTO = get_entity(entity_id)",
        '    return f"{entity.code}: {entity.name}"',
        "",
        "",
        f"def check_{number:03d}(entity_id: int) -> bool:",
        '    """Whether the entity and its counterparts in other modules exist."""',
        "    found = [entity_exists(entity_id)]",
        *(f"    found.append({call})" for call in calls),
        "    return all(found)",
        "",
        "",
        f"def totals_{number:03d}(ids: list[int]) -> dict[int, int]:",
        '    """How often each id occurs, for a report."""',
        "    result: dict[int, int] = {}",
        "    for entity_id in ids:",
        "        result[entity_id] = result.get(entity_id, 0) + 1",
        "    return result",
    )
    return text.render()


def _illegal_import(
    tree: Tree, spec: Spec, index: int, path: str, imported: str, line: int, what: str
) -> None:
    package = spec.package(index)
    tree.sites.append(Site("E003", package, path, line, imported))
    tree.illegal_imports.append(IllegalImport(_dotted_path(path), imported, line))
    tree.dependencies[package].add(imported.rsplit(".", 1)[0])


def _dotted_path(path: str) -> str:
    """The import name of a generated file (`proj/m0001/facade.py` -> `proj.m0001.facade`)."""
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _module_names(spec: Spec) -> list[str]:
    return [spec.package(i) for i in range(1, spec.modules + 1)]


def _toml_key(dotted: str) -> str:
    return f'"{dotted}"' if "." in dotted else dotted


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _pyproject(spec: Spec, tree: Tree) -> str:
    lines = [
        "[project]",
        f'name = "bench-{spec.layout}-{spec.modules}x{spec.files}"',
        'version = "0"',
        "",
        "[tool.mmkit]",
        'root = "."',
        f'shared = ["{spec.shared}"]',
    ]
    for module in _module_names(spec):
        lines += ["", f"[tool.mmkit.modules.{_toml_key(module)}]"]
        if module in tree.depends_on:
            lines.append(f"depends_on = {_toml_list(tree.depends_on[module])}")
    return "\n".join(lines) + "\n"


def private_submodules(spec: Spec, index: int) -> tuple[str, ...]:
    """Everything of a module but its facade and its package: what import-linter protects."""
    package = spec.package(index)
    return tuple(f"{package}.{part}" for part in ("apps", "dto", "models", "services", "use_cases"))


def _importlinter(spec: Spec) -> str:
    lines = ["[importlinter]", "root_packages =", *(f"    {p}" for p in spec.top_level_packages)]
    for index in range(1, spec.modules + 1):
        package = spec.package(index)
        lines += [
            "",
            f"[importlinter:contract:{label(index)}]",
            f"name = Only {label(index)} imports its private code",
            "type = protected",
            "protected_modules =",
            *(f"    {module}" for module in private_submodules(spec, index)),
            "allowed_importers =",
            f"    {package}",
        ]
    return "\n".join(lines) + "\n"


def _tach(spec: Spec, tree: Tree) -> str:
    """tach's forbid_circular_dependencies judges the declared depends_on before any import and
    stops there, so each cycle's upward edge is left undeclared: tach reports it as a dependency
    error, after checking every import like the other tools."""
    upward = {low: high for low, high in tree.cycles}
    lines = [
        'source_roots = ["."]',
        'exclude = ["**/__pycache__", ".mmkit_cache"]',
        "ignore_type_checking_imports = false",
        "respect_gitignore = false",
        "",
        "[[modules]]",
        f'path = "{spec.shared}"',
        "utility = true",
        "depends_on = []",
    ]
    for module in _module_names(spec):
        declared = tree.depends_on.get(module)
        if declared is None:
            declared = tuple(sorted(tree.dependencies[module] - {upward.get(module)}))
        else:
            declared = tuple(d for d in declared if d != spec.shared)
        lines += ["", "[[modules]]", f'path = "{module}"', f"depends_on = {_toml_list(declared)}"]
    lines += [
        "",
        "[[interfaces]]",
        'expose = ["facade.*"]',
        "from = [",
        *(f'    "{module}",' for module in _module_names(spec)),
        "]",
    ]
    return "\n".join(lines) + "\n"


def expected(spec: Spec, tree: Tree) -> dict[str, object]:
    """What every checker must find, and which file the benchmark edits for a warm run."""
    counts = {f"mmkit.{rule}": 0 for rule in RULES}
    for site in tree.sites:
        counts[f"mmkit.{site.rule}"] += 1
    counts["mmkit.E004"] = len(tree.cycles)
    edges = {edge.module: edge for edge in tree.cycle_edges}
    middle = spec.package(max(1, spec.modules // 2))
    services = spec.files - FIXED_FILES + (0 if has_facade(max(1, spec.modules // 2)) else 1)
    return {
        "spec": {"modules": spec.modules, "files": spec.files, "layout": spec.layout},
        "python_files": sum(1 for path in tree.files if path.endswith(".py")),
        "top_level_packages": list(spec.top_level_packages),
        "modules": _module_names(spec),
        "shared": [spec.shared],
        "counts": counts,
        "findings": [
            {"rule": f"mmkit.{s.rule}", "module": s.module, "path": s.path, "line": s.line}
            | {"detail": s.detail}
            for s in sorted(
                tree.sites, key=lambda s: (s.rule, s.path or s.module, s.line or 0, s.detail)
            )
        ],
        "cycles": [
            {
                "modules": list(cycle),
                "edges": [
                    {"path": edges[m].path, "line": edges[m].line, "imported": edges[m].detail}
                    for m in cycle
                ],
            }
            for cycle in tree.cycles
        ],
        "illegal_imports": [
            [i.importer, i.imported, i.line]
            for i in sorted(tree.illegal_imports, key=lambda i: (i.importer, i.line))
        ],
        "tach": {
            "interface_errors": len(tree.illegal_imports),
            "dependency_errors": counts["mmkit.E005"] + len(tree.cycles),
        },
        "change_file": path_of(middle, f"services/svc_{services:03d}.py"),
    }


def write(tree: Tree, out: Path) -> None:
    """Write the tree into `out`, which must be missing or empty."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty directory")
    directories = {str(Path(path).parent) for path in tree.files}
    for directory in sorted(directories):
        (out / directory).mkdir(parents=True, exist_ok=True)
    for path, content in tree.files.items():
        (out / path).write_text(content, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to create (must be missing or empty)")
    parser.add_argument("--modules", type=int, required=True, help="number of modules (N)")
    parser.add_argument("--files", type=int, required=True, help="Python files per module (M)")
    parser.add_argument("--layout", choices=LAYOUTS, default="rooted", help="package layout")
    args = parser.parse_args(argv)
    spec = Spec(args.modules, args.files, args.layout)
    try:
        tree = generate(spec)
        write(tree, args.out)
    except (ValueError, OSError) as error:
        print(f"generate.py: error: {error}", file=sys.stderr)
        return 2
    counts = json.loads(tree.files["expected.json"])["counts"]
    summary = ", ".join(f"{rule.removeprefix('mmkit.')}={n}" for rule, n in counts.items())
    print(f"wrote {len(tree.files)} files to {args.out} ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
