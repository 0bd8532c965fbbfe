"""Stand-ins for the modules an isolated run leaves out, built from their source, never run.

A left-out module's public interface (`facade`, `events`) is importable: its classes (DTOs,
events, exceptions) are rebuilt from their source when they need none of its private code,
and its functions raise ModuleNotLoaded unless a test gave a fake. Any other part of it
raises ModuleNotLoaded on import, naming the importer: that import is a mmkit.E003.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType
from typing import Any

from mmkit.testing import errors, fakes
from mmkit.testing.spec import ModuleInfo

# Submodules with stand-ins besides those the configuration makes public: a module's events
# are public by design, and a URLconf is served empty so the project's URLs still load.
ALWAYS_PUBLIC = ("events",)
URLS = "urls"
_MISSING = object()


class StandInFinder(MetaPathFinder):
    """First on sys.meta_path: answers every import inside a left-out module."""

    def __init__(
        self, left_out: Iterable[ModuleInfo], loaded: Iterable[str], run: errors.Run
    ) -> None:
        self.left_out = {info.name: info for info in left_out}
        self.loaded = frozenset(loaded)
        self.run = run
        self.builder = SourceBuilder(self)

    def owner(self, fullname: str) -> ModuleInfo | None:
        """The left-out module that owns `fullname`, unless a loaded module nested in it does."""
        parts = fullname.split(".")
        for end in range(len(parts), 0, -1):
            name = ".".join(parts[:end])
            if name in self.loaded:
                return None
            if name in self.left_out:
                return self.left_out[name]
        return None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        info = self.owner(fullname)
        if info is None:
            return None
        if fullname == info.name:
            spec = ModuleSpec(fullname, _PackageLoader(info), is_package=True)
            # Where the package is on disk, for tools that read its files (mmkit's own checks
            # build their import graph from them); every import inside it still comes here.
            spec.submodule_search_locations = [info.path]
            return spec
        relative = fullname[len(info.name) + 1 :]
        if relative in (*info.public, *ALWAYS_PUBLIC) and source_file(info, relative):
            return ModuleSpec(fullname, _InterfaceLoader(self, info, relative))
        if relative == URLS and source_file(info, relative):
            return ModuleSpec(fullname, _UrlsLoader(info))
        public = " or ".join(f"{info.name}.{name}" for name in info.public) or "nothing"
        message = errors.private_import(info.name, fullname, _importer(), public, self.run)
        raise errors.ModuleNotLoaded(message, info.name)


def install(left_out: Iterable[ModuleInfo], loaded: Iterable[str], run: errors.Run) -> None:
    """Put the stand-ins in front of every other importer for the rest of the process."""
    sys.meta_path.insert(0, StandInFinder(left_out, loaded, run))


def source_file(info: ModuleInfo, relative: str) -> Path | None:
    """The file of `relative` (dotted, inside the module), a module or a package's __init__."""
    base = Path(info.path).joinpath(*relative.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _importer() -> str | None:
    """The module whose code runs the import being answered: the first frame outside importlib."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name.startswith(("importlib", "_frozen_importlib")) or name == __name__):
            return name
        frame = frame.f_back
    return None


class _PackageLoader(Loader):
    """The left-out module's package itself: empty, so `import authors.facade` can proceed."""

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__doc__ = f"Stand-in for module '{self.info.name}', left out of this run."
        module.__mmkit_stand_in__ = True  # type: ignore[attr-defined]


class _UrlsLoader(Loader):
    """A left-out module's URLconf: no patterns, so an `include()` of it adds nothing."""

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.urlpatterns = []  # type: ignore[attr-defined]
        path = source_file(self.info, URLS)
        tree = ast.parse(path.read_bytes()) if path else ast.Module([], [])
        app_name = _literal_assignment(tree, "app_name")
        if isinstance(app_name, str):
            module.app_name = app_name  # type: ignore[attr-defined]
        module.__mmkit_stand_in__ = True  # type: ignore[attr-defined]


class _InterfaceLoader(Loader):
    """A left-out module's public interface, rebuilt from its source by a SourceBuilder."""

    def __init__(self, finder: StandInFinder, info: ModuleInfo, relative: str) -> None:
        self.finder = finder
        self.info = info
        self.relative = relative

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        dotted = f"{self.info.name}.{self.relative}"
        path = source_file(self.info, self.relative)
        assert path is not None
        tree = ast.parse(path.read_bytes(), str(path))
        self.finder.builder.trees.setdefault(dotted, tree)  # the builder reads it next
        names = _exported(tree)
        module.__doc__ = ast.get_docstring(tree)
        module.__all__ = list(names)  # type: ignore[attr-defined]
        module.__mmkit_stand_in__ = True  # type: ignore[attr-defined]
        unavailable = []
        for name in names:
            value = self.finder.builder.resolve(self.info, dotted, name)
            if value is _MISSING:
                unavailable.append(name)
            else:
                setattr(module, name, value)
        module.__getattr__ = _missing_names(  # type: ignore[attr-defined]
            self.info.name, dotted, frozenset(unavailable), self.finder.run
        )


def _missing_names(
    module: str, interface: str, unavailable: frozenset[str], run: errors.Run
) -> Callable[[str], Any]:
    """A module __getattr__: exported names that could not be rebuilt raise ModuleNotLoaded."""

    def __getattr__(name: str) -> Any:
        if name in unavailable:
            fake = fakes.active(interface, name)
            if fake is not None:
                return fake
            raise errors.ModuleNotLoaded(errors.missing_name(module, interface, name, run), module)
        raise AttributeError(f"module {interface!r} has no attribute {name!r}")

    return __getattr__


class SourceBuilder:
    """Rebuilds the names of a left-out module's files from their source, one object per name."""

    def __init__(self, finder: StandInFinder) -> None:
        self.finder = finder
        self.built: dict[tuple[str, str], Any] = {}
        self.trees: dict[str, ast.Module | None] = {}

    def resolve(self, info: ModuleInfo, dotted: str, name: str, depth: int = 0) -> Any:
        """The stand-in for `dotted.name`: a function, a rebuilt class, a literal, or _MISSING."""
        key = (dotted, name)
        if key not in self.built:
            self.built[key] = _MISSING  # a cycle of re-exports ends as missing
            self.built[key] = self._build(info, dotted, name, depth)
        return self.built[key]

    def _tree(self, info: ModuleInfo, dotted: str) -> ast.Module | None:
        if dotted not in self.trees:
            relative = dotted[len(info.name) + 1 :] if dotted != info.name else "__init__"
            path = source_file(info, relative)
            try:
                self.trees[dotted] = ast.parse(path.read_bytes()) if path else None
            except (OSError, SyntaxError, ValueError):
                self.trees[dotted] = None
        return self.trees[dotted]

    def _build(self, info: ModuleInfo, dotted: str, name: str, depth: int) -> Any:
        tree = self._tree(info, dotted)
        if tree is None or depth > 10:
            return _MISSING
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                return _stand_in_function(info.name, dotted, node, self.finder.run)
            if isinstance(node, ast.ClassDef) and node.name == name:
                return self._class(info, dotted, tree, node, depth)
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        source = _absolute(dotted, node, self._is_package(info, dotted))
                        return self._imported(info, source, alias.name, depth)
        value = _literal_assignment(tree, name)
        return _MISSING if value is None else value

    def _is_package(self, info: ModuleInfo, dotted: str) -> bool:
        if dotted == info.name:
            return True
        return (Path(info.path).joinpath(*dotted.split(".")[1:]) / "__init__.py").is_file()

    def _imported(self, info: ModuleInfo, source: str, name: str, depth: int) -> Any:
        """A re-exported name: rebuilt when it comes from the same left-out module."""
        if source == info.name or source.startswith(info.name + "."):
            return self.resolve(info, source, name, depth + 1)
        try:
            return getattr(importlib.import_module(source), name)
        except (ImportError, AttributeError):
            return _MISSING

    def _class(
        self, info: ModuleInfo, dotted: str, tree: ast.Module, node: ast.ClassDef, depth: int
    ) -> Any:
        """Execute the class statement alone, with the file's imports that need no private code.

        Names it uses that the file defines or imports from its own module are resolved the
        same way first; a class that cannot be built without private code is _MISSING.
        """
        if _imports_models(tree):
            return _MISSING
        # The class runs in a module object of its own name, registered only while it runs:
        # dataclasses look the module up in sys.modules, and nothing may import it after.
        home = ModuleType(dotted)
        namespace: dict[str, Any] = home.__dict__
        namespace["__builtins__"] = builtins
        for statement in tree.body:
            if isinstance(statement, ast.Import | ast.ImportFrom) and self._safe(info, statement):
                try:
                    exec(compile(ast.Module([statement], []), dotted, "exec"), namespace)
                except Exception:
                    continue
        for used in sorted(name for name in _names_used(node) if name not in namespace):
            value = self.resolve(info, dotted, used, depth + 1)
            if value is not _MISSING:
                namespace[used] = value
        previous = sys.modules.get(dotted)
        sys.modules[dotted] = home
        try:
            exec(compile(ast.Module([node], []), dotted, "exec"), namespace)
        except Exception:
            return _MISSING
        finally:
            if previous is None:
                sys.modules.pop(dotted, None)
            else:
                sys.modules[dotted] = previous
        return namespace[node.name]

    def _safe(self, info: ModuleInfo, statement: ast.Import | ast.ImportFrom) -> bool:
        """Imports of other packages and of public interfaces; never private project code."""
        if isinstance(statement, ast.ImportFrom):
            if statement.level or statement.module is None:
                return False
            targets = [statement.module]
        else:
            targets = [alias.name for alias in statement.names]
        return all(self._public_or_foreign(target) for target in targets)

    def _public_or_foreign(self, target: str) -> bool:
        owner = self.finder.owner(target)
        if owner is None:
            return True
        relative = target[len(owner.name) + 1 :]
        return relative in (*owner.public, *ALWAYS_PUBLIC)


def _stand_in_function(
    module: str, interface: str, node: ast.FunctionDef | ast.AsyncFunctionDef, run: errors.Run
) -> Callable[..., Any]:
    """A function that runs the test's fake, or raises ModuleNotLoaded naming both fixes."""
    name = node.name

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        fake = fakes.active(interface, name)
        if fake is not None:
            return fake(*args, **kwargs)
        raise errors.ModuleNotLoaded(errors.function_called(module, interface, name, run), module)

    stand_in.__name__ = stand_in.__qualname__ = name
    stand_in.__module__ = interface
    stand_in.__doc__ = ast.get_docstring(node)
    stand_in.__mmkit_stand_in__ = True  # type: ignore[attr-defined]
    return stand_in


def _exported(tree: ast.Module) -> tuple[str, ...]:
    """`__all__` when the file spells it out, else every public top-level name it binds."""
    listed = _literal_assignment(tree, "__all__")
    if isinstance(listed, list | tuple) and all(isinstance(n, str) for n in listed):
        return tuple(listed)
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.ImportFrom):
            names.extend(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
    return tuple(dict.fromkeys(n for n in names if not n.startswith("_") and n != "annotations"))


def _literal_assignment(tree: ast.Module, name: str) -> Any:
    """The value of `name = <literal>` at the top of the file, or None."""
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            try:
                return ast.literal_eval(node.value)  # type: ignore[union-attr, arg-type]
            except ValueError:
                return None
    return None


def _absolute(dotted: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module a `from ... import` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    parts = dotted.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _names_used(node: ast.ClassDef) -> set[str]:
    """The names a class statement reads when it runs: bases, decorators, keywords, the body's
    own statements and its methods' decorators and defaults, never what methods read later."""
    used: set[str] = set()
    pending: list[ast.AST] = [*node.bases, *node.keywords, *node.decorator_list, *node.body]
    while pending:
        child = pending.pop()
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            pending.extend(getattr(child, "decorator_list", []))
            pending.extend(child.args.defaults)
            pending.extend(d for d in child.args.kw_defaults if d is not None)
            continue
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            used.add(child.id)
        pending.extend(ast.iter_child_nodes(child))
    return {name for name in used if not hasattr(builtins, name)}


def _imports_models(tree: ast.Module) -> bool:
    """Whether a file imports Django's models: its classes are not rebuilt outside Django."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.startswith("django.db.models") or (
                module == "django.db" and any(alias.name == "models" for alias in node.names)
            ):
                return True
        if isinstance(node, ast.Import) and any(
            alias.name.startswith("django.db.models") for alias in node.names
        ):
            return True
    return False
