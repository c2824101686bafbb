"""Forks until it cannot: every child sleeps (they would all be left behind without the PID namespace)."""
import os
import time

while True:
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
