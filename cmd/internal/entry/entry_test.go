package entry

import "testing"

// The image links check, in and out to one binary, which runs the command it is called as.
func TestLookupFindsTheThreeCommandsByName(t *testing.T) {
	for _, name := range []string{"check", "in", "out"} {
		if _, ok := Lookup(name); !ok {
			t.Errorf("Lookup(%q) found nothing", name)
		}
	}
	for _, name := range []string{"cf-bluegreen-resource", "responder", "", "Check"} {
		if _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found a command", name)
		}
	}
}
