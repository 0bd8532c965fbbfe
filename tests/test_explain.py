"""`mmkit explain`: every rule of the catalogue is documented, and the CLI shows it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest
from click.testing import Result

from mmkit.explain import SEES_TITLE
from mmkit.findings import RULES, Rule

Cli = Callable[..., Result]


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_every_rule_is_documented(rule: Rule) -> None:
    assert rule.id == f"mmkit.{rule.short_id}"
    for text in (rule.title, rule.why, rule.bad, rule.good, rule.fix):
        assert text.strip()
        assert text == text.strip()
    assert rule.bad != rule.good


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_explain_prints_why_bad_good_and_fix(rule: Rule, mmkit_cli: Cli) -> None:
    result = mmkit_cli("explain", rule.id)
    output = result.stdout

    assert result.exit_code == 0
    assert output.startswith(f"{rule.id} ({rule.name}): {rule.title}\n\nSeverity: ")
    assert " ".join(rule.why.split()) in " ".join(output.split())
    assert " ".join(rule.fix.split()) in " ".join(output.split())
    assert textwrap.indent(rule.bad, "    ") in output
    assert textwrap.indent(rule.good, "    ") in output
    headings = [line for line in output.splitlines() if line and not line.startswith(" ")]
    sees = [SEES_TITLE] if rule.sees else []
    assert headings[2:] == [
        "Why it matters",
        *sees,
        "Bad",
        "Good",
        "Fix",
        "Suppress one occurrence",
    ]
    assert " ".join(rule.sees.split()) in " ".join(output.split())


@pytest.mark.parametrize("spelling", ["mmkit.E003", "E003", "e003", "private-import"])
def test_a_rule_can_be_named_by_id_short_id_or_name(spelling: str, mmkit_cli: Cli) -> None:
    assert mmkit_cli("explain", spelling).stdout == mmkit_cli("explain", "mmkit.E003").stdout


def test_without_a_rule_every_rule_is_listed(mmkit_cli: Cli) -> None:
    result = mmkit_cli("explain")

    assert result.exit_code == 0
    assert result.stdout == (
        "mmkit.E001  cross-module-relation      A model field relates to another module's model\n"
        "mmkit.E002  cross-module-inheritance   A model inherits from another module's concrete "
        "model\n"
        "mmkit.E003  private-import             Code imports another module's private code\n"
        "mmkit.E004  dependency-cycle           Modules depend on each other in a cycle\n"
        "mmkit.E005  undeclared-dependency      A module imports a module its depends_on does "
        "not list\n"
        "mmkit.E006  event-not-plain-data       An event class is not a frozen dataclass of plain "
        "values\n"
        "mmkit.W001  no-public-interface        A module has no public interface\n"
        "mmkit.W002  model-in-public-interface  A public interface hands out models\n"
        "mmkit.W003  unused-suppression         A suppression comment suppresses nothing\n"
        "mmkit.W004  not-analysed               mmkit could not analyse part of the code\n"
        "mmkit.E100  configuration-error        The mmkit configuration cannot be read\n"
        "mmkit.E101  stale-baseline-entry       A baseline entry no longer occurs\n"
        "mmkit.E102  events-settings            settings.MMKIT_EVENTS is malformed\n"
        "mmkit.E103  handler-event-unknown      A handler's event type cannot be found\n"
        "mmkit.E104  orphan-publications        Publications wait for a handler that no longer "
        "exists\n"
    )


def test_an_unknown_rule_is_one_line_with_a_suggestion_and_exit_2(mmkit_cli: Cli) -> None:
    result = mmkit_cli("explain", "E03")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: unknown rule 'E03' (did you mean 'E003'?); run `mmkit explain` for the list\n"
    )
