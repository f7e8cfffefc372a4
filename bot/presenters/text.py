"""Plain-text and JSON renderings of a Match, for the CLI and the console."""

from __future__ import annotations

import json
from typing import Any

from bot.curation import ProposedExample, QuestionGroup, StatsReport
from bot.facts.model import FactBase, Topic
from bot.fleet import FleetReload
from bot.matching.matcher import Match, Outcome
from bot.matching.normalize import clean_text
from bot.privacy import redact_ids

__all__ = [
    "DECLINE_TEXT",
    "as_question",
    "clip",
    "groups_lines",
    "known_topics",
    "match_as_dict",
    "match_as_json",
    "match_as_line",
    "match_as_text",
    "proposals_lines",
    "shown_question",
    "stats_lines",
]

DECLINE_TEXT = "The article doesn't say, so I can't answer that."
# Between the answers (or suggestions) that share one line in batch mode.
LINE_SEPARATOR = " | "


def _one_part(match: Match) -> dict[str, Any]:
    fact = match.fact if match.outcome is Outcome.ANSWER else None
    return {
        "question": match.question,
        "outcome": match.outcome.value,
        "fact_id": fact.id if fact else None,
        "topic": fact.topic.value if fact else None,
        "answer": fact.answer if fact else None,
        "source": fact.source if fact else None,
        "score": match.score,
        "suggestions": [
            {"fact_id": s.fact_id, "question": s.question, "score": s.score}
            for s in match.suggestions
        ],
    }


def match_as_dict(match: Match) -> dict[str, Any]:
    """The stable JSON shape of a match (see README: `trivia-bot ask --json`).

    `outcome`, `fact_id` and the rest describe the first answered part; `parts` lists every
    question of the message (one item for a single question), and `answer` joins the
    answers of all parts so a reader of that field alone sees each of them.
    """
    result = _one_part(match)
    result["question"] = match.question
    parts = [_one_part(part) for part in match.parts] or [_one_part(match)]
    answers = [part["answer"] for part in parts if part["answer"]]
    if len(answers) > 1:
        result["answer"] = "\n\n".join(answers)
    result["parts"] = parts
    return result


def match_as_json(match: Match) -> str:
    """One line of JSON."""
    return json.dumps(match_as_dict(match), ensure_ascii=False)


def known_topics(fact_base: FactBase) -> str:
    """The topics the fact base covers, for a decline hint."""
    present = {f.topic for f in fact_base.facts}
    return ", ".join(t.value for t in Topic if t in present)


SHOWN_QUESTION_CHARS = 80


def shown_question(question: str) -> str:
    """A question as it may be shown publicly (an answer's title): no control, bidi or
    invisible characters, no mention or @everyone, no link, no long id; 80 characters at most."""
    text = redact_ids(clean_text(question))  # clean_text drops links and Discord markup
    text = text.replace("@", "\N{FULLWIDTH COMMERCIAL AT}")  # never read as a mention
    return as_question(clip(text, SHOWN_QUESTION_CHARS))


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def as_question(phrasing: str) -> str:
    """'who plays the lead' -> 'Who plays the lead?'"""
    text = phrasing.strip().rstrip("?")
    return f"{text[:1].upper()}{text[1:]}?"


def match_as_text(match: Match, fact_base: FactBase) -> str:
    """A human-readable answer, suggestion list or decline."""
    if len(match.answered_facts) > 1:
        return "\n".join(f"{f.answer}\n  Source: “{f.source}”" for f in match.answered_facts)
    if match.outcome is Outcome.ANSWER and match.fact is not None:
        return f"{match.fact.answer}\n  Source: “{match.fact.source}”"
    if match.outcome is Outcome.SUGGEST:
        lines = ["Did you mean:"]
        lines += [f"  - {as_question(s.question)}" for s in match.suggestions]
        return "\n".join(lines)
    return f"{DECLINE_TEXT} I know about: {known_topics(fact_base)}."


def match_as_line(match: Match, fact_base: FactBase) -> str:
    """The same on one line, for batch mode: each answer with its source, answers and
    suggestions separated by `LINE_SEPARATOR`, line breaks inside them made spaces."""
    if match.answered_facts:
        items = [f"{f.answer} Source: “{f.source}”" for f in match.answered_facts]
        text = LINE_SEPARATOR.join(items)
    elif match.outcome is Outcome.SUGGEST:
        questions = LINE_SEPARATOR.join(as_question(s.question) for s in match.suggestions)
        text = f"Did you mean: {questions}"
    else:
        text = match_as_text(match, fact_base)
    return " ".join(text.split())


def stats_lines(report: StatsReport) -> list[str]:
    """The stats, one line each (shared by the CLI report and the /facts stats embed)."""
    up, down = report.thumbs
    lines = [
        f"Facts: {report.facts} facts, {report.phrasings} phrasings loaded",
        f"Questions served: {report.served}",
        "Outcomes: "
        + ", ".join(
            f"{o.value} {report.rate(o):.0%}"
            for o in (Outcome.ANSWER, Outcome.SUGGEST, Outcome.DECLINE)
        ),
        f"Feedback: {up} 👍, {down} 👎",
    ]
    if report.since_start:
        count = sum(report.since_start.values())
        lines.append(f"This bot process since start (all servers): {count} questions")
    if report.p50_ms is not None and report.p99_ms is not None:
        lines.append(
            f"Answer time in this process: p50 {report.p50_ms:.2f} ms, p99 {report.p99_ms:.2f} ms"
        )
    lines += [f"Least liked: {fact} ({u} 👍, {d} 👎)" for fact, u, d in report.least_liked()]
    if report.digest:
        lines.append(f"Fact base served here: {report.digest}")
    return lines + fleet_lines(report)


def fleet_lines(report: StatsReport) -> list[str]:
    """The processes sharing the store and the fact base each serves: a fleet serving more
    than one (a host whose files were not updated, a reload that failed there) shows."""
    if not report.processes:
        return []
    digests = {p.facts_digest for p in report.processes}
    lines = [
        f"Processes: {len(report.processes)}, serving "
        + ("one fact base" if len(digests) == 1 else f"{len(digests)} different fact bases ⚠")
    ]
    for process in report.processes:
        here = " (this one)" if process.name == report.this_process else ""
        lines.append(f"· {process.name}{here}, shards {process.shards}: {process.facts_digest}")
    return lines


def fleet_reload_lines(fleet: FleetReload) -> list[str]:
    """How a reload fared across the processes: a count, then each failure and each process
    that did not answer (shared by `/facts reload` and `trivia-bot reload`)."""
    lines = [f"Reloaded in {fleet.reloaded} of {fleet.asked} process(es)"]
    lines += [f"✗ {answer.process}: {answer.detail}" for answer in fleet.failed]
    lines += [f"✗ {name}: no answer (still reloading, or gone)" for name in fleet.silent]
    return lines


def groups_lines(groups: list[QuestionGroup]) -> list[str]:
    """Unanswered question groups, most asked first: '12× who plays the sister (+2 similar)'."""
    return [
        f"{g.count}× {g.example}" + (f" (+{len(g.variants)} similar)" if g.variants else "")
        for g in groups
    ]


def proposals_lines(proposals: list[ProposedExample]) -> list[str]:
    """Confirmed questions: '3× who's the lead → cast.lead_actor'."""
    return [f"{p.count}× {p.question} → {p.fact_id}" for p in proposals]
