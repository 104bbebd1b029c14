"""Consultation requests and appointments (Telegram-free core)."""
