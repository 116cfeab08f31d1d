package keys

// demoThumbprints are the RFC 7638 thumbprints of the example keys in the
// repository's keys/ and examples/ directories. Their private halves are public, so the build
// warns whenever it publishes one, wherever the file was copied to.
// TestDemoKeysListed keeps this list in step with the files.
var demoThumbprints = []string{
	"ZwbQLu-JGOpulNgYQxq5k7c_dGBKanMfx1Vdpa3yITM", // keys/demo-ec-p256.pem
	"Hu5I2KQxO7oJwgKrJgqYyZFlkqMX_EW_hLL64pI97Bg", // keys/demo-rsa-2048.pem
	"66g9GftGhobHHkB2Ae-J9op8dWJtv5psNkTUlDvuCpw", // examples/multi/keys/ec.pem
	"Y97xRHRoHl1y2zPrPjGzOM66Fmn8tphsMN15u_YPS_Q", // examples/multi/keys/rsa.pem
	"atAponY6UlRG1G1MbKx8w96WPcsvCDM83xVHffg5woc", // examples/multi/globex-keys/rsa.pem
	"UpSZok7Dzay3X6DdaL6sJoAH9JchwZThXGXr0aB_ceU", // examples/multi/federation-keys/federation.pem
}
