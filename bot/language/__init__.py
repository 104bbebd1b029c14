"""Language processing: normalisation per script, language identification, tokens and lemmas.

Kept free of imports so that worker processes importing ``bot.language.lemmas`` stay light.
"""
