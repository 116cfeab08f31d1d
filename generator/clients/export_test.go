package clients

// SetHeldRows sets how many bytes of rows a paged render holds, for as
// long as the test runs.
func SetHeldRows(t interface{ Cleanup(func()) }, n int64) {
	old := heldRows
	heldRows = n
	t.Cleanup(func() { heldRows = old })
}

// RowsRenderedAgain returns how many client rows paged renders have
// rendered a second time for their page so far.
func RowsRenderedAgain() int64 { return rowsAgain.Load() }
