"""One repository per aggregate, each an attribute of the unit of work (storage/uow.py).

Every query, lock and duplicate-insert rule lives here as a named method. Repositories
hand out domain values or small frozen records, never ORM rows, and never commit.
"""
