"""triagedesk: a tiered support desk for products whose users report problems on GitHub."""

__version__ = "0.1.0"
