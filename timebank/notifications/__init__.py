"""In-app notifications (the inbox) and delivery channels that plugins can add."""
