"""The demo data in seed/: the NHS Demo ICB, one account per role, and a year of events."""
