"""Core Alembic migrations (branch label ``core``). Installed as the package ``timebank_migrations``."""
