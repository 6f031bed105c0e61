"""Email over SMTP (smtplib): one multipart/alternative message, plain text and HTML.

``tls`` is ``starttls`` (upgrade after EHLO), ``tls`` (implicit TLS, port 465) or
``none``. Credentials come from the environment (``TRIAGEDESK_SMTP_USERNAME`` /
``TRIAGEDESK_SMTP_PASSWORD``) and are never logged or put in an error message.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pydantic import SecretStr

from triagedesk.domain.errors import ExternalServiceError
from triagedesk.ports.notify import Email


class SmtpMailer:
    """:class:`triagedesk.ports.notify.Mailer` over smtplib."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        tls: str = "starttls",
        username: str | None = None,
        password: SecretStr | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if tls not in ("starttls", "tls", "none"):
            raise ValueError(f"tls must be starttls, tls or none, not {tls!r}")
        self.host, self.port, self.sender, self.tls = host, port, sender, tls
        self._username = username
        self._password = password
        self.timeout = timeout
        self._context = ssl_context

    def __repr__(self) -> str:  # never show the credentials
        return f"SmtpMailer(host={self.host!r}, port={self.port}, tls={self.tls!r})"

    def build(self, email: Email) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = email.subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(email.recipients)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.sender.rpartition("@")[2] or "triagedesk.local"
        msg["Message-ID"] = make_msgid(domain=domain)
        msg.set_content(email.text)
        msg.add_alternative(email.html, subtype="html")
        return msg

    def send(self, email: Email) -> str:
        if not email.recipients:
            raise ExternalServiceError("email: no recipients")
        msg = self.build(email)
        where = f"{self.host}:{self.port}"
        context = self._context or ssl.create_default_context()
        try:
            if self.tls == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if self.tls == "starttls":
                    client.starttls(context=context)
                    client.ehlo()
                if self._username:
                    secret = self._password.get_secret_value() if self._password else ""
                    client.login(self._username, secret)
                refused = client.send_message(msg)
        except smtplib.SMTPAuthenticationError as exc:
            raise ExternalServiceError(
                f"SMTP {where} refused the login ({exc.smtp_code})"
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise ExternalServiceError(
                f"SMTP {where} does not offer STARTTLS (set report.smtp_tls)"
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise ExternalServiceError(
                f"SMTP {where} refused every recipient: {', '.join(exc.recipients)}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise ExternalServiceError(
                f"SMTP {where} answered {exc.smtp_code}: {_text(exc.smtp_error)}"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ExternalServiceError(
                f"SMTP {where} failed: {type(exc).__name__}: {exc}"
            ) from None
        if refused:
            raise ExternalServiceError(
                f"SMTP {where} refused some recipients: {', '.join(sorted(refused))}"
            )
        return str(msg["Message-ID"])


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
