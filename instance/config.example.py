# Copy to instance/config.py and adjust. Environment variables TIMEBANK_<NAME> override these values.

# A long random string; created automatically in instance/secret_key when not set.
# SECRET_KEY = "..."

# SQLite (default: instance/timebank.sqlite3) or PostgreSQL for a district:
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://timebank:secret@localhost/timebank"

# The public address of this installation, used in QR codes and links in messages.
# BASE_URL = "https://timebank.example.org"

# Behind https:
# SESSION_COOKIE_SECURE = True
# REMEMBER_COOKIE_SECURE = True

# Rate-limit storage shared by all workers (Redis in production):
# RATELIMIT_STORAGE_URI = "redis://localhost:6379/0"

# Plugins blocked for the whole installation (needs a restart):
# DISABLED_PLUGINS = ["elder_meals"]

# Instance-level plugin settings:
# PLUGIN_SETTINGS = {"qr_checkin": {"rotating_seconds": 30}}
