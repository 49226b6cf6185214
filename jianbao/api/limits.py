"""Bounds of the API's integer parameters: SQLite integers are 64-bit, so an unbounded offset
(2**63) overflowed into an HTTP 500 before it reached a query."""

MAX_OFFSET = 10**9
