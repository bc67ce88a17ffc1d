r''m -rf x; \rm y; "r"m z; $'\x72m' w
