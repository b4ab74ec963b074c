"""English left on a Czech page: words that the catalogue's English messages use and its Czech translations never
do (a word list from the catalogue, not a hand list), less the exceptions the glossary names."""

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "cs" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "locale" / "GLOSSARY.md"
_PLACEHOLDER = re.compile(r"%\([^)]*\)[sdifr]|%[sdifr]|\{\{[^}]*\}\}|\{[^}]*\}|<[^>]+>|&\w+;")
# A whole word of Latin letters only: "nor" inside the Czech "únor" is no English word.
_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z][a-z]{2,}(?![^\W\d_])")


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(_PLACEHOLDER.sub(" ", text))}


@cache
def glossary_exceptions() -> frozenset[str]:
    """The words the glossary's section "Words that stay as they are" lists (names of things, formats)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## Words that stay as they are", 1)[1].split("\n## ", 1)[0]
    return frozenset(w.lower() for w in re.findall(r"`([^`]+)`", section))


@cache
def english_vocabulary() -> frozenset[str]:
    english: set[str] = set()
    czech: set[str] = set()
    with CATALOGUE.open("rb") as handle:
        for message in read_po(handle, locale="cs"):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in ids:
                english |= words(text)
            for text in strings:
                czech |= words(text)
    return frozenset(english - czech - glossary_exceptions())


def english_left(text: str, *, stored: tuple[str, ...] = ()) -> set[str]:
    """The English words of the page's visible text, once the stored data it shows (names typed by people, user
    names, references) is taken out: stored data is never translated."""
    for value in sorted(stored, key=len, reverse=True):
        text = text.replace(value, " ")
    return words(text) & english_vocabulary()
