"""HTTP: the routes (``producer``), dependencies, the error mapping and the body-size guard."""
