"""The curated knowledge base: schema, loading with validation, lookups."""

from bot.knowledge.loader import KnowledgeError, Problem, load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.schema import Entry, LanguageBlock, OutOfScope, Source, Topic

__all__ = [
    "Entry",
    "KnowledgeBase",
    "KnowledgeError",
    "LanguageBlock",
    "OutOfScope",
    "Problem",
    "Source",
    "Topic",
    "load_knowledge",
]
