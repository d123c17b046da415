"""The platform-free domain: who is asking, periods, deadlines, reports, summaries.

Nothing under ``bot.domain`` imports a chat library; a test enforces it.
"""
