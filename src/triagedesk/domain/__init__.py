"""Pure domain: standard library only, no I/O, no clock (the time is always an argument)."""
