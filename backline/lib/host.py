"""The name this process goes by: its host and its process id (``db1:4242``). An engine
writes its heartbeat under it and marks the messages it claims with it."""

import os
import socket


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
