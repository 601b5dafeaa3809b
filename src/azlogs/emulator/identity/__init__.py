"""emulator/identity."""
