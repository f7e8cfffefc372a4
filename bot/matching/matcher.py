"""Match a free-text question to one fact: answer, suggest a few, or decline.

Two stages. Rules first, for what must never be guessed: a remark or a reaction, a
definition, another show or person, a date or a count, something the article never says.
Then a trained classifier (bot.matching.model) picks the fact and says how sure it is; the
thresholds below turn its probability into an answer, suggestions or a decline.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from bot.facts.model import AnswerKind, Fact, FactBase
from bot.matching.chat import reads_as_remark
from bot.matching.features import question_tokens
from bot.matching.language import FUNCTION_WORDS
from bot.matching.model import NO_FACT, FactClassifier
from bot.matching.parts import question_clauses, question_tails, split_questions
from bot.matching.terms import AnalyzedText, Term, TermAnalyzer, TermKind
from bot.matching.training import labelled_texts, trained_classifier

__all__ = ["DeclineReason", "Match", "Matcher", "Outcome", "Suggestion"]

# Thresholds on the model's probability for its best fact. Chosen by leave-one-set-out
# cross-validation over the 22 example sets (bench/cross_validation.py): each set is answered
# by a model trained without it, and all held-out answers are pooled and scored as right
# answers minus three times the errors (a wrong fact, or an answer to a question to decline).
# 0.5 scored 5,032, 0.6 5,045, 0.7 4,966 and 0.8 4,776 (README, "Quality"). Below it, facts
# from 0.2 are offered as "did you mean".
ANSWER_PROBABILITY = 0.6  # least probability to answer
# A shorter reading of a chatty message (its question sentence, or the question after a
# lead-in) has dropped words the model never weighed: it answers only when surer. Held out
# over five sets, readings at the answer threshold added 70 right answers and 29 errors; at
# 0.8 they add 56 right answers for 20 errors (a chatty question is common: "hey bot, who
# plays her? thanks!"), and higher thresholds save a few errors at the cost of most of those
# answers.
READING_PROBABILITY = 0.8
SUGGEST_PROBABILITY = 0.2  # least probability for a fact to be offered as "did you mean"
MAX_SUGGESTIONS = 3
# Kinds of answer the article never gives: a question asking for one is declined.
UNANSWERABLE_KINDS = frozenset({AnswerKind.DATE, AnswerKind.NUMBER})


class Outcome(StrEnum):
    """What the matcher decided."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    DECLINE = "decline"


class DeclineReason(StrEnum):
    """Why a question was declined."""

    REMARK = "a remark, not a question"
    NO_CONTENT = "no content words"
    DEFINITION = "a definition, not about the show"
    UNRELATED = "about something the facts do not cover"
    UNGIVEN_KIND = "asks for a date or a number"
    OUT_OF_SCOPE = "asks what the article never says"
    NO_FACT = "no fact fits"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A fact offered as "did you mean", with the phrasing to show."""

    fact_id: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's decision for one question. A message asking two things has `parts`,
    one Match each; its own fields are then those of the first part that was answered."""

    question: str
    outcome: Outcome
    fact: Fact | None = None
    score: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()
    reason: DeclineReason | None = None
    parts: tuple[Match, ...] = ()

    @property
    def answered_facts(self) -> tuple[Fact, ...]:
        """Every fact this match answers with, once each, in order."""
        matches = self.parts or (self,)
        facts = [m.fact for m in matches if m.outcome is Outcome.ANSWER and m.fact is not None]
        return tuple({f.id: f for f in facts}.values())


