"""Landing page, community home (cards), the Tasks tab, health check and web-app manifest."""
