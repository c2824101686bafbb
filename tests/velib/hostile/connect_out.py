"""Connects to another host than the grader's broker and API, below the grader's Python-level redirect."""
import _socket

sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
sock.settimeout(5)
sock.connect(("192.0.2.1", 9092))  # TEST-NET-1: reaches nothing even outside the sandbox
