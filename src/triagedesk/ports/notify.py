"""Delivery of the report: email and chat. Adapters raise ExternalServiceError on failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    recipients: Sequence[str]
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class ChatMessage:
    #: the summary people read in the channel (Slack mrkdwn)
    text: str
    #: where the full report lives, if it is served somewhere
    link: str = ""
    #: the full report as a file to attach when there is no link
    attachment_name: str = ""
    attachment: bytes = b""


class Mailer(Protocol):
    def send(self, email: Email) -> str:
        """Send one message; returns the Message-ID."""
        ...


class ChatPoster(Protocol):
    def post(self, message: ChatMessage) -> str:
        """Post one message; returns something that identifies it (timestamp, "ok")."""
        ...
