"""Match a free-text question to one fact: answer, suggest a few, or decline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from bot.facts.model import AnswerKind, Fact, FactBase
from bot.matching.chat import reads_as_remark
from bot.matching.index import FactEntry, FactIndex
from bot.matching.language import FUNCTION_WORDS, QUESTION_WORDS
from bot.matching.normalize import normalize
from bot.matching.quotes import QuoteIndex
from bot.matching.terms import ENTITY, OUT_OF_SCOPE, SYNONYM, UNRELATED, AnalyzedText

__all__ = ["Match", "Matcher", "Outcome", "Suggestion", "question_readings"]

# Thresholds, chosen on the dev set (tests/data/dev_set.yaml); see the README's "Matcher".
ANSWER_SCORE = 0.7  # least score to answer
ANSWER_MARGIN = 0.005  # lead over the best other fact needed to answer: a tie is no answer
SUGGEST_SCORE = 0.5  # least score for a fact to be offered as "did you mean"
SUGGEST_SPREAD = 0.15  # suggestions stay within this of the best
MAX_SUGGESTIONS = 3
CANDIDATES = 40  # facts kept by the inverted index, ranked by weighted coverage
SCORED = 6  # of those, facts whose phrasings are compared one by one
# Kinds of answer a question can demand; a fact that cannot give it is not a candidate.
STRICT_KINDS = frozenset({AnswerKind.PERSON, AnswerKind.PLACE, AnswerKind.TITLE})
UNANSWERABLE_KINDS = frozenset({AnswerKind.DATE, AnswerKind.NUMBER})
REASON_PENALTY = 0.2
# The score given to an answer chosen because the question quotes that fact's source.
QUOTE_SCORE = 0.9
# A plain word this heavy (rare in English, specific to one fact) must be explained by the fact
# we answer with, as must every lexicon term; otherwise the question is about something else.
KEY_TERM_WEIGHT = 0.7
THIN_SUGGEST_WEIGHT = 0.4  # least total weight of a plain-words-only question to suggest on
EXTRA_TERM_SHARE = 0.5  # weight of a phrasing's terms the question lacks, in the overlap
# Within a phrasing's similarity, the share of character-level likeness (the rest: term overlap).
CHARACTER_SHARE = 0.2


class Outcome(StrEnum):
    """What the matcher decided."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    DECLINE = "decline"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A fact offered as "did you mean", with the phrasing to show."""

    fact_id: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's decision for one question."""

    question: str
    outcome: Outcome
    fact: Fact | None = None
    score: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Scored:
    entry: FactEntry
    score: float
    phrasing: str
    unexplained: tuple[str, ...]


