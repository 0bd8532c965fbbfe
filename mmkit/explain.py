"""The documentation of each rule, rendered for a terminal (`mmkit explain`) and as Markdown.

The words live in the catalogue (mmkit.findings.RULES); this file only lays them out, so the
terminal, SARIF's help and the README can never drift apart.
"""

from __future__ import annotations

import textwrap

from mmkit.config import did_you_mean
from mmkit.findings import RULES, Rule, rule

SEES_TITLE = "What mmkit sees, and what it cannot see statically"


class UnknownRule(LookupError):
    """A rule id that is not in the catalogue; the message is one line with a suggestion."""


def lookup(rule_id: str) -> Rule:
    """The rule for `mmkit.E003`, `E003` or `e003`, or UnknownRule with a "did you mean"."""
    try:
        return rule(rule_id)
    except KeyError:
        choices = [*RULES, *(r.short_id for r in RULES.values()), *(r.name for r in RULES.values())]
        by_name = {r.name: r for r in RULES.values()}
        if rule_id.strip().lower() in by_name:
            return by_name[rule_id.strip().lower()]
        raise UnknownRule(
            f"unknown rule '{rule_id}'{did_you_mean(rule_id.strip(), choices)}; "
            "run `mmkit explain` for the list"
        ) from None


def listing() -> str:
    """One line per rule: id, name and title, aligned."""
    width = max(len(r.name) for r in RULES.values())
    return "\n".join(f"{r.id}  {r.name:<{width}}  {r.title}" for r in RULES.values()) + "\n"


def text(r: Rule) -> str:
    """The rule page for a terminal: why it matters, a bad and a good example, the fix."""
    sections = [
        f"{r.id} ({r.name}): {r.title}",
        f"Severity: {r.severity.value}",
        _prose("Why it matters", r.why),
        *([_prose(SEES_TITLE, r.sees)] if r.sees else []),
        _code("Bad", r.bad),
        _code("Good", r.good),
        _prose("Fix", r.fix),
        _prose("Suppress one occurrence", _suppression_note(r)),
    ]
    return "\n\n".join(sections) + "\n"


def markdown(r: Rule) -> str:
    """The same page in Markdown, as SARIF's help.markdown and GitHub code scanning show it."""
    return (
        f"## {r.id} ({r.name})\n\n{r.title}.\n\n"
        f"### Why it matters\n\n{_unwrap(r.why)}\n\n"
        + (f"### {SEES_TITLE}\n\n{_unwrap(r.sees)}\n\n" if r.sees else "")
        + f"### Bad\n\n```{_language(r.bad)}\n{r.bad}\n```\n\n"
        f"### Good\n\n```{_language(r.good)}\n{r.good}\n```\n\n"
        f"### Fix\n\n{r.fix}\n\n"
        f"### Suppress one occurrence\n\n{_suppression_note(r)}\n"
    )


def _language(example: str) -> str:
    """The fence language: TOML, Python, or none when an example shows both."""
    if "[tool." not in example:
        return "python"
    return "" if ".py" in example else "toml"


def _suppression_note(r: Rule) -> str:
    if r.id == "mmkit.W003":
        return "mmkit.W003 cannot be suppressed: remove or correct the comment instead."
    if r.id == "mmkit.E100":
        return "A configuration error cannot be suppressed: correct the configuration."
    return (
        f"Write `# mmkit: ignore[{r.short_id}] -- reason` on the line the finding points at, "
        "or record today's findings with `mmkit baseline`."
    )


def _prose(title: str, body: str) -> str:
    filled = textwrap.fill(
        _unwrap(body),
        width=88,
        initial_indent="  ",
        subsequent_indent="  ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    return f"{title}\n{filled}"


def _code(title: str, body: str) -> str:
    return f"{title}\n{textwrap.indent(body, '    ')}"


def _unwrap(paragraph: str) -> str:
    return " ".join(paragraph.split())
