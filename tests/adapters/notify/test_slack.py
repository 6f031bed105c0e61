"""Slack delivery against a local HTTP server: webhook and bot-token modes, payloads, failures."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from support.slack_server import slack_server
from triagedesk.adapters.notify.slack import SlackPoster
from triagedesk.domain.errors import ExternalServiceError
from triagedesk.ports.notify import ChatMessage

MSG = ChatMessage(
    text="*Docker Desktop L1 rotation report 2026-W47*\nOpened 12 · closed 9",
    attachment_name="triagedesk-report-2026-W47.html",
    attachment=b"<html>report</html>",
)
TOKEN = SecretStr("xoxb-test-token")


def test_webhook_posts_the_summary() -> None:
    with slack_server() as s:
        poster = SlackPoster(channel="#x", webhook_url=SecretStr(f"{s.base}/webhook"))
        linked = ChatMessage(text=MSG.text, link="https://reports.example/2026-W47.html")
        assert poster.post(linked) == "ok"
    (req,) = s.requests
    body = req.json()
    assert body["text"] == MSG.text
    assert body["blocks"][0]["text"]["text"] == MSG.text
    assert body["blocks"][1]["elements"][0]["url"] == "https://reports.example/2026-W47.html"


def test_token_posts_then_uploads_into_the_thread() -> None:
    with slack_server() as s:
        poster = SlackPoster(channel="#pinata", token=TOKEN, api_url=f"{s.base}/api")
        assert poster.post(MSG) == "1700000000.000100"
    paths = [r.path for r in s.requests]
    assert paths == [
        "/api/chat.postMessage",
        "/api/files.getUploadURLExternal",
        "/upload/F1",
        "/api/files.completeUploadExternal",
    ]
    post = s.requests[0].json()
    assert post["channel"] == "#pinata" and post["text"] == MSG.text
    assert b"filename=triagedesk-report-2026-W47.html" in s.requests[1].body
    assert b"<html>report</html>" in s.requests[2].body
    done = s.requests[3].json()
    assert done["channel_id"] == "C0123" and done["thread_ts"] == "1700000000.000100"


def test_token_with_a_link_does_not_upload() -> None:
    with slack_server() as s:
        poster = SlackPoster(channel="#pinata", token=TOKEN, api_url=f"{s.base}/api")
        poster.post(ChatMessage(text="t", link="https://r.example/w.html", attachment=b"x"))
    assert [r.path for r in s.requests] == ["/api/chat.postMessage"]


@pytest.mark.parametrize(
    ("mode", "fail_status", "api_error", "match"),
    [
        ("webhook", 500, None, "answered 500"),
        ("token", 503, None, "HTTP 503"),
        ("token", None, "channel_not_found", "channel_not_found"),
    ],
)
def test_failures_become_external_service_errors(
    mode: str, fail_status: int | None, api_error: str | None, match: str
) -> None:
    with slack_server() as s:
        s.fail_status, s.api_error = fail_status, api_error
        if mode == "webhook":
            poster = SlackPoster(channel="#x", webhook_url=SecretStr(f"{s.base}/webhook"))
        else:
            poster = SlackPoster(channel="#x", token=TOKEN, api_url=f"{s.base}/api")
        with pytest.raises(ExternalServiceError, match=match) as info:
            poster.post(MSG)
    assert "xoxb-test-token" not in str(info.value)


def test_unreachable_server_and_secret_not_shown() -> None:
    with slack_server() as s:
        dead = s.base
    poster = SlackPoster(channel="#x", webhook_url=SecretStr(f"{dead}/webhook"), timeout=2)
    with pytest.raises(ExternalServiceError) as info:
        poster.post(MSG)
    assert dead not in str(info.value)
    assert "webhook" not in repr(poster) or "http" not in repr(poster)
