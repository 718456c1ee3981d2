"""Models of annualreports."""
