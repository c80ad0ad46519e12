"""cvdesk: desk for contrat de ville coordinators."""
__version__ = "0.1.0"
