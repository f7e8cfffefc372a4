"""Whether a chat message reads as a question at all (for channels the bot listens in)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.matching.language import QUESTION_WORDS
from bot.matching.normalize import clean_text, normalize
from bot.matching.terms import AnalyzedText

__all__ = ["reads_as_question", "reads_as_remark"]

# Words that open a yes/no question or a request: "is it good", "tell me about ...".
_OPENERS = frozenset(
    "is are was were do does did can could will would should has have any anyone if whether".split()
)
_REQUEST = re.compile(r"^(?:tell me|explain|describe|remind me|i wonder|wonder)\b")


def reads_as_question(text: str) -> bool:
    """A question mark, a question word or auxiliary first, or a request ("tell me ...").

    Used only to stay silent: in a listening channel, a message that does not read as a
    question is chatter, whatever it mentions.
    """
    if "?" in clean_text(text):
        return True
    words = normalize(text).split()
    if not words:
        return False
    return (
        words[0] in QUESTION_WORDS or words[0] in _OPENERS or bool(_REQUEST.match(" ".join(words)))
    )


# A remark rather than a question: "the show is so good omg", "that episode was wild",
# "i am rewatching it". Read only when nothing marks a question (no "?", no question word).
_TAGS = re.compile(r"\b(?:right|or nah|or not|or no|yes or no|any good|or what|good or bad)$")
# Talk to the channel, not questions to the bot, whatever the punctuation.
_SOCIAL = re.compile(
    r"^(?:(?:so|ok|lol|omg|yo|hey|guys) )*(?:anyone|anybody|who else|any1) "
    r"(?:(?:else|here|else here) )?(?:watching|watched|seen|see|finished|binging|bingeing|up for|"
    r"want to watch|wanna watch|excited|hyped)\b"
    r"|^(?:(?:so|ok|lol|omg|i|we) )*(?:can not|cannot|cant) wait\b"
    r"|\banyone else (?:watching|tuning in|seen|seeing|here|binging|bingeing|excited)\b"
)
_LEAD_INS = frozenset(
    "so wait ok okay lol lmao lowkey ngl hey yo hmm um oh but and also like".split()
)
_STATEMENT_VERBS = frozenset(
    "is are was were am got gets give gives keep keeps kept love loved hate hated "
    "rise rock rocks slaps slapped".split()
)
_ASKING_PAIRS = re.compile(
    r"\b(?:is|are|am|was|were|do|does|did|can|could|will|would|should|has|have)"
    r" (?:it|this|that|she|he|they|there|i|you|we|the)\b"
)
_ASKING_WORDS = frozenset(
    "explain recommend know forget forgetting remember wonder wondering wondered curious "
    "asking finish complete".split()
)
_REQUESTS = frozenset("tell describe give summarize summarise name list remind".split())


def reads_as_remark(analyzed: AnalyzedText) -> bool:
    """Whether a message is a remark, not a question: no question mark, no question word, no
    verb-first question ("is it …", after any "so"/"wait"), no request, but a verb after the
    first word ("the show is so good", "that episode was wild"), read from the analysed
    message (its words normalised and corrected, and whether it had a question mark)."""
    words: Sequence[str] = analyzed.words
    if _SOCIAL.search(" ".join(words)):
        return True  # "anyone watching it tonight?", "cant wait for more": to people
    if analyzed.question_mark:
        return False
    start = 0
    while start < len(words) and words[start] in _LEAD_INS:
        start += 1
    words = words[start:]
    while len(words) > 1 and words[-1] in _LEAD_INS:
        words = words[:-1]  # "... right lol": the tag counts, the laugh does not
    if len(words) < 2 or any(w in QUESTION_WORDS or w in _ASKING_WORDS for w in words):
        return False
    joined = " ".join(words)
    if (
        words[0] in _OPENERS
        or words[0] in _REQUESTS
        or _ASKING_PAIRS.search(joined)
        or _TAGS.search(joined)
    ):
        return False
    return any(w in _STATEMENT_VERBS for w in words[1:])
