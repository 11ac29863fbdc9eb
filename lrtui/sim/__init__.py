"""The simulator: teaching problems, optimizers, the run's configuration and the epoch loop."""
