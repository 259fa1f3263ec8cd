"""Realistic demo data for trying Backline: ``manage.py load_demo``."""