class Matcher:
    """Scores questions against an immutable fact base; knows nothing of Discord."""

    def __init__(self, fact_base: FactBase) -> None:
        self.fact_base = fact_base
        self._index = FactIndex(fact_base)
        self._ambient = self._index.analyzer.ambient
        self._quotes = QuoteIndex(fact_base)

    def analyze(self, question: str) -> AnalyzedText:
        """The question as the matcher reads it (for debugging and the CLI)."""
        return self._index.analyzer.analyze(question)

    def match(self, question: str) -> Match:
        """Decide how to respond to one question.

        A chatty message is also read as its last questioning clause, and as that clause from
        its question word on, so chatter around a question does not drown it; the most
        decisive reading wins. No reading overrules a message that names another show or
        person, and no reading drops a lead-in that names something we know.
        """
        analyzed = self.analyze(question)
        if reads_as_remark(question, analyzed.words):
            return Match(question, Outcome.DECLINE, reason="a remark, not a question")
        best = self._best_reading(question, analyzed)
        if best.outcome is Outcome.ANSWER and not self._quotes.marked(question):
            return best  # only an explicit quote may overrule a confident answer
        quoted = self._quotes.quoted_fact(question, analyzed.words)
        if quoted is None or not self._may_follow_quote(best, analyzed):
            return best
        if best.fact is not None and best.fact.id == quoted:
            return best
        fact = self.fact_base.get(quoted)
        assert fact is not None  # the quote index is built from this fact base
        score = max(best.score, QUOTE_SCORE)
        return Match(question, Outcome.ANSWER, fact, score, reason="quotes the source")

    @staticmethod
    def _may_follow_quote(best: Match, analyzed: AnalyzedText) -> bool:
        """A quote names the fact, unless the question asks what the article never gives
        (a date, a count, something out of scope) or is about another show."""
        if best.reason.startswith(_FOREIGN) or analyzed.asks in UNANSWERABLE_KINDS:
            return False
        return not any(t[0] in (OUT_OF_SCOPE, UNRELATED) for t in analyzed.terms)

    def _best_reading(self, question: str, analyzed: AnalyzedText) -> Match:
        """The most decisive of the message's readings (see `match`)."""
        best = self._match_text(question, question, analyzed)
        if best.outcome is Outcome.ANSWER or best.reason.startswith(_FOREIGN):
            return best
        for reading, dropped in question_readings(question):
            if self._modifies(dropped):
                continue  # "besides maggie q, who is in it": the lead-in changes the question
            if not self._telling(reading) and self._names_something(question, reading):
                continue  # "... connelly books. is ballard from his stuff?": "his" was there
            alternative = self._match_text(question, reading)
            if (_RANK[alternative.outcome], alternative.score) > (_RANK[best.outcome], best.score):
                best = alternative
        return best

    def _modifies(self, lead_in: str) -> bool:
        """Whether a dropped lead-in names a person, show or thing, or says "besides"."""
        if not lead_in:
            return False
        terms = self.analyze(lead_in).terms
        return any((t[0] in _NAMING and t not in self._ambient) or t == _BESIDES for t in terms)

    def _names_something(self, question: str, reading: str) -> bool:
        """Whether the rest of the message names a person, show or thing we know."""
        terms = self.analyze(question.replace(reading, " ")).terms
        return any(t[0] == ENTITY and t not in self._ambient for t in terms)

    def _telling(self, text: str) -> bool:
        """Whether text names anything the lexicon knows, beyond the show itself."""
        if not text:
            return False
        terms = self.analyze(text).terms
        return any(t[0] in _TELLING and t not in self._ambient for t in terms)

    def _match_text(self, question: str, text: str, analyzed: AnalyzedText | None = None) -> Match:
        analyzed = analyzed or self.analyze(text)
        if not analyzed.terms or _only_chat(text, analyzed):
            return Match(question, Outcome.DECLINE, reason="no content words")
        if _asks_a_definition(analyzed.words):
            return Match(question, Outcome.DECLINE, reason="a definition, not about the show")
        unrelated = sorted(analyzed.names) + [t for t in analyzed.terms if t[0] == UNRELATED]
        if unrelated:
            return Match(question, Outcome.DECLINE, reason=f"unrelated: {unrelated[0]}")
        if analyzed.asks in UNANSWERABLE_KINDS:
            return Match(question, Outcome.DECLINE, reason=f"asks for a {analyzed.asks}")
        weights = {t: self._index.weight(t, analyzed.word_of(t)) for t in analyzed.terms}
        ranked = self._rank(analyzed, weights)
        if not ranked:
            return Match(question, Outcome.DECLINE, reason="no fact fits")
        return self._decide(question, analyzed, weights, ranked)

    def _rank(self, analyzed: AnalyzedText, weights: dict[str, float]) -> list[_Scored]:
        """Cheap coverage for every candidate, the full score for the best few."""
        total = sum(weights.values())
        # The show itself ("in the show") is no reason to prefer one fact over another, unless
        # it is all the question says.
        telling = {t: w for t, w in weights.items() if t not in self._ambient} or weights
        telling_total = sum(telling.values())
        covered = []
        for position, _ in self._index.candidates(weights, CANDIDATES):
            entry = self._index.entries[position]
            if analyzed.asks in STRICT_KINDS and analyzed.asks not in entry.fact.gives:
                continue
            share = sum(w * entry.credit(t) for t, w in telling.items()) / telling_total
            covered.append((share, entry))
        covered.sort(key=lambda pair: -pair[0])
        scored = []
        # Facts tied with the last one kept are kept too: the cut must not pick among equals.
        floor = covered[min(SCORED, len(covered)) - 1][0] - 1e-9 if covered else 0.0
        kept = [pair for pair in covered[: SCORED * 2] if pair[0] >= floor]
        best = 0.0
        for share, entry in kept:
            if 0.5 * share + 0.5 < best - SUGGEST_SPREAD:
                break  # even a perfect phrasing could not bring it within reach of the best
            similarity, phrasing = self._best_phrasing(analyzed, weights, total, entry)
            score = 0.5 * share + 0.5 * similarity
            if analyzed.asks is AnswerKind.REASON and AnswerKind.REASON not in entry.fact.gives:
                score -= REASON_PENALTY
            unexplained = tuple(t for t in weights if entry.credit(t) == 0.0)
            scored.append(_Scored(entry, score, phrasing, unexplained))
            best = max(best, score)
        return sorted(scored, key=lambda s: -s.score)

    @staticmethod
    def _best_phrasing(
        analyzed: AnalyzedText, weights: dict[str, float], asked: float, entry: FactEntry
    ) -> tuple[float, str]:
        """Weighted term overlap blended with character similarity, best phrasing wins.

        Only phrasings that share a term with the question are visited: without one, the
        character share alone could not make a phrasing the best.
        """
        shared: dict[int, list[float]] = {}
        for term, weight in weights.items():
            for position in entry.term_phrasings.get(term, ()):
                sums = shared.setdefault(position, [0.0, 0.0])
                sums[0] += weight
                sums[1] += entry.phrasings[position].weights[term]
        best = (0.0, entry.fact.questions[0])
        surface = analyzed.surface
        ranked = []
        for position, (overlap_weight, own_weight) in shared.items():
            phrasing = entry.phrasings[position]
            # Words a phrasing has beyond the question count half: phrasings are often longer.
            extra = EXTRA_TERM_SHARE * (phrasing.total - own_weight)
            ranked.append((overlap_weight / (asked + extra), phrasing))
        ranked.sort(key=lambda pair: -pair[0])
        for overlap, phrasing in ranked:
            if overlap * (1 - CHARACTER_SHARE) + CHARACTER_SHARE <= best[0]:
                break  # even identical characters could not lift it past the best
            chars = fuzz.ratio(surface, phrasing.surface) / 100
            similarity = (1 - CHARACTER_SHARE) * overlap + CHARACTER_SHARE * chars
            if similarity > best[0]:
                best = (similarity, phrasing.text)
        return best

    def _decide(
        self,
        question: str,
        analyzed: AnalyzedText,
        weights: dict[str, float],
        ranked: list[_Scored],
    ) -> Match:
        top = ranked[0]
        score = round(top.score, 3)
        beyond = [t for t in top.unexplained if t[0] == OUT_OF_SCOPE]
        if beyond:
            return Match(question, Outcome.DECLINE, score=score, reason=f"not covered: {beyond[0]}")
        # Plain words alone ("is it depressing") are too thin to answer on, at most to suggest
        # from, and everyday ones alone ("everyone!") not even that.
        thin = not any(t[0] in _KNOWN or w >= KEY_TERM_WEIGHT for t, w in weights.items())
        if thin and sum(weights.values()) < THIN_SUGGEST_WEIGHT:
            return Match(question, Outcome.DECLINE, score=score, reason="too little to go on")
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        confident = (
            not thin and top.score >= ANSWER_SCORE and top.score - runner_up >= ANSWER_MARGIN
        )
        if confident and not self._missing(analyzed, weights, top):
            return Match(question, Outcome.ANSWER, top.entry.fact, score)
        offered = tuple(
            Suggestion(s.entry.fact.id, s.phrasing, round(s.score, 3))
            for s in ranked[:MAX_SUGGESTIONS]
            if s.score >= SUGGEST_SCORE
            and s.score >= top.score - SUGGEST_SPREAD
            and (analyzed.focus is None or analyzed.focus not in s.unexplained)
        )
        if offered:
            return Match(question, Outcome.SUGGEST, score=score, suggestions=offered)
        return Match(question, Outcome.DECLINE, score=score, reason="no close fact")

    def _missing(self, analyzed: AnalyzedText, weights: dict[str, float], top: _Scored) -> bool:
        """Whether the top fact leaves out something the question insists on.

        Every name and idea the question mentions must be explained by the fact ("who PLAYS
        the sister" is not "who is the sister"), and so must any rare or specific word, every
        word of a person/place/title question, and a plain-word focus ("population" in
        "what's the population of LA").
        """
        # A question after a person, place or title names who or what it means with every
        # word: "who plays her MOM" is not "who plays her".
        strict = analyzed.asks in STRICT_KINDS
        for term, weight in weights.items():
            if term in self._ambient:
                continue
            if not (strict or weight >= KEY_TERM_WEIGHT or term[0] in _KNOWN):
                continue
            if top.entry.credit(term) < (1.0 if term[0] == ENTITY else 0.1):
                return True
        focus = analyzed.focus
        return focus is not None and focus[0].isalnum() and focus in top.unexplained


