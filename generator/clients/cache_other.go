//go:build !unix

package clients

const syscallNoFollow = 0
