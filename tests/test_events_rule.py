"""mmkit.E006: an event class is a frozen dataclass whose fields name no model or QuerySet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mmkit.checks.events import event_classes
from mmkit.findings import Finding

Check = Callable[[Path | str], list[Finding]]
FIXTURE = Path(__file__).parent / "fixtures" / "ev_rules"


def test_each_bad_event_class_and_field_is_one_finding(
    check_project: Check, locations: Callable[..., set[tuple[str, str, int]]]
) -> None:
    assert locations(check_project(FIXTURE), "E006") == {
        ("mmkit.E006", "shop/events.py", 29),
        ("mmkit.E006", "shop/events.py", 33),
        ("mmkit.E006", "shop/events.py", 40),
        ("mmkit.E006", "shop/events.py", 41),
        ("mmkit.E006", "shop/events.py", 42),
        ("mmkit.E006", "shop/events.py", 43),
        ("mmkit.E006", "billing/events/__init__.py", 12),
    }


def test_messages_name_the_class_the_field_and_what_it_names(check_project: Check) -> None:
    messages = {(f.line, f.message) for f in check_project(FIXTURE) if f.rule == "mmkit.E006"}
    assert {m for line, m in messages if line in (29, 40, 41, 42, 43)} == {
        "shop.events.OrderChanged is not a frozen dataclass",
        "shop.events.OrderShipped.order is annotated Order, a model",
        "shop.events.OrderShipped.others is annotated QuerySet[Order], which names a QuerySet "
        "(QuerySet)",
        "shop.events.OrderShipped.previous is annotated tuple[models.Order, ...], which names a "
        "model (models.Order)",
        "shop.events.OrderShipped.note is annotated 'Order | None', which names a model (Order)",
    }


def test_enums_exceptions_and_private_classes_are_not_events() -> None:
    names = [event.name for event in event_classes((FIXTURE / "shop" / "events.py").read_text())]

    assert names == ["OrderPlaced", "OrderChanged", "OrderCancelled", "OrderShipped"]


def test_an_events_file_that_does_not_parse_has_no_event_classes() -> None:
    assert event_classes("class Broken(:\n") == []


def test_the_example_and_scaffolded_events_are_clean(check_project: Check) -> None:
    example = Path(__file__).parent.parent / "example_project"

    assert [f for f in check_project(example) if f.rule == "mmkit.E006"] == []


def test_a_suppression_comment_silences_e006(check_project: Check, copy_fixture) -> None:
    project = copy_fixture("ev_rules")
    events = project / "shop" / "events.py"
    events.write_text(
        events.read_text().replace(
            "class OrderChanged:", "class OrderChanged:  # mmkit: ignore[E006]"
        )
    )

    lines = {f.line for f in check_project(project) if f.rule == "mmkit.E006"}
    assert 29 not in lines
    assert 33 in lines


def test_an_events_file_too_deep_for_python_is_one_w004_not_a_crash(
    check_project: Check, tmp_path: Path
) -> None:
    """Like any other file: the model scan reports it, the event rule reads nothing of it."""
    import shutil

    project = tmp_path / "ev_rules"
    shutil.copytree(FIXTURE, project)
    events = project / "shop" / "events.py"
    events.write_text(events.read_text() + "x = " + "-" * 5000 + "1\n")

    found = {(f.rule, f.path) for f in check_project(project)}
    assert ("mmkit.W004", "shop/events.py") in found
    assert ("mmkit.E006", "shop/events.py") not in found