_INTERJECTIONS = frozenset("lol lmao lmfao rofl omg wow bruh haha ikr ngl".split())
_RANK = {Outcome.DECLINE: 0, Outcome.SUGGEST: 1, Outcome.ANSWER: 2}
# Declines that no shorter reading may overrule: the message is about something else.
_FOREIGN = ("unrelated:",)
_TELLING = (ENTITY, SYNONYM, OUT_OF_SCOPE, UNRELATED)
_KNOWN = (ENTITY, SYNONYM)
_NAMING = (ENTITY, OUT_OF_SCOPE, UNRELATED)
_BESIDES = f"{SYNONYM}supporting"
_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;:,])\s+|\s+[—–-]+\s+"
    r"|\s+(?:and|but|so)\s+(?=(?:what|who|where|why|how|is|does|did|can|which)\b)"
)
_QUESTION_START = re.compile(r"\b(?:who|what|where|when|why|how|which)", re.IGNORECASE)
# Words that open a yes/no question: "is it any good", "does she ...".
_AUXILIARIES = frozenset("is are was were do does did can could will would should has have".split())


def _only_chat(text: str, analyzed: AnalyzedText) -> bool:
    """An interjection and everyday words, not asked ("lol same", "omg same"): a reaction,
    however an alias reads it ("same" is also a word for similarity)."""
    words = analyzed.words
    asked = "?" in text or any(w in QUESTION_WORDS for w in words)
    reacting = any(w in _INTERJECTIONS for w in words)
    return reacting and not asked and all(w in FUNCTION_WORDS for w in words)


