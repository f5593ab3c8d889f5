"""Use cases, a package per feature and a module per use case: each opens a unit of work,
asks domain/ for the rules, calls repositories (storage/repos/) and queues notices in the
outbox, then commits. No SQL, no ORM rows, no Telegram here."""
