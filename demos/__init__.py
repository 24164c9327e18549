"""Runnable reproductions of the classic teaching programs; each module has ``main(argv)``."""
