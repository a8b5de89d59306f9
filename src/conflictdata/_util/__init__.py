"""Small helpers every layer shares: text for messages, bounded JSON, files."""
