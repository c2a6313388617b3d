"""What every layer uses: where things live (paths), the one-line user error, SDK versions in use,
and the local settings file."""
