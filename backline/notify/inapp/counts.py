"""The unread count shown in every page's header: one indexed COUNT query."""

from __future__ import annotations

from backline.notify.models import OutgoingMessage


def unread_count(user_id: int) -> int:
    return OutgoingMessage.objects.filter(recipient_id=user_id).unread().count()
