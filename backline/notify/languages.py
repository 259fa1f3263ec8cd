"""Each message in its recipient's language (``accounts.languages.language_of``), never
the sender's nor the engine's, which has no request and so no language of its own.

A message's words are written when it is enqueued (``written``: a function that writes
them is called inside ``translation.override`` of its recipient's language), and the
rest of what a transport adds when it sends (the e-mail's button and layout, a text's
reply line, a calendar file) is written in the same language (``outbox.process``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias, TypeVar

from django.utils import translation

from backline.accounts.languages import languages_of

T = TypeVar("T")

# what to say to one recipient: said already, or a function that says it in the
# language active when it is called
Words: TypeAlias = T | Callable[[], T]


def of_person(user_id: int) -> str:
    return languages_of([user_id])[user_id]


def written(said: Sequence[tuple[int, Words[T]]]) -> list[tuple[int, T]]:
    """Each (recipient, words) pair with its words written in the recipient's language
    (whose languages are looked up only when some words are still to be written)."""
    to_write = [recipient for recipient, words in said if callable(words)]
    language = languages_of(to_write) if to_write else {}
    return [(r, in_language(words, language.get(r, ""))) for r, words in said]


def in_language(words: Words[T], language: str) -> T:
    """``words`` written in ``language`` (words said already stay as they are)."""
    if not callable(words):
        return words
    with translation.override(language):
        return words()
