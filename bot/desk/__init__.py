"""The staff desk: conversations handed to people (Telegram-free core)."""
