"""Speech output (care mode reads the screen aloud): the `Speaker` Protocol and its backends."""
