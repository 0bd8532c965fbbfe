"""Findings and the rule catalogue: the data every door and formatter shares.

One catalogue gives each rule a stable id, so CLI output, JSON, SARIF, Django checks,
suppressions, the baseline and `mmkit explain` can never disagree about what a rule is.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; both fail `mmkit check`, they differ in Django and SARIF."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue, with the documentation `mmkit explain` and SARIF show."""

    id: str
    name: str
    title: str
    severity: Severity
    why: str
    bad: str
    good: str
    fix: str
    sees: str = ""
    """What the rule looks at and, honestly, what it cannot see statically (`mmkit check`)."""

    @property
    def short_id(self) -> str:
        """The id without the `mmkit.` prefix, as written in suppressions (`E003`)."""
        return self.id.removeprefix("mmkit.")


@dataclass(frozen=True)
class Finding:
    """One violation of one rule at one place; paths are POSIX and relative to the project."""

    rule: str
    path: str
    line: int
    column: int
    message: str
    hint: str
    module: str | None = None
    imported: str | None = None
    model: str | None = None
    field: str | None = None
    target: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message)


def rule(rule_id: str) -> Rule:
    """Look a rule up by `mmkit.E003`, `E003` or `e003`; KeyError when there is none."""
    normalized = rule_id.strip().upper().removeprefix("MMKIT.")
    return RULES[f"mmkit.{normalized}"]


def _text(block: str) -> str:
    """Dedent an indented triple-quoted block, so the catalogue reads like the docs it feeds."""
    return inspect.cleandoc(block)


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


