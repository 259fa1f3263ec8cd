"""The engine's heartbeat."""

from django.db import models


class Heartbeat(models.Model):
    """Written by each engine every tick; pages warn coordinators when it is stale, or
    when one of its phases keeps failing (``engine.health``)."""

    name = models.CharField(max_length=120, primary_key=True)
    beat_at = models.DateTimeField()
    pid = models.PositiveIntegerField()
    # per phase, by name: its last duration, last success and failure, the kind of its
    # last error, and how many times in a row it failed since when (health.PhaseHealth)
    phases = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%H:%M:%S}"
