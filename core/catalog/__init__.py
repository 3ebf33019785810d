"""What can be bought: listings of project credits and CCCP products (see service.py)."""
