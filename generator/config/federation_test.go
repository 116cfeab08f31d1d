package config_test

import "testing"

var federationCases = []parseCase{
	{
		name: "federation errors, all at once",
		yaml: lines(okIssuer,
			"federation:",
			"  entity_id: https://other.example",
			"  authority_hints: []",
			"  lifetime: soon",
			"  client_registration_types_supported: [magic]",
			"  federation_entity: {organisation_name: x}",
		),
		errs: []string{
			"site.yaml:2:1: federation.key_dir is required: the directory of the federation keys, which sign the entity configuration",
			"site.yaml:3:14: federation.entity_id https://other.example is not an issuer of this site",
			"site.yaml:4:20: authority_hints must not be empty; leave it out for a trust anchor (OpenID Federation §3.1.1)",
			"site.yaml:5:13: federation.lifetime must be a duration such as 300s, 5m, 12h or 30d, not \"soon\"",
			"site.yaml:6:40: client registration type \"magic\" is neither automatic nor explicit (OpenID Federation §5.1.3)",
			"site.yaml:7:23: unknown field \"organisation_name\" in federation_entity\n\thint: did you mean \"organization_name\"?",
		},
	},
	{
		name: "federation keys apart from protocol keys",
		yaml: lines(okIssuer, "federation:", "  key_dir: keys"),
		errs: []string{"site.yaml:3:12: federation.key_dir must not be the protocol key directory: federation keys only sign entity statements (OpenID Federation §1.2)"},
	},
}

func TestFederation(t *testing.T) { runCases(t, federationCases) }
