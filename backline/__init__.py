"""Backline: confidential peer support for 911 centers."""
