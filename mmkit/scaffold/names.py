"""Which module and model names are safe to create, and the names derived from them.

A module name becomes a top-level Python package and a Django app label, so it must not
shadow anything Python could already import: a clash would break the project at import
time, far from the command that caused it.
"""

from __future__ import annotations

import builtins
import importlib.util
import keyword
import re
import sys
from pathlib import Path

from mmkit.scaffold.errors import ScaffoldError

MODULE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
MODEL_NAME = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
MAX_NAME_LENGTH = 30


def check_module_name(name: str) -> None:
    """Refuse a NAME that is not a lowercase identifier, is a keyword or a stdlib module.

    A dotted NAME (`shop.billing`) is a module inside a package of the project: each part
    must be a name; only the top-level part could shadow a standard-library module.
    """
    if not name:
        raise ScaffoldError("the module name is empty")
    parts = name.split(".")
    if len(parts) > 1 and all(part.isidentifier() for part in parts):
        for part in parts:
            _check_part(part)
        if parts[0] in sys.stdlib_module_names:
            raise ScaffoldError(
                f"module name {name!r} starts with {parts[0]!r}, a standard-library module"
            )
        return
    _check_part(name)
    if name in sys.stdlib_module_names:
        raise ScaffoldError(
            f"module name {name!r} is a standard-library module; a package of that name "
            "would shadow it"
        )


def _check_part(name: str) -> None:
    """One part of a module name: a lowercase identifier, not a keyword, not too long."""
    if not name.isidentifier():
        raise ScaffoldError(
            f"module name {name!r} is not a Python identifier; "
            "use lowercase letters, digits and underscores"
        )
    if not MODULE_NAME.match(name):
        lower = name.lower()
        suggestion = f" (try {lower!r})" if MODULE_NAME.match(lower) else ""
        raise ScaffoldError(
            f"module name {name!r} must be lowercase letters, digits and underscores, "
            f"starting with a letter{suggestion}"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ScaffoldError(f"module name {name!r} is longer than {MAX_NAME_LENGTH} characters")
    if keyword.iskeyword(name):
        raise ScaffoldError(f"module name {name!r} is a Python keyword")


def check_not_importable(name: str, root: Path) -> None:
    """Refuse a NAME that Python can already import from outside the project's root.

    What lives under root is the project's own code, which the callers check with
    better messages (an existing module or directory).
    """
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return
    locations = list(spec.submodule_search_locations or [])
    if spec.origin and spec.origin not in ("built-in", "frozen"):
        locations.append(spec.origin)
    if locations and all(_is_under(Path(location), root) for location in locations):
        return
    where = locations[0] if locations else spec.origin or "built in"
    raise ScaffoldError(
        f"module name {name!r} is already importable ({where}); a package of that name "
        "would shadow it"
    )


def check_model_name(name: str) -> None:
    """Refuse a model name that is not a CamelCase identifier or is a builtin (`Exception`)."""
    if not MODEL_NAME.match(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"--model {name!r}: a model name is a CamelCase identifier, e.g. Invoice"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ScaffoldError(f"--model {name!r} is longer than {MAX_NAME_LENGTH} characters")
    if hasattr(builtins, name):
        raise ScaffoldError(
            f"--model {name!r} is a Python builtin; the generated code would shadow it"
        )


def snake_case(camel: str) -> str:
    """`InvoiceLine` -> `invoice_line`, `HTTPLog` -> `http_log`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", camel).lower()


def camel_case(snake: str) -> str:
    """`order_lines` -> `OrderLines`, for class names derived from a module name."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def plural(word: str) -> str:
    """A plain English plural, enough for function names like `list_invoices`."""
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _is_under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True


def interface_name(public: tuple[str, ...]) -> str:
    """The file the facade template is written to: the first public interface the project
    configures that is a plain submodule (`api` for public = ["api", "events"]), else facade."""
    for candidate in public:
        if candidate not in ("__init__", "events") and "." not in candidate:
            return candidate
    return "facade"
