"""Exceptions raised by liaison-bot, in one tree so callers can catch at the right level.

    LiaisonBotError                 anything this project raises on purpose
    ├── ConfigError                 a setting is missing or malformed (CLI exits 2)
    ├── StartupError                a service the bot needs refuses or cannot be reached (exit 1)
    ├── StorageError                the database or file store cannot do what was asked
    │   └── StoredFileMissing       a sha256 names no file in the content store
    └── DomainError                 a request breaks a business rule; shown to the user
        └── NotRegistered           the chat identity belongs to no liaison or office user

Handlers turn ``DomainError`` into a friendly template reply; anything else is logged by
the error handler and answered with a generic apology, never a traceback in chat.
"""


class LiaisonBotError(Exception):
    """Base class for every error raised on purpose by liaison-bot."""


class ConfigError(LiaisonBotError):
    """A setting is missing or malformed; the message names the environment variable."""


class StartupError(LiaisonBotError):
    """``liaison-bot run`` cannot start a transport: a rejected token or secret, an API it
    cannot reach, a port in use. The message is one line naming the setting to look at."""


class StorageError(LiaisonBotError):
    """The database or the file store cannot complete an operation."""


class StoredFileMissing(StorageError):
    """No file with the requested sha256 exists in the content store."""


class DomainError(LiaisonBotError):
    """A request breaks a business rule; ``template`` names the reply shown to the user."""

    template = "error_generic"


class NotRegistered(DomainError):
    """The person asking is neither a registered liaison nor an office user."""

    template = "not_registered"
