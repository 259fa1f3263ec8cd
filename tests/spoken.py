"""Which language a text was written in, before any catalogue says it in that language:
while ``marking()`` is on, every string Backline translates (``gettext``, lazily or not,
and ``{% translate %}``) comes out prefixed with the language active at that moment,
"[es] Backline: …". A message then says, wherever it arrives (an e-mail through SMTP, a
text through the provider, an in-app row, a calendar file), in which language each of
its parts was written, and so whether it was its recipient's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.utils import translation
from django.utils.translation import trans_real


def mark(language: str) -> str:
    return f"[{language}] "


@contextmanager
def marking(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def marked(message: str) -> str:
        return mark(translation.get_language()) + trans_real.gettext(message)

    with monkeypatch.context() as patched:
        # what every gettext call (lazy ones and templates' too) goes through
        patched.setattr(translation._trans, "gettext", marked)  # type: ignore[attr-defined]
        yield
