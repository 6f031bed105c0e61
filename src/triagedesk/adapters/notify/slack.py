"""Slack: an incoming webhook, or a bot token with chat.postMessage and a file upload.

Webhook mode posts the summary (and the report link, when there is one); it
cannot attach files. Token mode posts the summary to the configured channel
and, without a link, uploads the HTML report into the same thread
(files.getUploadURLExternal → upload → files.completeUploadExternal).
Secrets stay out of messages and logs.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from triagedesk.domain.errors import ExternalServiceError
from triagedesk.ports.notify import ChatMessage


class SlackPoster:
    """:class:`triagedesk.ports.notify.ChatPoster` over httpx."""

    def __init__(
        self,
        *,
        channel: str,
        webhook_url: SecretStr | None = None,
        token: SecretStr | None = None,
        api_url: str = "https://slack.com/api",
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if webhook_url is None and token is None:
            raise ValueError("Slack needs a webhook URL or a bot token")
        self.channel = channel
        self._webhook = webhook_url
        self._token = token
        self.api_url = api_url.rstrip("/")
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def __repr__(self) -> str:
        mode = "token" if self._token is not None else "webhook"
        return f"SlackPoster(channel={self.channel!r}, mode={mode})"

    def close(self) -> None:
        self._client.close()

    @staticmethod
    def blocks(message: ChatMessage) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": message.text[:2900]}}
        ]
        if message.link:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "Full report"},
                            "url": message.link,
                        }
                    ],
                }
            )
        return blocks

    def post(self, message: ChatMessage) -> str:
        if self._token is not None:
            return self._post_with_token(message, self._token)
        assert self._webhook is not None
        payload = {"text": message.text, "blocks": self.blocks(message)}
        try:
            resp = self._client.post(self._webhook.get_secret_value(), json=payload)
        except httpx.HTTPError as exc:
            raise ExternalServiceError(f"Slack webhook failed: {type(exc).__name__}") from None
        if resp.status_code != 200:
            raise ExternalServiceError(
                f"Slack webhook answered {resp.status_code}: {resp.text[:200]}"
            )
        return "ok"

    def _api(
        self, token: SecretStr, method: str, *, json: Any = None, data: Any = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"}
        try:
            resp = self._client.post(
                f"{self.api_url}/{method}", headers=headers, json=json, data=data
            )
        except httpx.HTTPError as exc:
            raise ExternalServiceError(f"Slack {method} failed: {type(exc).__name__}") from None
        if resp.status_code != 200:
            raise ExternalServiceError(f"Slack {method} answered HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError:
            raise ExternalServiceError(f"Slack {method} answered something not JSON") from None
        if not isinstance(body, dict) or not body.get("ok"):
            err = body.get("error", "unknown error") if isinstance(body, dict) else "bad answer"
            raise ExternalServiceError(f"Slack {method} refused: {err}")
        return body

    def _post_with_token(self, message: ChatMessage, token: SecretStr) -> str:
        posted = self._api(
            token,
            "chat.postMessage",
            json={
                "channel": self.channel,
                "text": message.text,
                "blocks": self.blocks(message),
                "unfurl_links": False,
            },
        )
        ts = str(posted.get("ts", ""))
        channel_id = str(posted.get("channel", self.channel))
        if message.link or not message.attachment:
            return ts
        ticket = self._api(
            token,
            "files.getUploadURLExternal",
            data={"filename": message.attachment_name, "length": str(len(message.attachment))},
        )
        upload_url, file_id = ticket.get("upload_url"), ticket.get("file_id")
        if not isinstance(upload_url, str) or not isinstance(file_id, str):
            raise ExternalServiceError("Slack files.getUploadURLExternal gave no upload URL")
        try:
            up = self._client.post(
                upload_url, files={"file": (message.attachment_name, message.attachment)}
            )
        except httpx.HTTPError as exc:
            raise ExternalServiceError(f"Slack file upload failed: {type(exc).__name__}") from None
        if up.status_code != 200:
            raise ExternalServiceError(f"Slack file upload answered HTTP {up.status_code}")
        self._api(
            token,
            "files.completeUploadExternal",
            json={
                "files": [{"id": file_id, "title": message.attachment_name}],
                "channel_id": channel_id,
                "thread_ts": ts,
            },
        )
        return ts
