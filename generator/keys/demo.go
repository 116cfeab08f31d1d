package keys

// demoThumbprints are the RFC 7638 thumbprints of the example keys in the
// repository's keys/ directory. Their private halves are public, so the build
// warns whenever it publishes one, wherever the file was copied to.
// TestDemoKeysListed keeps this list in step with the files.
var demoThumbprints = []string{
	"ZwbQLu-JGOpulNgYQxq5k7c_dGBKanMfx1Vdpa3yITM", // keys/demo-ec-p256.pem
	"Hu5I2KQxO7oJwgKrJgqYyZFlkqMX_EW_hLL64pI97Bg", // keys/demo-rsa-2048.pem
}
