package tree

// ReadRegular is readRegular, for the tests of a file replaced after the
// walk listed it.
var ReadRegular = readRegular
