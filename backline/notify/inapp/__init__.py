"""In-app notifications: the person's list of messages inside Backline, and its count."""
