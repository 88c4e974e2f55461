"""Developer tools of the repository (not part of the product): the architecture check of `make lint`."""
