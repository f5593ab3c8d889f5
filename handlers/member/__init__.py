"""One Router per thing a member does in private chat (and the VIP group's doorman)."""
