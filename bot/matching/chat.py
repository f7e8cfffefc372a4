"""Whether a chat message reads as a question at all (for channels the bot listens in)."""

from __future__ import annotations

import re

from bot.matching.language import QUESTION_WORDS
from bot.matching.normalize import clean_text, normalize

__all__ = ["reads_as_question"]

# Words that open a yes/no question or a request: "is it good", "tell me about ...".
_OPENERS = frozenset(
    "is are was were do does did can could will would should has have any anyone".split()
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
