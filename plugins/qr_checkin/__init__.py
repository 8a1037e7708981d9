"""Duty shifts with QR check-in (值勤、巡逻、党员示范岗): posts, shifts, sign-ups, QR posters, rotating kiosk codes,
leader scans, attendance rules, and pending service records in the ledger."""
