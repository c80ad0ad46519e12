"""Pure domain rules: identifiers, money, statuses, financing plans; no Qt and no database."""
