"""Helpers the tests share, one meaning per name."""
