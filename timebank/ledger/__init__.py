"""The volunteer-hour ledger: service records, confirmation and balances (integer minutes, append-only)."""
