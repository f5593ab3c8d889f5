"""What member and admin handlers share: callback data (callbacks.py), keyboards,
filters and the admin gate (admins.py), the admin-command helper and the review card,
the handlers' view of the settings (config.py), and small pieces of screens: replies,
dates, payment screens, uploaded pictures, per-member locks, typed answers in the admin
group (asked.py), Telegram profiles and Telegram's refusals (telegram_errors.py)."""
