"""What a run writes for people: the parity matrix, the versions comparison."""
