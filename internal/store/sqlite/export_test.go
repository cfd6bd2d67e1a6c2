package sqlite

import "database/sql"

// Pools exposes a DB's connection pools to the tests, which check the
// settings every connection must carry.
func Pools(db *DB) (writer, reader *sql.DB) { return db.writer, db.reader }

// Readers is the size of the reader pool.
const Readers = readers
