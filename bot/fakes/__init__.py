"""Local stand-ins for remote chat platforms, shipped so ``liaison-bot demo`` and the tests
run the real bot with no token and no network."""
