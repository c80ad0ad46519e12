"""The PDF summary sheets (reportlab, no Qt): one module per sheet, shared look in styles.py."""
