echo skipped; exit 77
