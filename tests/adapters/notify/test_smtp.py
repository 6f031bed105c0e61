"""Email through aiosmtpd on 127.0.0.1: the message parses back with both parts."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

from support.smtp_server import PASSWORD, USER, free_port, smtp_server
from triagedesk.adapters.notify.smtp import SmtpMailer
from triagedesk.domain.errors import ExternalServiceError
from triagedesk.ports.notify import Email

MAIL = Email(
    subject="[Docker Desktop] L1 rotation report 2026-W47",
    recipients=["pinata@docker.com", "lead@example.com"],
    text="# Report\n\nOpened 12, closed 9 — ünïcode too.\n",
    html="<!doctype html><html><body><h1>Report</h1><svg></svg></body></html>",
)


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_plain_smtp_multipart() -> None:
    with smtp_server() as (inbox, port, _):
        mailer = SmtpMailer(host="127.0.0.1", port=port, sender="triagedesk@docker.com", tls="none")
        message_id = mailer.send(MAIL)
    ((rcpts, raw),) = inbox.messages
    assert rcpts == ["pinata@docker.com", "lead@example.com"]
    msg = parse(raw)
    assert msg["Subject"] == MAIL.subject and msg["Message-ID"] == message_id
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().replace("\r\n", "\n") == MAIL.text
    assert "<svg></svg>" in html.get_content()


def test_starttls_and_login(tmp_path: Path) -> None:
    with smtp_server(tmp_path, starttls=True) as (inbox, port, ctx):
        mailer = SmtpMailer(
            host="127.0.0.1",
            port=port,
            sender="triagedesk@docker.com",
            tls="starttls",
            username=USER,
            password=SecretStr(PASSWORD),
            ssl_context=ctx,
        )
        mailer.send(MAIL)
        assert len(inbox.messages) == 1
        wrong = SmtpMailer(
            host="127.0.0.1",
            port=port,
            sender="triagedesk@docker.com",
            tls="starttls",
            username=USER,
            password=SecretStr("not-it"),
            ssl_context=ctx,
        )
        with pytest.raises(ExternalServiceError, match="refused the login") as info:
            wrong.send(MAIL)
    assert "not-it" not in str(info.value) and "not-it" not in repr(wrong)


def test_server_without_starttls(tmp_path: Path) -> None:
    with smtp_server() as (_, port, _ctx):
        mailer = SmtpMailer(host="127.0.0.1", port=port, sender="t@docker.com", tls="starttls")
        with pytest.raises(ExternalServiceError, match="STARTTLS"):
            mailer.send(MAIL)


def test_refused_message() -> None:
    with smtp_server() as (inbox, port, _):
        inbox.refuse = "554 Transaction failed: spam"
        mailer = SmtpMailer(host="127.0.0.1", port=port, sender="t@docker.com", tls="none")
        with pytest.raises(ExternalServiceError, match="554"):
            mailer.send(MAIL)


def test_nobody_listening() -> None:
    port = free_port()
    mailer = SmtpMailer(
        host="127.0.0.1",
        port=port,
        sender="t@docker.com",
        tls="none",
        timeout=2,
        username="u",
        password=SecretStr("hunter2"),
    )
    with pytest.raises(ExternalServiceError, match=f"127.0.0.1:{port}") as info:
        mailer.send(MAIL)
    assert "hunter2" not in str(info.value)


def test_implicit_tls(tmp_path: Path) -> None:
    with smtp_server(tmp_path, implicit_tls=True) as (inbox, port, ctx):
        mailer = SmtpMailer(
            host="127.0.0.1", port=port, sender="t@docker.com", tls="tls", ssl_context=ctx
        )
        mailer.send(MAIL)
        plain = SmtpMailer(
            host="127.0.0.1", port=port, sender="t@docker.com", tls="none", timeout=1
        )
        with pytest.raises(ExternalServiceError):
            plain.send(MAIL)  # a plain client cannot talk to a TLS port
    assert len(inbox.messages) == 1
