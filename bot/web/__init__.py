"""The office's web console: the month on one page, reports with photos, review, downloads.

Served by ``liaison-bot run`` beside the chats (``bot.web.serve.running_console``); every
page calls the same domain functions as the chat commands. Login is by a one-time link sent
in chat (/web): no passwords. See ``bot.web.auth`` for the rules every request passes.
"""

from bot.web.app import build_web_app

__all__ = ["build_web_app"]
