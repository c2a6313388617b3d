"""The suite's data files and their readers: the catalogue of cases and the ledger of known
divergences (both TOML, both checked strictly), and the version specifiers they share."""
