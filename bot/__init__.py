"""Wiring: the entry point (python -m bot), settings, the container, the dispatcher and its
middlewares, the sending layer, the outbox relay and the Telegram actions it performs,
the scheduled jobs. The only layer that knows every other one."""
