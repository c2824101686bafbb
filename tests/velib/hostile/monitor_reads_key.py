"""A monitor that first tries to read the instructor's ssh key and logs what happened on stderr, then monitors
exactly as the reference does. The test puts these lines into a copy of the reference monitor, just before
its ``if __name__ == "__main__":``: only the monitor's sandbox check may fail."""
import sys

try:
    with open("{KEY_PATH}") as _stolen:
        print(_stolen.read(), file=sys.stderr)
except OSError as _exc:
    print(f"could not borrow the key: {_exc}", file=sys.stderr)
