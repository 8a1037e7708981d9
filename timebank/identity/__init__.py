"""People: accounts, login, passwords, language and elder-mode preferences, acting on behalf of an elder."""
