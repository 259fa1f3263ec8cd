"""Web push with VAPID, to browsers that subscribed."""
