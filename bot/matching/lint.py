"""Lint a loaded fact base: what validation cannot see but curators should fix."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from wordfreq import top_n_list

from bot.facts.model import FactBase
from bot.matching.language import stem
from bot.matching.matcher import Matcher, Outcome
from bot.matching.normalize import normalize
from bot.matching.terms import TermKind

__all__ = ["EMBED_DESCRIPTION_LIMIT", "MIN_PHRASINGS", "LintProblem", "lint_fact_base"]

MIN_PHRASINGS = 5
EMBED_DESCRIPTION_LIMIT = 4096  # Discord's limit for an embed description
EMBED_FIELD_LIMIT = 1024  # ...and for a field value, where the source goes
EVERYDAY_WORDS = 400  # the most common English words, whose stems aliases must not borrow


@dataclass(frozen=True, slots=True)
class LintProblem:
    """One finding, named by the fact it concerns. Warnings are worth a look; errors fail."""

    fact_id: str
    problem: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{prefix}{self.fact_id}: {self.problem}"


def lint_fact_base(
    fact_base: FactBase, matcher: Matcher, article: str | None = None
) -> list[LintProblem]:
    """Every finding: thin facts, oversized answers, ambiguous phrasings, unsupported sources."""
    problems = [
        *_sizes(fact_base),
        *_ambiguity(fact_base, matcher),
        *_aliases(fact_base),
        *_everyday_stems(fact_base),
    ]
    if article is not None:
        problems += _sources(fact_base, article)
    return problems


def _sizes(fact_base: FactBase) -> list[LintProblem]:
    problems = []
    for fact in fact_base.facts:
        if len(fact.questions) < MIN_PHRASINGS:
            count = len(fact.questions)
            problems.append(LintProblem(fact.id, f"{count} phrasings; want {MIN_PHRASINGS}+"))
        if len(fact.answer) > EMBED_DESCRIPTION_LIMIT:
            limit = EMBED_DESCRIPTION_LIMIT
            problems.append(LintProblem(fact.id, f"answer longer than {limit} characters"))
        if len(fact.source) > EMBED_FIELD_LIMIT:
            limit = EMBED_FIELD_LIMIT
            problems.append(LintProblem(fact.id, f"source longer than {limit} characters"))
    return problems


def _ambiguity(fact_base: FactBase, matcher: Matcher) -> list[LintProblem]:
    """Each phrasing must lead back to its own fact: not another one, and not a decline."""
    problems = []
    owners: dict[str, str] = {}
    for fact in fact_base.facts:
        for phrasing in fact.questions:
            key = normalize(phrasing)
            if owners.get(key, fact.id) != fact.id:
                problem = f"phrasing {phrasing!r} also belongs to {owners[key]}"
                problems.append(LintProblem(fact.id, problem))
            owners[key] = fact.id
            beyond = [
                t.key
                for t in matcher.analyze(phrasing).terms
                if t.kind in (TermKind.OUT_OF_SCOPE, TermKind.UNRELATED)
            ]
            if beyond:
                # It would make the fact "cover" a word that should decline questions.
                problem = f"phrasing {phrasing!r} uses out-of-scope {beyond[0]!r}"
                problems.append(LintProblem(fact.id, problem))
            match = matcher.match(phrasing)
            if match.outcome is Outcome.ANSWER and match.fact and match.fact.id != fact.id:
                # A warning: the model learns from every example, and the examples may rightly
                # say that another fact answers this wording too.
                problem = f"phrasing {phrasing!r} is answered by {match.fact.id}"
                problems.append(LintProblem(fact.id, problem, warning=True))
            elif match.outcome is Outcome.DECLINE:
                problems.append(LintProblem(fact.id, f"phrasing {phrasing!r} is declined"))
    return problems


def _aliases(fact_base: FactBase) -> list[LintProblem]:
    """Aliases of different keys that read the same once normalised and stemmed."""
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    lexicon = fact_base.lexicon
    for section, table in (("entities", lexicon.entities), ("terms", lexicon.terms)):
        for key, variants in table.items():
            for variant in variants:
                owners[tuple(stem(w) for w in normalize(variant).split())].add(f"{section}.{key}")
    # A phrase listed as out of scope or unrelated but also an alias would never take effect.
    for section, phrases in (
        ("out_of_scope", lexicon.out_of_scope),
        ("unrelated", lexicon.unrelated),
    ):
        for phrase in phrases:
            owners[tuple(stem(w) for w in normalize(phrase).split())].add(section)
    return [
        LintProblem("aliases", f"{' '.join(words)!r} is claimed by {', '.join(sorted(keys))}")
        for words, keys in owners.items()
        if len(keys) > 1
    ]


def _everyday_stems(fact_base: FactBase) -> list[LintProblem]:
    """One-word aliases that stem like an everyday word they don't mean: "outed" reads
    like "out", so "running out of steam" would be about whistleblowing."""
    everyday: dict[str, str] = {}
    for word in top_n_list("en", EVERYDAY_WORDS):
        everyday.setdefault(stem(word), word)
    problems = []
    lexicon = fact_base.lexicon
    for section, table in (("entities", lexicon.entities), ("terms", lexicon.terms)):
        for key, variants in table.items():
            own = {normalize(v) for v in variants}
            for variant in own:
                common = everyday.get(stem(variant))
                if " " not in variant and common is not None and common not in own:
                    problem = f"alias {variant!r} reads like the everyday word {common!r}"
                    where = f"aliases.{section}.{key}"
                    problems.append(LintProblem(where, problem, warning=True))
    return problems


def _sources(fact_base: FactBase, article: str) -> list[LintProblem]:
    """Every source excerpt must appear word for word in the article."""
    flat = _flatten(article)
    return [
        LintProblem(fact.id, "source is not a verbatim excerpt of the article")
        for fact in fact_base.facts
        if _flatten(fact.source) not in flat
    ]


def _flatten(text: str) -> str:
    """Compare on words only: quotes, dashes and line breaks vary between copies."""
    return " ".join(re.findall(r"[\w’']+", text.replace("’", "'").casefold()))
