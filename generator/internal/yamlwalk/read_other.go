//go:build !unix

package yamlwalk

func readFile(path string, maxSize int) ([]byte, error) { return readFileOS(path, maxSize) }
