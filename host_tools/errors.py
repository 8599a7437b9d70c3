"""Failures the `kinedge` CLI reports as one line (the device refused, the emulator or PlatformIO
failed); timeouts and lost links use Python's TimeoutError / ConnectionError."""


class ToolError(RuntimeError):
    pass
