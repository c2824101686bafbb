"""Reads the instructor's ssh key (the one the grader uses on the Pis) and prints it."""
from pathlib import Path

print(Path("{KEY_PATH}").read_text())
