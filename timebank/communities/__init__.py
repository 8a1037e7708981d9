"""Communities and their structure: grids, buildings, stairwells, households, teams and memberships."""
