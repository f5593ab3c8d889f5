"""What member and admin handlers share: callback data, keyboards, filters, the admin gate,
the admin-command helper and the review card."""
