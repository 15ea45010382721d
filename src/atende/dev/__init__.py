"""The local stack: the real Google emulators, the functions, and stand-ins for third parties."""
