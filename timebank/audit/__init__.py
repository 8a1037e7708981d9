"""The audit log: who did what, when, and on whose behalf."""
