"""The engine's heartbeat."""

from django.db import models


class Heartbeat(models.Model):
    """Written by each engine every tick; pages warn coordinators when it is stale."""

    name = models.CharField(max_length=120, primary_key=True)
    beat_at = models.DateTimeField()
    pid = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%H:%M:%S}"
