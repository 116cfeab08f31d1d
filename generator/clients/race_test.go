//go:build race

package clients_test

// raceEnabled: the race detector makes the 100,000-client test take minutes.
const raceEnabled = true
