"""The small shared vocabulary every layer may import.

The clock, the acting person, refusals with their problem codes, notices and their
buttons, the outbox action kinds and the translatable names of plans. Nothing here
imports a feature (services, handlers, storage, bot); only `domain/` value types.
"""
