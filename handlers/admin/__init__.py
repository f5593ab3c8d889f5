"""One Router per admin area: payments and reports to review, members, catalog, ledger,
leaders and affiliate accounts."""
