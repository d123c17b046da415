"""Chat commands and buttons, whatever the platform.

Telegram (``handlers.commands``) and WeCom (``handlers.wecom``) parse their own updates, then
hand the words of a command, or the data of a pressed button, to this package — which checks
the permission written beside each command and calls the domain. So a command behaves, and
is authorized, the same on every platform; the adapters only render and send the ``Answer``.
"""
