package clients

// SetHeldRows sets how many bytes of rows a paged render holds, for as
// long as the test runs.
func SetHeldRows(t interface{ Cleanup(func()) }, n int64) {
	old := heldRows
	heldRows = n
	t.Cleanup(func() { heldRows = old })
}

// RowsRendered returns how many client rows have been rendered so far.
func RowsRendered() int64 { return rowsRendered.Load() }
