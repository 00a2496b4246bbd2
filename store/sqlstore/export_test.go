package sqlstore

// RebindFor is a test's query written with ? placeholders, as the engine of
// dsn takes it.
func RebindFor(dsn, query string) string {
	if IsURL(dsn) {
		return rebindDollar(query)
	}
	return query
}
