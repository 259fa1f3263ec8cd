"""Browser tests: Backline's main flows in headless Chromium, every page checked with axe.

Run them on their own: ``make test-browser`` (``pytest -m browser tests/browser``).
"""
