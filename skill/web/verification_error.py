"""The one exception every failed request check raises."""

from ask_sdk_runtime.exceptions import AskSdkException


class VerificationException(AskSdkException):
    """A request failed verification; the message is a short one-line reason."""
