"""Community administration: registrations, members, roles, places, teams, features and the audit log."""
