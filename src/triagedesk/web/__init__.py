"""FastAPI: webhook endpoint, dashboard (Jinja2 + htmx), JSON API."""
