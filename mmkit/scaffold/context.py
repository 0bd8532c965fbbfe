"""The values the templates see: every name of the generated code, derived in one place.

Templates (built-in or a team's own) only arrange these names; deriving them here keeps
`create_invoice`, `InvoiceDTO` and `InvoiceNotFound` consistent across every file.

The context of a template, for teams writing their own:
    module, app_config       "invoices", "InvoicesConfig" ("shop.billing", "ShopBillingConfig")
    label, nested            the app label ("billing"), whether the module name is dotted
    interface                the public interface file the facade template becomes ("facade")
    model                    ModelNames, or None without --model
    fields                   FieldView per --field, in the order given
    refs, errors             Reference per ref:MODULE field, and their error class names
    ref_facades, ref_checks  [{module, interface, alias}] to import, [{facade, exists}] to
                             replace in tests
    stdlib_imports           the modules the field types need: datetime, decimal, uuid
    depends_on, mmkit_version
plus the helpers of mmkit.scaffold.render: wrap(), import_from(), skip_file() and the
filters braced, keywords, assignments, dunder_all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmkit import __version__
from mmkit.scaffold.fields import FieldSpec
from mmkit.scaffold.names import camel_case, plural, snake_case


@dataclass(frozen=True)
class ModelNames:
    """The names derived from `--model Invoice`."""

    name: str
    snake: str
    plural: str
    words: str
    id: str
    ids: str
    dto: str
    new: str
    not_found: str

    @property
    def a(self) -> str:
        """The words with their indefinite article, for docstrings: `an invoice`."""
        return with_article(self.words)

    @classmethod
    def of(cls, model: str) -> ModelNames:
        snake = snake_case(model)
        return cls(
            name=model,
            snake=snake,
            plural=plural(snake),
            words=snake.replace("_", " "),
            id=f"{snake}_id",
            ids=f"{snake}_ids",
            dto=f"{model}DTO",
            new=f"New{model}",
            not_found=f"{model}NotFound",
        )


@dataclass(frozen=True)
class Reference:
    """A `ref:MODULE` field: which facade function checks it and what error says it is wrong."""

    field: str
    module: str
    facade: str
    interface: str
    alias: str
    exists: str
    error: str
    words: str

    @property
    def a(self) -> str:
        return with_article(self.words)


@dataclass(frozen=True)
class FieldView:
    """One field as every file writes it."""

    name: str
    type: str
    python_type: str
    django_head: str
    django_args: tuple[str, ...]
    sample: str
    other_sample: str
    reference: Reference | None


def with_article(words: str) -> str:
    """`an invoice`, `a book`: good enough for generated docstrings."""
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def reference(
    field: FieldSpec, module: str, exists: str, taken: set[str], interface: str = "facade"
) -> Reference:
    """The Reference of a ref field whose module's facade (its public `interface` file) has
    the function `exists`."""
    stem = field.name.removesuffix("_id") or field.name
    error = f"Unknown{camel_case(stem)}"
    if error in taken:
        error = f"Unknown{camel_case(field.name)}"
    return Reference(
        field=field.name,
        module=module,
        facade=f"{module}.{interface}",
        interface=interface,
        alias=f"{module.replace('.', '_')}_{interface}",
        exists=exists,
        error=error,
        words=stem.replace("_", " "),
    )


def build_context(
    module: str,
    model: str | None,
    fields: tuple[FieldSpec, ...],
    references: dict[str, Reference],
    depends_on: tuple[str, ...],
    label: str | None = None,
    interface: str = "facade",
) -> dict[str, Any]:
    """The template context of one module; `references` maps ref field names to theirs.

    `label` is the app label (Django's default, the last part of the name, when None);
    `interface` the name of the public interface file the facade template becomes.
    """
    views = []
    for field in fields:
        head, args = field.django_call
        sample, other_sample = field.type.sample, field.type.other_sample
        if field.name in references:
            # distinct ids per reference, so a test can make exactly one of them unknown
            number = len([v for v in views if v.reference is not None]) + 1
            sample, other_sample = str(10 + number), str(20 + number)
        views.append(
            FieldView(
                name=field.name,
                type=field.type.name,
                python_type=field.type.python_type,
                django_head=head,
                django_args=args,
                sample=sample,
                other_sample=other_sample,
                reference=references.get(field.name),
            )
        )
    refs = [view.reference for view in views if view.reference is not None]
    facades = sorted({(ref.module, ref.interface, ref.alias) for ref in refs})
    return {
        "module": module,
        "label": label or module.rpartition(".")[2],
        "nested": "." in module,
        "interface": interface,
        "app_config": f"{camel_case(module.replace('.', '_'))}Config",
        "model": ModelNames.of(model) if model else None,
        "fields": views,
        "refs": refs,
        "ref_facades": [
            {"module": name, "interface": interface, "alias": alias}
            for name, interface, alias in facades
        ],
        "ref_checks": [
            {"facade": facade, "exists": exists}
            for facade, exists in dict.fromkeys((ref.facade, ref.exists) for ref in refs)
        ],
        "errors": [ref.error for ref in refs],
        "stdlib_imports": sorted(
            {f.type.stdlib_import for f in fields if f.type.stdlib_import is not None}
        ),
        "depends_on": depends_on,
        "mmkit_version": __version__,
    }
