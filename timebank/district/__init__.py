"""District administration: every community of the installation, instance-wide settings."""
