"""Pure rules and value types: money, catalog, people, memberships, quotes, proofs,
commission split, payouts, reports, leaders, affiliate accounts. No I/O and no clock:
time is passed in."""