class Matcher:
    """Answers questions from an immutable fact base; knows nothing of Discord."""

    def __init__(
        self,
        fact_base: FactBase,
        classifier: FactClassifier | None = None,
        *,
        cache_dir: Path | None = None,
        answer_probability: float = ANSWER_PROBABILITY,
    ) -> None:
        """Without a classifier, the model comes from the cache in `cache_dir` when it holds
        one for this exact content, else it is trained (seconds) and cached there."""
        self.fact_base = fact_base
        self.answer_probability = answer_probability
        self.reading_probability = max(answer_probability, READING_PROBABILITY)
        self._analyzer = TermAnalyzer.for_fact_base(fact_base)
        self.classifier = classifier or trained_classifier(fact_base, self.tokens, cache_dir)
        self._fact_of = [fact_base.get(c) for c in self.classifier.classes]
        self._covered = self._covered_terms()

    def analyze(self, question: str) -> AnalyzedText:
        """The question as the matcher reads it (for debugging and the CLI)."""
        return self._analyzer.analyze(question)

    def tokens(self, text: str) -> list[str]:
        """The model's tokens for a text."""
        return question_tokens(self.analyze(text))

    def _covered_terms(self) -> dict[str, frozenset[Term]]:
        """Per fact, the terms its phrasings and examples use: a question's out-of-scope
        word is declined unless the fact it would be answered with was asked that way."""
        covered: dict[str, set[Term]] = {f.id: set() for f in self.fact_base.facts}
        for text, label in labelled_texts(self.fact_base):
            if label != NO_FACT:
                covered[label].update(self.analyze(text).terms)
        return {fact_id: frozenset(terms) for fact_id, terms in covered.items()}

    def match(self, question: str) -> Match:
        """Decide how to respond to a message: one question, two, or one inside chatter."""
        pieces = split_questions(question)
        if len(pieces) > 1:
            parts = [self._match_one(piece) for piece in pieces]
            kept = tuple(p for p in parts if p.reason not in _NOT_ASKED)
            if len({p.fact.id for p in kept if p.outcome is Outcome.ANSWER and p.fact}) > 1:
                first = next(p for p in kept if p.outcome is Outcome.ANSWER)
                return Match(
                    question, first.outcome, first.fact, first.score, first.suggestions,
                    parts=kept,
                )  # fmt: skip
        whole = self._match_one(question)
        if whole.outcome is Outcome.ANSWER or whole.reason in _FINAL:
            return whole
        best = whole
        for reading_text in self._readings(question):
            reading = self._match_one(reading_text, self.reading_probability)
            if (_RANK[reading.outcome], reading.score) > (_RANK[best.outcome], best.score):
                best = reading
        return Match(
            question, best.outcome, best.fact, best.score, best.suggestions, best.reason
        )  # fmt: skip

    def _readings(self, question: str) -> list[str]:
        """Shorter readings of a chatty message: its question sentences, and the question
        from its question word on when the lead-in names nothing ("been binging all weekend
        and now i wonder who plays her"; not "i loved Reacher, who plays the lead")."""
        readings = question_clauses(question)
        for text in (question, *readings[:1]):
            for lead_in, tail in question_tails(text):
                if not self._names_something(lead_in):
                    readings.append(tail)
        return readings

    def _names_something(self, text: str) -> bool:
        """Whether text names a person, show or thing (beyond the show itself), or something
        out of scope: a lead-in that does changes the question after it."""
        analyzed = self.analyze(text)
        named = (TermKind.ENTITY, TermKind.OUT_OF_SCOPE, TermKind.UNRELATED)
        return bool(analyzed.names) or any(
            t.kind in named and t not in self._analyzer.ambient for t in analyzed.terms
        )

    def _match_one(self, question: str, threshold: float | None = None) -> Match:
        """Rules, then the model, for one question; answer from `threshold` (by default the
        matcher's answer probability)."""
        analyzed = self.analyze(question)
        declined = self._rule_decline(analyzed)
        if declined is not None:
            return Match(question, Outcome.DECLINE, reason=declined)
        probabilities = self.classifier.probabilities(question_tokens(analyzed))
        ranked = np.argsort(-probabilities)
        top = int(ranked[0])
        fact = self._fact_of[top]
        score = round(float(probabilities[top]), 3)
        if fact is not None and score >= (threshold or self.answer_probability):
            if self._out_of_scope(analyzed, fact):
                reason = DeclineReason.OUT_OF_SCOPE
                return Match(question, Outcome.DECLINE, score=score, reason=reason)
            return Match(question, Outcome.ANSWER, fact, score)
        offered = tuple(
            Suggestion(f.id, f.questions[0], round(float(probabilities[i]), 3))
            for i in ranked[:MAX_SUGGESTIONS]
            if (f := self._fact_of[int(i)]) is not None
            and probabilities[i] >= SUGGEST_PROBABILITY
            and not self._out_of_scope(analyzed, f)
        )
        if offered:
            return Match(question, Outcome.SUGGEST, score=score, suggestions=offered)
        return Match(question, Outcome.DECLINE, score=score, reason=DeclineReason.NO_FACT)

    @staticmethod
    def _rule_decline(analyzed: AnalyzedText) -> DeclineReason | None:
        """The hard declines, decided before the model is asked."""
        if reads_as_remark(analyzed):
            return DeclineReason.REMARK
        if not analyzed.terms or _only_chat(analyzed):
            return DeclineReason.NO_CONTENT
        if _asks_a_definition(analyzed.words):
            return DeclineReason.DEFINITION
        if analyzed.names or analyzed.has(TermKind.UNRELATED):
            return DeclineReason.UNRELATED
        if analyzed.asks in UNANSWERABLE_KINDS:
            return DeclineReason.UNGIVEN_KIND
        return None

    def _out_of_scope(self, analyzed: AnalyzedText, fact: Fact) -> bool:
        """Whether the question leans on something out of scope that `fact` was never
        asked with ("when does season 2 come out" is not about the franchise's future)."""
        covered = self._covered.get(fact.id, frozenset())
        return any(t.kind is TermKind.OUT_OF_SCOPE and t not in covered for t in analyzed.terms)


_RANK = {Outcome.DECLINE: 0, Outcome.SUGGEST: 1, Outcome.ANSWER: 2}
# Declines that say the message is not a question at all (its pieces are dropped from parts),
# and declines that no clause of the message may overrule: it is about something else.
_NOT_ASKED = frozenset({DeclineReason.REMARK, DeclineReason.NO_CONTENT})
_FINAL = frozenset({DeclineReason.UNRELATED, DeclineReason.REMARK})
_INTERJECTIONS = frozenset("lol lmao lmfao rofl omg wow bruh haha ikr ngl".split())


def _only_chat(analyzed: AnalyzedText) -> bool:
    """An interjection and everyday words, not asked ("lol same", "omg same"): a reaction."""
    words = analyzed.words
    asked = analyzed.question_mark or analyzed.question_word is not None
    reacting = any(w in _INTERJECTIONS for w in words)
    return reacting and not asked and all(w in FUNCTION_WORDS for w in words)


def _asks_a_definition(words: tuple[str, ...]) -> bool:
    """'what is a whistleblower', 'define noir': general knowledge, not the article's."""
    if words[:1] == ("define",):
        return len(words) <= 3
    return words[:2] == ("what", "is") and words[2:3] in (("a",), ("an",)) and len(words) <= 6
