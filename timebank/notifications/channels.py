"""Delivery channels for notifications besides the inbox. Plugins add channels with
``timebank_notification_channels``; the core ships ``log``, which only writes a log line (for development)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..i18n import _l

logger = logging.getLogger(__name__)


@dataclass
class NotificationChannel:
    """``deliver(notification, recipient, text)`` sends ``text`` (already in the recipient's language)."""

    name: str
    label: object
    deliver: Callable
    plugin: str = ""


def deliver_to_log(notification, recipient, text):
    # Never log the text itself or a phone number: it may carry personal data.
    logger.info("notification %s (%s) for user %s", notification.id, notification.kind, recipient.id)


LOG_CHANNEL = NotificationChannel(name="log", label=_l("Log only (development)"), deliver=deliver_to_log)
