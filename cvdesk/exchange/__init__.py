"""Exchange: export packages, import and merge, spreadsheets."""
