"""Core of the consultation assistant: knowledge base, language processing, matching.

Nothing in this package imports Telegram; the adapters in ``handlers/`` call into it.
"""

__version__ = "0.1.0"
