package probe

import (
	"context"
	"net"
	"testing"
)

func TestParseResolve(t *testing.T) {
	for _, tc := range []struct{ in, host, port, addr, err string }{
		{in: "login.example.com:443:127.0.0.1", host: "login.example.com", port: "443", addr: "127.0.0.1:443"},
		{in: "Login.Example.COM:443:127.0.0.1:8443", host: "login.example.com", port: "443", addr: "127.0.0.1:8443"},
		{in: "h:443:::1", host: "h", port: "443", addr: "[::1]:443"},
		{in: "h:443:[::1]", host: "h", port: "443", addr: "[::1]:443"},
		{in: "h:443:[::1]:8443", host: "h", port: "443", addr: "[::1]:8443"},
		{in: "h:443:preview.internal", host: "h", port: "443", addr: "preview.internal:443"},
		{in: "h:443", err: `--resolve "h:443" must be HOST:PORT:ADDR, such as login.example.com:443:127.0.0.1`},
		{in: ":443:127.0.0.1", err: `--resolve ":443:127.0.0.1" must be HOST:PORT:ADDR, such as login.example.com:443:127.0.0.1`},
		{in: "h:https:127.0.0.1", err: `--resolve "h:https:127.0.0.1": port "https" is not a number from 1 to 65535`},
		{in: "h:65536:127.0.0.1", err: `--resolve "h:65536:127.0.0.1": port "65536" is not a number from 1 to 65535`},
		{in: "h:443:127.0.0.1:0", err: `--resolve "h:443:127.0.0.1:0": port "0" is not a number from 1 to 65535`},
		{in: "h:443:[::1", err: `--resolve "h:443:[::1": "[::1" is not an address`},
	} {
		r, err := ParseResolve(tc.in)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: error %v, want %s", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case r.Host != tc.host || r.Port != tc.port || r.Addr != tc.addr:
			t.Errorf("%s: got %+v", tc.in, r)
		}
	}
}

// TestDialer: only the named host and port are redirected.
func TestDialer(t *testing.T) {
	r, _ := ParseResolve("login.example.com:443:127.0.0.1:8443")
	var dialled []string
	dial := Dialer([]Resolve{r}, func(_ context.Context, _, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		return nil, nil
	})
	for _, addr := range []string{"login.example.com:443", "LOGIN.example.com:443", "login.example.com:80", "other.example.com:443"} {
		dial(context.Background(), "tcp", addr)
	}
	want := []string{"127.0.0.1:8443", "127.0.0.1:8443", "login.example.com:80", "other.example.com:443"}
	if len(dialled) != len(want) {
		t.Fatalf("dialled %v", dialled)
	}
	for i := range want {
		if dialled[i] != want[i] {
			t.Errorf("dial %d: %s, want %s", i, dialled[i], want[i])
		}
	}
}
