"""Back Stretches: a hands-free Alexa coach for lower-back stretches."""

__version__ = "0.1.0"
