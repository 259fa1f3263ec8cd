"""Backline's own date and time formats per language (``FORMAT_MODULE_PATH``): every
page shows a moment the same way, and a language without a module here keeps
Django's formats for it."""
