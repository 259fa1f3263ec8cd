"""On-call: rotations, schedules, overrides and swaps, "available now", quiet hours."""
