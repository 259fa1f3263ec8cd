"""Small helpers every other layer may use; nothing here imports from Backline."""
