"""Small pieces shared by every app (no models of its own, so no app to install)."""
