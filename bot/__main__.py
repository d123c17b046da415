"""``python -m bot`` is the same as the ``liaison-bot`` command."""

from bot.cli import main

main()
