package probe

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Resolve is one curl-style --resolve entry: connections to Host:Port go to
// Addr instead of what DNS says, while the URL, the Host header, TLS's
// server name and certificate check keep the real name. It lets a probe
// check a preview (wellknown serve) under the issuer it will be published
// at, which the metadata's issuer must equal.
type Resolve struct {
	Host string // lowercase
	Port string
	Addr string // host:port to dial
}

func (r Resolve) String() string { return r.Host + ":" + r.Port + ":" + r.Addr }

// ParseResolve reads HOST:PORT:ADDR, as curl --resolve writes it. ADDR is
// an IPv4 address, an IPv6 one (bracketed or not) or a name; it is dialled
// at PORT, or at a port of its own when written as ADDR:PORT or
// [IPv6]:PORT, so that a preview on 127.0.0.1:8443 stands in for port 443
// (curl needs --connect-to for that).
func ParseResolve(s string) (Resolve, error) {
	host, rest, ok1 := strings.Cut(s, ":")
	port, addr, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || host == "" || addr == "" {
		return Resolve{}, fmt.Errorf("--resolve %q must be HOST:PORT:ADDR, such as login.example.com:443:127.0.0.1", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return Resolve{}, fmt.Errorf("--resolve %q: port %q is not a number from 1 to 65535", s, port)
	}
	dial := net.JoinHostPort(strings.Trim(addr, "[]"), port)
	if h, p, err := net.SplitHostPort(addr); err == nil {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Resolve{}, fmt.Errorf("--resolve %q: port %q is not a number from 1 to 65535", s, p)
		}
		dial = net.JoinHostPort(h, p)
	} else if strings.HasPrefix(addr, "[") && !strings.HasSuffix(addr, "]") {
		return Resolve{}, fmt.Errorf("--resolve %q: %q is not an address", s, addr)
	}
	return Resolve{Host: strings.ToLower(host), Port: port, Addr: dial}, nil
}

// Matches reports whether a request to host:port is redirected by r.
func (r Resolve) Matches(hostport string) bool {
	h, p, err := net.SplitHostPort(hostport)
	return err == nil && strings.EqualFold(h, r.Host) && p == r.Port
}

// Dialer wraps dial so that connections to a host and port named by one of
// rs go to its address.
func Dialer(rs []Resolve, dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		for _, r := range rs {
			if r.Matches(addr) {
				return dial(ctx, network, r.Addr)
			}
		}
		return dial(ctx, network, addr)
	}
}
