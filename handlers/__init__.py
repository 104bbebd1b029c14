"""Telegram adapters: thin python-telegram-bot callbacks that call the core in ``bot/``."""
