package keys

// SignCompact signs payload as a compact JWS with the key's alg and kid in
// the header, and typ when typ is not empty.
func (k Key) SignCompact(payload []byte, typ string) (string, error) {
	signer, err := k.joseSigner(typ)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
