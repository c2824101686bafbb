"""Allocates 4 GB at once."""
block = bytearray(4 * 1024 ** 3)
print(len(block))
