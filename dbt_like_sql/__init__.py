"""The SQL models by layer; a contracted table's Pandera contract and GX suite sit beside its SQL."""
