package resource

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// redactor replaces secrets in everything written through it with "***". The timeline writes
// whole lines, so a secret is never split across writes.
type redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string
}

// newRedactor hides credentials (3 characters or more) and vars and env values (8 or more,
// not plain numbers or booleans): shorter ones would blank out ordinary words of the log
// ("start") and status codes. The engine never prints values; this is the safety net.
func newRedactor(w io.Writer, credentials, values []string) *redactor {
	var keep []string
	for _, s := range credentials {
		if len(s) >= 3 {
			keep = append(keep, s)
		}
	}
	for _, s := range values {
		if len(s) >= 8 && !plain(s) {
			keep = append(keep, s)
		}
	}
	sort.Slice(keep, func(i, j int) bool { return len(keep[i]) > len(keep[j]) })
	return &redactor{w: w, secrets: keep}
}

func (r *redactor) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := string(b)
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	if _, err := io.WriteString(r.w, s); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (r *redactor) clean(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return s
}

func plain(s string) bool {
	if s == "true" || s == "false" {
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// scrub hides secrets in an error about to be printed; an error without any is kept as is.
func scrub(err error, credentials, values []string) error {
	if err == nil {
		return nil
	}
	if clean := newRedactor(io.Discard, credentials, values).clean(err.Error()); clean != err.Error() {
		return errors.New(clean)
	}
	return err
}

// insecureWarning is printed by every command that talks to the foundation without checking
// its certificates, so nobody runs that way unawares.
const insecureWarning = "warning: skip_cert_check is set: TLS certificates are not verified"

func warnInsecure(w io.Writer, s Source) {
	if s.SkipCertCheck {
		fmt.Fprintln(w, insecureWarning)
	}
}