def _asks_a_definition(words: tuple[str, ...]) -> bool:
    """'what is a whistleblower', 'define noir': general knowledge, not the article's."""
    if words[:1] == ("define",):
        return len(words) <= 3
    return words[:2] == ("what", "is") and words[2:3] in (("a",), ("an",)) and len(words) <= 6


def _opens_a_question(words: list[str]) -> bool:
    """A question word first, or an auxiliary not followed by "not" ("is it", not "don't")."""
    if not words:
        return False
    if words[0] in QUESTION_WORDS:
        return True
    return words[0] in _AUXILIARIES and words[1:2] != ["not"]


def question_readings(text: str) -> list[tuple[str, str]]:
    """Shorter readings of a chatty message, each with the lead-in it drops before the
    question word: the last clause that reads as a question (a sentence of its own, so
    nothing is dropped from it), and that clause from its question word on
    ("... i was wondering who plays ballard")."""
    clause = text.strip()
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(clause) if c.strip()]
    if len(clauses) > 1:
        # A clause with a question mark first; else one opening like a question (but not
        # "don't wanna ...", which opens with "do" too).
        asked = [c for c in clauses if c.endswith("?")]
        opening = [c for c in clauses if _opens_a_question(normalize(c).split())]
        clause = (asked or opening or [clause])[-1]
    readings = [(clause, "")] if clause != text.strip() else []
    found = _QUESTION_START.search(clause)
    if found and found.start() > 0:
        readings.append((clause[found.start() :], clause[: found.start()]))
    return readings
