package resource

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// expectClear: a clear error names what is wrong first (the request, or a field of source,
// params or version) and fits on one line: Concourse shows it as the step's only output.
func expectClear(t *testing.T, err error) {
	t.Helper()
	shape := regexp.MustCompile(`^(request|source|params|version)(\.[a-z_]+|\[\d+\])*: \S`)
	if msg := err.Error(); !shape.MatchString(msg) || strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("unclear error: %q", msg)
	}
}

// FuzzDecodeOut: any bytes on out's stdin are either a valid request or one clear error,
// never a panic or a hang.
func FuzzDecodeOut(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var req OutRequest
		err := decodeStrict(strings.NewReader(string(data)), &req)
		if err == nil {
			if err = req.Source.Validate(); err == nil {
				err = req.Params.Validate()
			}
		}
		if err != nil {
			expectClear(t, err)
		}
	})
}

// FuzzDecodeCheck does the same for check's stdin.
func FuzzDecodeCheck(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var req CheckRequest
		err := decodeStrict(strings.NewReader(string(data)), &req)
		if err == nil {
			err = req.Source.validateForReading()
		}
		if err != nil {
			expectClear(t, err)
		}
	})
}

// FuzzDecodeIn does the same for in's stdin.
func FuzzDecodeIn(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var req InRequest
		err := decodeStrict(strings.NewReader(string(data)), &req)
		if err == nil {
			err = req.Source.validateForReading()
		}
		if err != nil {
			expectClear(t, err)
		}
	})
}

// FuzzInputPath: whatever a param says, the path it resolves to stays inside the inputs
// folder, through symlinks too; anything else is an error naming the param.
func FuzzInputPath(f *testing.F) {
	root := f.TempDir()
	inputs := filepath.Join(root, "inputs")
	for _, d := range []string{"inputs/app/sub", "outside"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			f.Fatal(err)
		}
	}
	for _, p := range []string{"inputs/manifest.yml", "inputs/app/sub/vars.yml", "outside/secret"} {
		if err := os.WriteFile(filepath.Join(root, p), []byte("x"), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	for link, target := range map[string]string{"inputs/in.yml": "manifest.yml", "inputs/out.yml": "../outside/secret",
		"inputs/abs": filepath.Join(root, "outside"), "inputs/app/up": "../.."} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			f.Fatal(err)
		}
	}
	inside, err := filepath.EvalSymlinks(inputs)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		got, err := inputPath("params.path", inputs, pattern)
		if err != nil {
			expectClear(t, err)
			return
		}
		resolved, err := filepath.EvalSymlinks(got)
		if err != nil {
			return // a dangling name cannot be read either
		}
		if !within(inside, resolved) {
			t.Fatalf("%q resolved to %s, outside the inputs folder", pattern, resolved)
		}
	})
}
