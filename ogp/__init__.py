"""Settings-free OGP rules shared by every app (no models, no database, no clock)."""
