"""SMTP and Slack."""
