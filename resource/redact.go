package resource

import (
	"io"
	"sort"
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

func newRedactor(w io.Writer, secrets []string) *redactor {
	var keep []string
	for _, s := range secrets {
		if len(s) >= 3 { // shorter values would blank out ordinary text
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
