"""The web layer: URLs, the base layout, home pages, static files."""
