"""SMS and voice calls through a Twilio-compatible REST API."""
