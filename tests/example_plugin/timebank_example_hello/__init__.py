"""timebank-example-hello: a minimal third-party plugin (entry point ``timebank.plugins``)."""
