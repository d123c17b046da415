"""A fake WeCom API server for tests and the demo (see ``server.py``)."""

from bot.fakes.wecom.server import FakeWeCom, FakeWeComServer

__all__ = ["FakeWeCom", "FakeWeComServer"]
