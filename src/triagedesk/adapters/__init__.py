"""The edge: GitHub, the database, S3, mail and Slack, each behind a Protocol in triagedesk.ports."""
