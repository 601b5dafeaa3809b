"""The one error tree of azlogs.

Every error a user of the library or the CLI can see is one of these. Whether an error is worth
retrying is a property of its type, and so is the CLI exit code::

    AzlogsError                          exit 1
    ├── UsageError                       exit 2   bad arguments, bad config
    ├── ConfigError(UsageError)          exit 2   a config file that cannot be used
    ├── InputError                       exit 1   a record/file/line that cannot be read
    ├── AuthError                        exit 1   no identity, no token, token refused
    │   └── IdentitySourceError                   no managed-identity source found / usable
    ├── TransportError  (retryable)      exit 1   connection refused/reset, timeout, TLS
    ├── ServiceError                     exit 1   an HTTP answer from the service that is not success
    │   ├── RetryableServiceError (retryable)     408, 429, 5xx
    │   └── PermanentServiceError                 400, 401, 403, 404, 413 ...
    ├── SchemaError                      exit 1   a schema / DCR / table definition that is invalid
    ├── KqlError                         exit 1   a KQL text that does not parse or is not allowed
    │   └── KqlLimitError                         a run that exceeded its budget (rows, memory, a cap)
    │       └── KqlTimeoutError                   a run that exceeded its time limit
    └── EmulatorError                    exit 1   the local emulator cannot start / is not running

Messages name the thing (file and line, DCR id, stream, object id) and the fix. No error ever
carries a token, key or secret in its message.
"""

from __future__ import annotations


class AzlogsError(Exception):
    """Base of every azlogs error."""

    exit_code: int = 1
    retryable: bool = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  fix: {self.hint}"
        return self.message


class UsageError(AzlogsError):
    """The caller asked for something that cannot be done as asked."""

    exit_code = 2


class ConfigError(UsageError):
    """A configuration file or value that cannot be used."""


class InputError(AzlogsError):
    """Input data that cannot be read: names the file, line or record and the reason."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if source is not None:
            where = source if line is None else f"{source}:{line}"
            message = f"{where}: {message}"
        super().__init__(message, hint=hint)
        self.source = source
        self.line = line


class AuthError(AzlogsError):
    """No token could be obtained, or the service refused the token."""


class IdentitySourceError(AuthError):
    """No managed-identity source is available or usable where the code runs."""


class TransportError(AzlogsError):
    """The request did not get an HTTP answer: connection, TLS or timeout failure."""

    retryable = True


class ServiceError(AzlogsError):
    """The service answered with a status that is not success."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code


class RetryableServiceError(ServiceError):
    """408, 429 and 5xx: worth another try after a delay."""

    retryable = True


class PermanentServiceError(ServiceError):
    """400, 401, 403, 404, 413 and other answers that the same request will get again."""


class SchemaError(AzlogsError):
    """A table, stream declaration or DCR that is not valid."""


class KqlError(AzlogsError):
    """A KQL text that does not parse, or uses what the dialect does not allow."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        if line is not None:
            message = f"line {line}, column {column or 0}: {message}"
        super().__init__(message, hint=hint)
        self.line = line
        self.column = column


class KqlLimitError(KqlError):
    """A query or transformation run that exceeded a limit of its budget (memory, rows, a value's size).

    ``limit`` names the limit (``"rows"``, ``"value_bytes"``, ``"compile_steps"``, ``"memory"``,
    ``"time"``), so an
    answer can say which one; the message says the figure and how to stay under it.
    """

    def __init__(self, message: str, *, limit: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.limit = limit


class KqlTimeoutError(KqlLimitError):
    """A query or transformation run that went past its deadline and was stopped."""


class EmulatorError(AzlogsError):
    """The local emulator cannot start, or is not running where expected."""
