//go:build !unix

package tree

// Elsewhere opening a file cannot wait for a writer; links are refused by
// the walk.
const (
	openNonblock = 0
	openNoFollow = 0
)

func isLoop(error) bool { return false }
