"""Read INSTALLED_APPS from the project's settings with `ast`, never importing them.

Discovery trusts what Django installs over what lies on disk, but only when the settings spell
INSTALLED_APPS out plainly: anything computed at run time makes the value unknown (None), and
discovery falls back to the folders. A settings module that is missing, or a settings file under
root that cannot be read or parsed, is a SettingsError: never a silent fallback.
"""

from __future__ import annotations

import ast
from pathlib import Path

from mmkit.config import SettingsError
from mmkit.files import read_regular

Value = list[str] | tuple[str, ...] | None
"""A list or tuple of strings as the settings build it; None when it cannot be known."""

Env = dict[str, Value]
Loaded = dict[str, Env]
SETTING = "INSTALLED_APPS"


def installed_apps(root: Path, settings: str) -> tuple[str, ...] | None:
    """The INSTALLED_APPS the settings module `settings` under root sets; None when computed.

    SettingsError when `settings` names no module under root or one of its files is unreadable.
    """
    if settings_file(root, settings) is None:
        parts = settings.split(".")
        raise SettingsError(
            f"there is no module {settings!r} under {root} (no {'/'.join(parts)}.py "
            f"or {'/'.join(parts)}/__init__.py)"
        )
    env = _load(root, settings, {})
    value = env.get(SETTING) if env is not None else None
    return tuple(value) if value is not None else None


def settings_file(root: Path, dotted: str) -> Path | None:
    """The file of the Python module `dotted` under root: `a/b.py` or `a/b/__init__.py`."""
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    for candidate in (
        root.joinpath(*parts).with_suffix(".py"),
        root.joinpath(*parts, "__init__.py"),
    ):
        if candidate.is_file():
            return candidate
    return None


def app_package(root: Path, entry: str) -> str | None:
    """The package under root an INSTALLED_APPS entry names (`shop.billing`, or the package of
    an AppConfig path `shop.apps.ShopConfig`); None for apps from elsewhere."""
    parts = entry.split(".")
    for end in range(len(parts), 0, -1):
        folder = root.joinpath(*parts[:end])
        if not folder.is_dir():
            continue
        rest = parts[end:]
        if (
            not rest
            or (len(rest) == 1 and (folder / "__init__.py").is_file())
            or (len(rest) == 2 and (folder / f"{rest[0]}.py").is_file())
        ):
            return ".".join(parts[:end])
        return None
    return None


