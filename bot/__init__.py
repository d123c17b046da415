"""liaison-bot: monthly reporting by member-unit liaisons to a health-campaign office.

Package map: ``bot`` holds settings, CLI, app assembly and the platform-free domain
(``bot.domain``); ``handlers`` adapts Telegram updates to it; ``storage`` keeps the
database and the photo store; ``messages`` holds every user-visible string.
"""

__version__ = "0.1.0"
