"""Models of yearwork."""