def _load(root: Path, dotted: str, loaded: Loaded) -> Env | None:
    """The names a settings file under root binds, run once like Python's import: an import
    cycle sees the partial names; None for a module from elsewhere (not under root)."""
    if dotted in loaded:
        return loaded[dotted]
    path = settings_file(root, dotted)
    if path is None:
        return None
    try:
        tree = ast.parse(read_regular(path), filename=str(path))
    except OSError as error:
        raise SettingsError(f"cannot read {path}: {error.strerror or error}") from None
    except SyntaxError as error:
        raise SettingsError(f"cannot parse {path}:{error.lineno}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise SettingsError(f"cannot parse {path}: {type(error).__name__} {error}") from None
    env: Env = {}
    loaded[dotted] = env
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    for statement in tree.body:
        _statement(root, package, statement, env, loaded)
    return env


def _statement(root: Path, package: str, node: ast.stmt, env: Env, loaded: Loaded) -> None:
    """The effect of one module-level statement on the names that hold lists of strings."""
    if isinstance(node, ast.ImportFrom):
        _import_from(root, package, node, env, loaded)
    elif isinstance(node, ast.Import):
        for alias in node.names:
            env[alias.asname or alias.name.split(".")[0]] = None
    elif isinstance(node, ast.Assign):
        value = _value(node.value, env)
        for target in node.targets:
            if isinstance(target, ast.Name):
                env[target.id] = value
            else:
                _forget(target, env)
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        env[node.target.id] = _value(node.value, env) if node.value is not None else None
    elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        env[node.target.id] = _add_in_place(node, env)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        env[node.name] = None
    elif not (isinstance(node, ast.Expr) and _method_call(node.value, env)):
        _forget(node, env)


def _import_from(root: Path, package: str, node: ast.ImportFrom, env: Env, loaded: Loaded) -> None:
    """`from .base import *` runs a settings file under root into the same names; an import
    from elsewhere may bind anything it names (or, with `*`, anything at all)."""
    source = absolute_import(package, node)
    imported = _load(root, source, loaded) if source is not None else None
    if any(alias.name == "*" for alias in node.names):
        if imported is None:
            _forget_all(env)
        else:
            env.update({k: v for k, v in imported.items() if not k.startswith("_")})
        return
    for alias in node.names:
        env[alias.asname or alias.name] = imported.get(alias.name) if imported else None


def absolute_import(package: str, node: ast.ImportFrom) -> str | None:
    """The dotted module an ImportFrom reads, relative imports resolved against `package`."""
    if node.level == 0:
        return node.module
    parts = package.split(".") if package else []
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    dotted = ".".join([*base, *([node.module] if node.module else [])])
    return dotted or None


def _value(node: ast.expr, env: dict[str, Value]) -> Value:
    """A list or tuple of strings built from literals, known names, `+` and `*unpacking`."""
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _value(node.left, env), _value(node.right, env)
        if isinstance(left, list) and isinstance(right, list):
            return left + right
        if isinstance(left, tuple) and isinstance(right, tuple):
            return left + right
        return None
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    items: list[str] = []
    for element in node.elts:
        if isinstance(element, ast.Constant) and isinstance(element.value, str):
            items.append(element.value)
        elif isinstance(element, ast.Starred):
            spread = _value(element.value, env)
            if spread is None:
                return None
            items.extend(spread)
        else:
            return None
    return items if isinstance(node, ast.List) else tuple(items)


def _add_in_place(node: ast.AugAssign, env: dict[str, Value]) -> Value:
    """`NAME += value`: a list grows in place (every alias sees it), a tuple is rebound."""
    assert isinstance(node.target, ast.Name)
    current, value = env.get(node.target.id), _value(node.value, env)
    if not isinstance(node.op, ast.Add) or current is None or value is None:
        return None
    if isinstance(current, list):
        current.extend(value)
        return current
    return current + value if isinstance(value, tuple) else None


def _method_call(node: ast.expr, env: dict[str, Value]) -> bool:
    """Apply `NAME.append("x")`, `.extend([...])` or `.insert(i, "x")` to a known list;
    False when the expression is anything else."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and not node.keywords
    ):
        return False
    name, method, args = node.func.value.id, node.func.attr, node.args
    current = env.get(name)
    if not isinstance(current, list):
        return False
    if method == "append" and len(args) == 1:
        text = literal_string(args[0])
        if text is None:
            return False
        current.append(text)
    elif method == "extend" and len(args) == 1:
        more = _value(args[0], env)
        if more is None:
            return False
        current.extend(more)
    elif method == "insert" and len(args) == 2:
        index, text = _index(args[0]), literal_string(args[1])
        if index is None or text is None:
            return False
        current.insert(index, text)
    else:
        return False
    return True


def literal_string(node: ast.expr) -> str | None:
    """The value of a string literal, else None."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _index(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _index(node.operand)
        return -inner if inner is not None else None
    return None


def _forget(node: ast.AST, env: dict[str, Value]) -> None:
    """A statement not understood may change every name it mentions: they become unknown.
    A star import inside it (`try: from .local import *`) may change any name at all."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            env[child.id] = None
        elif isinstance(child, ast.ImportFrom) and any(a.name == "*" for a in child.names):
            _forget_all(env)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            for alias in child.names:
                env[alias.asname or alias.name.split(".")[0]] = None


def _forget_all(env: Env) -> None:
    """After a star import that cannot be followed, no name (INSTALLED_APPS too) is known."""
    for name in env:
        env[name] = None
    env[SETTING] = None