RULES: dict[str, Rule] = _rules(
    Rule(
        id="mmkit.E001",
        name="cross-module-relation",
        title="A model field relates to another module's model",
        severity=Severity.ERROR,
        why=_text(
            """
            Each module owns its tables. A ForeignKey from one module's model to another's
            ties the two together in the database: a constraint and cascades across the
            boundary, migrations that depend on the other module's migrations, queries that
            join its tables, and model instances that let callers wander into its data. The
            module can then no longer be changed, tested or extracted on its own. In a modular
            monolith a module keeps the other module's id and asks its facade for the data.
            """
        ),
        bad=_text(
            """
            # books/models.py
            from django.db import models

            from authors.models import Author


            class Book(models.Model):
                title = models.CharField(max_length=200)
                author = models.ForeignKey(Author, on_delete=models.CASCADE)
            """
        ),
        good=_text(
            """
            # books/models.py
            from django.db import models


            class Book(models.Model):
                title = models.CharField(max_length=200)
                author_id = models.PositiveBigIntegerField(db_index=True)


            # books/use_cases.py
            from authors import facade as authors


            def add_book(title: str, author_id: int) -> BookDTO:
                if not authors.author_exists(author_id):
                    raise UnknownAuthor(author_id)
                ...
            """
        ),
        fix="Keep the other module's id (an indexed integer or UUID field) instead of a relation, "
        "and ask that module's facade for its data.",
        sees=_text(
            """
            mmkit check reads every concrete model's fields from the source: Django's relation
            fields, subclasses of them defined in the project, the relation fields of
            django-taggit (TaggableManager: its through model, its tag model and the
            tagged_items GenericRelation it adds), django-modelcluster (ParentalKey,
            ParentalManyToManyField), django-mptt (TreeForeignKey, TreeOneToOneField,
            TreeManyToManyField) and django-sortedm2m (SortedManyToManyField) by import path,
            and the classes listed in [tool.mmkit] relation_fields. It cannot see fields
            added by code at run time or a field class whose bases are computed: where such a
            field is passed another module's model it reports mmkit.W004 instead.
            manage.py check reads Django's app registry and sees every relation field Django
            sees, whatever its class.
            """
        ),
    ),
    Rule(
        id="mmkit.E002",
        name="cross-module-inheritance",
        title="A model inherits from another module's concrete model",
        severity=Severity.ERROR,
        why=_text(
            """
            Inheriting from another module's concrete model is a relation in disguise.
            Multi-table inheritance adds a hidden OneToOneField to the parent's table and a
            join to every query; a proxy model reads and writes the other module's table
            directly. Either way every change to the parent model is a change to both modules,
            and neither can move without the other.
            """
        ),
        bad=_text(
            """
            # books/models.py
            from authors.models import Author


            class Editor(Author):  # a hidden OneToOneField to the authors' table
                imprint = models.CharField(max_length=100)
            """
        ),
        good=_text(
            """
            # common/models.py (a shared module)
            class Person(models.Model):
                name = models.CharField(max_length=200)

                class Meta:
                    abstract = True


            # books/models.py
            from common.models import Person


            class Editor(Person):  # its own table, in its own module
                imprint = models.CharField(max_length=100)
                author_id = models.PositiveBigIntegerField(null=True, db_index=True)
            """
        ),
        fix="Give the model its own table and keep the other module's id; share behaviour "
        "through an abstract base model in a shared module.",
        sees=_text(
            """
            Bases are followed through imports and re-exports, also
            apps.get_model("label", "Model") (and lookups named like it, django-oscar's
            get_model) with literal arguments; a get_model base whose arguments are computed
            is a mmkit.W004. manage.py check asks Django's registry.
            """
        ),
    ),
    Rule(
        id="mmkit.E003",
        name="private-import",
        title="Code imports another module's private code",
        severity=Severity.ERROR,
        why=_text(
            """
            A module's private code (models, use cases, views, internal helpers) is what its
            owners change freely. Once another module imports it, every refactoring becomes a
            change across modules, ORM models leak out with their querysets and lazy loading,
            and the boundary exists only on the whiteboard. The public interface (the facade)
            is the one place a module promises to keep stable.
            """
        ),
        bad=_text(
            """
            # web/views.py
            from authors.models import Author
            from authors.facade import use_cases  # not in authors.facade.__all__


            def author_detail(request, pk):
                author = Author.objects.get(pk=pk)
                ...
            """
        ),
        good=_text(
            """
            # web/views.py
            from authors import facade as authors


            def author_detail(request, pk):
                author = authors.get_author(pk)  # a frozen DTO, not a model
                ...
            """
        ),
        fix="Import the module's public interface (its facade) instead, and add the function "
        "you need there if it is missing.",
        sees=_text(
            """
            Every import statement of a module's files counts, also inside functions and under
            TYPE_CHECKING. Names are checked against the public file they come from: with
            __all__ only the names it lists are public; without it, names starting with an
            underscore and private modules the file imports are not. Seen are
            `from authors.facade import name` statements and attribute reads on import aliases
            (`import authors.facade as f` then `f.use_cases`; `from authors import facade`,
            also inside a function). Not seen: getattr(), an alias handed to other code,
            `from authors.facade import *`, and `import authors.facade as f` inside a
            function; names are not scoped, so a local variable that shadows an alias is taken
            for the alias.
            """
        ),
    ),
    Rule(
        id="mmkit.E004",
        name="dependency-cycle",
        title="Modules depend on each other in a cycle",
        severity=Severity.ERROR,
        why=_text(
            """
            Modules in a dependency cycle cannot be understood, tested, released or extracted
            one at a time: the cycle is one big module with extra ceremony. Each new feature
            can then reach both ways, and start-up depends on a fragile import order.
            Dependencies between modules should point one way, from the modules that use to
            the modules that are used.
            """
        ),
        bad=_text(
            """
            # books/use_cases.py
            from authors import facade as authors  # books -> authors

            # authors/use_cases.py
            from books import facade as books  # authors -> books: a cycle


            def delete_author(author_id: int) -> None:
                books.delete_books_by(author_id)
                ...
            """
        ),
        good=_text(
            """
            # authors/facade.py: authors announces, it no longer calls books
            from django.dispatch import Signal

            author_deleted = Signal()  # sent with author_id

            # books/apps.py: books listens; only books -> authors remains
            class BooksConfig(AppConfig):
                def ready(self) -> None:
                    from authors import facade as authors
                    from books import handlers

                    authors.author_deleted.connect(handlers.on_author_deleted)
            """
        ),
        fix="Break the cycle: move the shared piece into one of the modules or a shared module, "
        "or invert one dependency with a callback or a signal.",
        sees=_text(
            """
            The same imports as mmkit.E003: every import statement of the modules' files (also
            inside functions and under TYPE_CHECKING), shared modules left out. Imports made at
            run time (importlib.import_module, dotted strings in settings or URLconfs) are not
            seen.
            """
        ),
    ),
    Rule(
        id="mmkit.E005",
        name="undeclared-dependency",
        title="A module imports a module its depends_on does not list",
        severity=Severity.ERROR,
        why=_text(
            """
            depends_on is a module's declared list of the modules it may use: the architecture
            written down where it is reviewed. An import of a module that is not listed adds a
            dependency nobody decided on; that is how a layered design erodes into a tangle,
            one convenient import at a time.
            """
        ),
        bad=_text(
            """
            # pyproject.toml
            [tool.mmkit.modules.books]
            depends_on = ["authors"]

            # books/use_cases.py
            from payments import facade as payments  # 'payments' is not in depends_on
            """
        ),
        good=_text(
            """
            # pyproject.toml: the new dependency is a reviewed decision
            [tool.mmkit.modules.books]
            depends_on = ["authors", "payments"]

            # books/use_cases.py
            from payments import facade as payments
            """
        ),
        fix="Add the module to depends_on in [tool.mmkit.modules.<name>] if the dependency is "
        "intended, or remove the import.",
        sees=_text(
            """
            Every import statement of the module's files, against its depends_on; imports made
            at run time (importlib.import_module, dotted strings) are not seen. Model relations
            are mmkit.E001's business, whatever depends_on says.
            """
        ),
    ),
    Rule(
        id="mmkit.E006",
        name="event-not-plain-data",
        title="An event class is not a frozen dataclass of plain values",
        severity=Severity.ERROR,
        why=_text(
            """
            An event is written to the outbox as JSON in the publishing transaction and read
            by other modules' handlers later, maybe in another process. A class that is not a
            frozen dataclass can be changed after it was published and cannot be stored; a
            field typed as a model or QuerySet would carry the publishing module's database
            rows across the boundary, and is refused by publish at run time anyway.
            """
        ),
        bad=_text(
            """
            # authors/events.py
            from authors.models import Author


            class AuthorDeleted:
                def __init__(self, author: Author) -> None:
                    self.author = author
            """
        ),
        good=_text(
            """
            # authors/events.py
            from dataclasses import dataclass


            @dataclass(frozen=True)
            class AuthorDeleted:
                author_id: int
            """
        ),
        fix="Declare the event with @dataclass(frozen=True) and give it plain fields: ids, "
        "strings, numbers, dates, and tuples or frozen dataclasses of them.",
    ),
    Rule(
        id="mmkit.W001",
        name="no-public-interface",
        title="A module has no public interface",
        severity=Severity.WARNING,
        why=_text(
            """
            A module without a public interface offers nothing other modules may use, so any
            use of it from outside reaches into its private code. A facade names what the
            module offers, gives the rest of the code base one stable entry point, and leaves
            everything behind it free to change.
            """
        ),
        bad=_text(
            """
            billing/
                apps.py
                models.py
                use_cases.py  # other modules import billing.use_cases directly
            """
        ),
        good=_text(
            """
            # billing/facade.py
            from billing import use_cases
            from billing.dto import InvoiceDTO

            __all__ = ["InvoiceDTO", "create_invoice"]


            def create_invoice(order_id: int, amount_cents: int) -> InvoiceDTO:
                return use_cases.create_invoice(order_id, amount_cents)
            """
        ),
        fix="Add a facade.py with the functions other modules may call, or set public = [] for "
        "the module if nothing of it is meant to be used from outside (a gateway).",
        sees=_text(
            """
            Looks for the files `public` names (facade.py or a facade/ package; __init__.py
            when listed). What the interface contains is for mmkit.W002 and mmkit.E003.
            """
        ),
    ),
    Rule(
        id="mmkit.W002",
        name="model-in-public-interface",
        title="A public interface hands out models",
        severity=Severity.WARNING,
        why=_text(
            """
            A facade that hands out a model hands out the module's database: callers can
            follow relations, run queries, save changes and trigger lazy loads, all outside the
            module's control. The import rules are satisfied, but the boundary is not. Data
            should cross the boundary as plain, immutable values.
            """
        ),
        bad=_text(
            """
            # authors/facade.py
            from authors.models import Author


            def get_author(author_id: int) -> Author:
                return Author.objects.get(pk=author_id)
            """
        ),
        good=_text(
            """
            # authors/dto.py
            @dataclass(frozen=True)
            class AuthorDTO:
                id: int
                name: str


            # authors/facade.py
            from authors import use_cases
            from authors.dto import AuthorDTO


            def get_author(author_id: int) -> AuthorDTO:
                return use_cases.get_author(author_id)  # converts the model to a DTO
            """
        ),
        fix="Return frozen dataclasses (DTOs) from the facade and convert models to them inside "
        "the module.",
        sees=_text(
            """
            For each name a public interface exports (its __all__, else its public names):
            a model (reported where __all__ lists it), an annotation that names a model or a
            QuerySet, and for a function without a return annotation the expression of each
            return statement when it visibly is a model or QuerySet: Author(...),
            Author.objects.get/filter/all(...), list(...) of those, or a local variable
            assigned from one. A model returned through another function call, a
            comprehension or an attribute is not seen.
            """
        ),
    ),
    Rule(
        id="mmkit.W003",
        name="unused-suppression",
        title="A suppression comment suppresses nothing",
        severity=Severity.WARNING,
        why=_text(
            """
            A suppression is a recorded exception to a boundary rule. When the code it excused
            is fixed or moved, the comment stays behind and would silently excuse the next
            violation on that line; a misspelt or unknown rule id excuses nothing at all.
            Reporting unused suppressions keeps every exception real. mmkit.W003 itself
            cannot be suppressed with a comment.
            """
        ),
        bad=_text(
            """
            # web/views.py: the private import was replaced, the suppression was not removed
            from authors import facade  # mmkit: ignore[E003] -- legacy view, see #123
            """
        ),
        good=_text(
            """
            # web/views.py
            from authors import facade
            """
        ),
        fix="Remove the comment, or correct the rule id in it.",
        sees=_text(
            """
            Every `# mmkit: ignore[...]` comment, once the rules it names have run; a comment
            for rules that did not run (the import rules with MMKIT_IMPORT_CHECKS = False in
            the Django door) is left alone.
            """
        ),
    ),
    Rule(
        id="mmkit.W004",
        name="not-analysed",
        title="mmkit could not analyse part of the code",
        severity=Severity.WARNING,
        why=_text(
            """
            mmkit reads the code without running it. When a file cannot be parsed (syntax
            newer than the Python running mmkit, or a syntax error) or a relation's target is
            computed at run time, that part of the code is not checked. The warning says so
            instead of pretending the code is clean, so a violation cannot hide there.
            """
        ),
        bad=_text(
            """
            # books/models.py
            def tag_model() -> str:
                return "tags.Tag"


            class Book(models.Model):
                tag = models.ForeignKey(tag_model(), on_delete=models.PROTECT)
            """
        ),
        good=_text(
            """
            # books/models.py
            class Book(models.Model):
                tag = models.ForeignKey("tags.Tag", on_delete=models.PROTECT)
            """
        ),
        fix="Run mmkit on a Python that understands the file's syntax, fix the syntax error, or "
        "write the relation target so it can be read statically (a class or 'label.Model').",
        sees=_text(
            """
            A file that cannot be parsed or read; a relation target, through model or model
            base computed at run time (a call mmkit does not know, a non-literal
            apps.get_model); a field class mmkit does not know that is passed another
            module's model as its first argument, to= or through= (list it in relation_fields
            if it is a relation field).
            """
        ),
    ),
    Rule(
        id="mmkit.E100",
        name="configuration-error",
        title="The mmkit configuration cannot be read",
        severity=Severity.ERROR,
        why=_text(
            """
            In manage.py check, a configuration mmkit cannot read would mean that no boundary
            is checked at all. mmkit reports it as one check error instead of crashing Django's
            start-up or passing silently, so CI fails until the configuration is fixed.
            """
        ),
        bad=_text(
            """
            # pyproject.toml
            [tool.mmkit]
            modules = ["authors", "bookz"]  # there is no package 'bookz'
            """
        ),
        good=_text(
            """
            # pyproject.toml
            [tool.mmkit]
            modules = ["authors", "books"]
            """
        ),
        fix="Correct [tool.mmkit] in pyproject.toml, or point settings.MMKIT_CONFIG at it.",
    ),
    Rule(
        id="mmkit.E101",
        name="stale-baseline-entry",
        title="A baseline entry no longer occurs",
        severity=Severity.ERROR,
        why=_text(
            """
            The baseline records the violations a code base had when it adopted mmkit, so the
            build fails only on new ones. When a recorded violation is fixed, its entry must go,
            or a new violation of the same kind could later slip in under the old entry. mmkit
            fails until the baseline is rewritten, so the file only ever shrinks.
            """
        ),
        bad=_text(
            """
            # books/views.py no longer imports authors.models, but mmkit-baseline.json
            # still records "mmkit.E003 books.views imports authors.models"
            """
        ),
        good=_text(
            """
            $ mmkit baseline   # rewrites mmkit-baseline.json without the fixed entry
            """
        ),
        fix="Run `mmkit baseline` to drop the entries that no longer occur from the baseline.",
    ),
    Rule(
        id="mmkit.E102",
        name="events-settings",
        title="settings.MMKIT_EVENTS is malformed",
        severity=Severity.ERROR,
        why=_text(
            """
            MMKIT_EVENTS decides how published events reach their handlers. A key with a
            wrong type or value (a misspelt delivery mode, a lease of "60") would otherwise
            surface only when the first event is published, in the middle of a request.
            """
        ),
        bad=_text(
            """
            # settings.py
            MMKIT_EVENTS = {"DELIVERY": "celery", "LEASE": "60"}
            """
        ),
        good=_text(
            """
            # settings.py
            MMKIT_EVENTS = {"DELIVERY": "worker", "LEASE": 60}
            """
        ),
        fix="Give each key of MMKIT_EVENTS a value of the kind the message names; leave a key "
        "out to use its default.",
    ),
    Rule(
        id="mmkit.E103",
        name="handler-event-unknown",
        title="A handler's event type cannot be found",
        severity=Severity.ERROR,
        why=_text(
            """
            A handler subscribes to an event type by class or by its stable name. When the
            class cannot be imported, or no installed app's events.py declares the name, the
            handler never receives anything, and nobody notices until the data is wrong.
            """
        ),
        bad=_text(
            """
            # authors/handlers.py
            @handles("books.BookAdde")  # misspelt
            def count_added_book(event) -> None: ...
            """
        ),
        good=_text(
            """
            # authors/handlers.py
            @handles("books.BookAdded")
            def count_added_book(event) -> None: ...
            """
        ),
        fix="Name the event as its module's events.py declares it ('label.ClassName'), or fix "
        "the import in handlers.py.",
    ),
    Rule(
        id="mmkit.E104",
        name="orphan-publications",
        title="Publications wait for a handler that no longer exists",
        severity=Severity.ERROR,
        why=_text(
            """
            The outbox keeps one row per event and handler, by the handler's id. When a
            handler is renamed or removed, its waiting rows are never delivered: they are not
            lost, but nothing will ever process them. (A database check: run
            `manage.py check --database default`.)
            """
        ),
        bad=_text(
            """
            # books/handlers.py: renamed while AuthorDeleted events were waiting for it
            @handles(AuthorDeleted)
            def remove_books(event: AuthorDeleted) -> None: ...  # was delete_books
            """
        ),
        good=_text(
            """
            $ python manage.py mmkit_events --once          # deliver them before renaming
            $ python manage.py mmkit_events --discard --handler books.delete_books
            """
        ),
        fix="Restore the handler under its old name until its rows are delivered, or drop them "
        "deliberately with `manage.py mmkit_events --discard --handler ID`.",
    ),
)
