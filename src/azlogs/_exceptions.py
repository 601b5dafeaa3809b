"""The one error tree of azlogs.

Every error a user of the library or the CLI can see is one of these. Whether an error is worth
retrying is a property of its type, and so is the CLI exit code::

    AzlogsError                          exit 1
    ├── UsageError                       exit 2   bad arguments, bad config
    ├── ConfigError(UsageError)          exit 2   a config file that cannot be used
    ├── InputError                       exit 1   a record/file/line that cannot be read
    │   └── RecordEncodeError                     a record that cannot become a JSON object
    ├── AuthError                        exit 1   no identity, no token, token refused
    │   ├── IdentitySourceError                   no managed-identity source found / usable
    │   └── TokenRequestError (retryable)         the token endpoint failed this time
    ├── TransportError  (retryable)      exit 1   connection refused/reset, timeout, TLS
    │   ├── TlsVerifyError                        the endpoint's certificate is not trusted
    │   └── EndpointError                         the endpoint URL cannot be used at all
    ├── ServiceError                     exit 1   an HTTP answer from the service that is not success
    │   ├── RetryableServiceError (retryable)     408, 429, 5xx
    │   └── PermanentServiceError                 400, 401, 403, 404, 413 ...
    │       └── ArmRequestError                   ARM refused a request (code and details)
    ├── SchemaError                      exit 1   a schema / DCR / table definition that is invalid
    │   └── ArmValidationError                    a definition ARM would refuse, with ARM's details
    ├── KqlError                         exit 1   a KQL text that does not parse or is not allowed
    │   └── KqlLimitError                         a run that exceeded its budget (rows, memory, a cap)
    │       └── KqlTimeoutError                   a run that exceeded its time limit
    ├── DeadlineExceeded                 exit 1   an upload's deadline passed before records were sent
    ├── OversizeBody                     exit 1   a body over the limit even after gzip
    ├── NotSentError                     exit 1   records read but not sent because the upload stopped
    ├── SpoolError                       exit 1   the spool cannot do what was asked (closed, locked ...)
    │   ├── SpoolFullError (retryable)            max_bytes reached
    │   └── SpoolStorageError                     the disk refused an operation; ``errno`` says which
    └── EmulatorError                    exit 1   the local emulator cannot start / is not running

Messages name the thing (file and line, DCR id, stream, object id) and the fix. No error ever
carries a token, key or secret in its message.
"""

from __future__ import annotations

import errno as _errno
from dataclasses import dataclass
from typing import Any, Final


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


class RecordEncodeError(InputError):
    """A record that cannot become a JSON object; names the record's index and the reason."""

    def __init__(self, message: str, *, index: int | None = None) -> None:
        where = f"record {index}: " if index is not None else ""
        super().__init__(f"{where}{message}")
        self.index = index
        self.reason = message


class AuthError(AzlogsError):
    """No token could be obtained, or the service refused the token."""


class IdentitySourceError(AuthError):
    """No managed-identity source is available or usable where the code runs."""


class TokenRequestError(AuthError):
    """The credential failed to get a token this time (token endpoint down, throttled, timed out)."""

    retryable = True


class TransportError(AzlogsError):
    """The request did not get an HTTP answer: connection, TLS or timeout failure."""

    retryable = True


class TlsVerifyError(TransportError):
    """The endpoint's TLS certificate is not trusted: retrying cannot help."""

    retryable = False


class EndpointError(TransportError):
    """The endpoint URL cannot be used at all."""

    retryable = False


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


class ArmRequestError(PermanentServiceError):
    """ARM refused a request: status, ARM's error code, message and details (``[{code, message}]``)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        details: list[dict[str, Any]] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, hint=hint)
        self.details = details or []


class SchemaError(AzlogsError):
    """A table, stream declaration or DCR that is not valid."""


# ARM's outer code and message for an invalid data collection rule (see azlogs.schema.errors).
INVALID_PAYLOAD: Final = "InvalidPayload"
DCR_INVALID_MESSAGE: Final = "Data collection rule is invalid"


@dataclass(frozen=True)
class ArmErrorDetail:
    """One entry of ARM's ``error.details``: what is wrong, and where (a property path)."""

    code: str
    message: str
    target: str | None = None

    def to_json(self) -> dict[str, str]:
        """The detail as ARM JSON (``target`` omitted when unknown)."""
        body = {"code": self.code, "message": self.message}
        if self.target is not None:
            body["target"] = self.target
        return body


class ArmValidationError(SchemaError):
    """A table or DCR definition that ARM would refuse, with ARM's error code and details.

    ``details`` is a list the caller may extend (e.g. with ``InvalidTransformQuery`` details from
    the KQL engine) before answering with :func:`azlogs.schema.errors.to_arm_error`.
    """

    def __init__(
        self,
        details: list[ArmErrorDetail],
        *,
        code: str = INVALID_PAYLOAD,
        message: str = DCR_INVALID_MESSAGE,
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.details = details
        super().__init__(message, hint=hint)

    def __str__(self) -> str:
        lines = [f"{self.message} ({self.code})"]
        for d in self.details:
            where = f" at {d.target}" if d.target else ""
            lines.append(f"  - {d.code}{where}: {d.message}")
        if self.hint:
            lines.append(f"  fix: {self.hint}")
        return "\n".join(lines)


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


class DeadlineExceeded(AzlogsError):
    """The upload's deadline passed before these records could be sent."""


class OversizeBody(AzlogsError):
    """A request body over the limit even after gzip (incompressible records)."""


class NotSentError(AzlogsError):
    """Records that were read but not sent because the upload stopped."""


class SpoolError(AzlogsError):
    """The spool cannot do what was asked."""


class SpoolFullError(SpoolError):
    """The spool holds ``max_bytes`` of records not yet delivered; nothing was appended."""

    retryable = True

    def __init__(self, message: str, *, used: int, max_bytes: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.used = used
        self.max_bytes = max_bytes


class SpoolStorageError(SpoolError):
    """A file operation failed; the failed append was rolled back, nothing spooled before is lost."""

    def __init__(self, message: str, *, errno: int | None, path: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.errno = errno
        self.path = path
        # A full disk empties again when the sender catches up; an I/O error may not.
        self.retryable = errno == _errno.ENOSPC

    @property
    def disk_full(self) -> bool:
        """True when the volume holding the spool has no space left (ENOSPC)."""
        return self.errno == _errno.ENOSPC


class EmulatorError(AzlogsError):
    """The local emulator cannot start, or is not running where expected."""
