"""Turn raw user text (Discord markup, accents, zero-width noise) into plain comparable words."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_QUESTION_CHARS", "clean_text", "normalize"]

# Long pastes are cut before any work: a question never needs more, and cost stays bounded.
MAX_QUESTION_CHARS = 600

_DISCORD_MARKUP = re.compile(
    r"<a?:(\w{1,64}):\d{5,25}>"  # custom emoji <:name:id> -> keep the name
    r"|<(?:@[!&]?|#)\d{5,25}>"  # user, role and channel mentions
    r"|<t:\d+(?::\w)?>"  # timestamps
    r"|@(?:everyone|here)\b"
    r"|https?://\S+"
)
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_IRREGULAR = {"can't": "can not", "won't": "will not", "ain't": "is not", "shan't": "shall not"}
_IS_CONTRACTION = re.compile(r"\b(who|what|where|when|why|how|it|that|there|she|he|here)'s\b")
_SUFFIXES = (
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'s\b"), ""),  # what remains is possessive: "politician's" -> "politician"
    (re.compile(r"s'(?=\s|$)"), "s"),
)
# Chat spellings without apostrophes, and common shorthand.
_TO_BEFORE = frozenset("where how what want wanna need going got have able way time ok".split())
_CHAT_WORDS = {
    "serie": "series",
    "maked": "made",
    "whats": "what is",
    "wats": "what is",
    "wat": "what",
    "whos": "who is",
    "b4": "before",
    "wheres": "where is",
    "hows": "how is",
    "whens": "when is",
    "whys": "why is",
    "thats": "that is",
    "isnt": "is not",
    "doesnt": "does not",
    "dont": "do not",
    "didnt": "did not",
    "cant": "can not",
    "wasnt": "was not",
    "arent": "are not",
    "im": "i am",
    "ive": "i have",
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "tho": "though",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "ppl": "people",
    "ep": "episode",
    "eps": "episodes",
    "tv": "tv",
    "w": "with",
    "gud": "good",
    "gr8": "great",
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def clean_text(text: str, *, limit: int = MAX_QUESTION_CHARS) -> str:
    """Strip invisible characters, then Discord markup (a zero-width space inside a mention
    must not hide it); keep case and punctuation for display."""
    text = unicodedata.normalize("NFKC", text[: limit * 4])
    if text.isascii():
        text = _ASCII_CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)
    else:
        kept = (" " if ch in "\t\n\r" else ch for ch in text)
        text = "".join(ch for ch in kept if unicodedata.category(ch) not in _INVISIBLE)
    text = _DISCORD_MARKUP.sub(lambda m: f" {m.group(1)} " if m.group(1) else " ", text)
    return " ".join(text.split())[:limit]


def normalize(text: str) -> str:
    """Lower-case, accent-free words with contractions expanded and punctuation removed."""
    text = clean_text(text).casefold().translate(_APOSTROPHES)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    for word, expansion in _IRREGULAR.items():
        text = text.replace(word, expansion)
    text = _IS_CONTRACTION.sub(r"\1 is", text)
    for pattern, replacement in _SUFFIXES:
        text = pattern.sub(replacement, text)
    words = _NON_WORD.sub(" ", text).split()
    words = [_CHAT_WORDS.get(word, word) for word in words]
    # "where 2 watch", "how 2 stream": chat for "to", but "season 2" stays a number.
    return " ".join(
        "to" if w == "2" and 0 < i < len(words) - 1 and words[i - 1] in _TO_BEFORE else w
        for i, w in enumerate(words)
    )
