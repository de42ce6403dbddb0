package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// largeResult is a large app deployed twice with the same bits: what out sent and how much
// memory it took.
type largeResult struct {
	Bytes           int64 // the app folder
	Files           int
	First, Redeploy largeDeploy
}

type largeDeploy struct {
	Wall     time.Duration
	Uploaded int64 // request bytes of the package upload, as cfsim read them
	MaxRSSKB int64
}

const largePart = 10 << 20 // like a fat jar's dependencies: 10 MiB files

// runLarge writes an app folder of cfg.LargeMB MiB (the test app and random, incompressible
// files) and deploys it blue-green twice; the second deploy changes only a var.
func (l *lane) runLarge(ctx context.Context) (largeResult, error) {
	var res largeResult
	fmt.Printf("%-36s", fmt.Sprintf("large app (%d MB)", l.b.cfg.LargeMB))
	inputs := filepath.Join(l.b.dir, "large")
	app := filepath.Join(inputs, "app")
	if err := copyTree(l.b.appDir, app); err != nil {
		return res, err
	}
	n, files, err := fillApp(app, int64(l.b.cfg.LargeMB)<<20, l.b.cfg.Seed)
	if err != nil {
		return res, err
	}
	res.Bytes, res.Files = n, files
	manifest := "applications:\n- name: large\n  memory: 64M\n  instances: 1\n  path: app\n  env:\n    VERSION: ((version))\n"
	if err := os.WriteFile(filepath.Join(inputs, "manifest.yml"), []byte(manifest), 0o644); err != nil {
		return res, fmt.Errorf("write manifest: %w", err)
	}
	for i, d := range []*largeDeploy{&res.First, &res.Redeploy} {
		l.f.sim.ResetRequests()
		params := map[string]any{"manifest": "manifest.yml", "vars": map[string]any{"version": fmt.Sprintf("v%d", i+1)}, "drain": "0s", "settle": "0s"}
		r, err := runOut(ctx, l.b.outBin, inputs, putRequest(l.f.info, params))
		if err != nil {
			return res, fmt.Errorf("large app, deploy %d: %w", i+1, err)
		}
		d.Wall, d.MaxRSSKB, d.Uploaded = r.Wall, r.MaxRSSKB, uploaded(l)
		fmt.Printf(" %.1fs", r.Wall.Seconds())
	}
	fmt.Println()
	return res, l.removeApps(ctx)
}

func uploaded(l *lane) int64 {
	var n int64
	for _, r := range l.f.sim.Requests() {
		if r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/v3/packages/") && strings.HasSuffix(r.Path, "/upload") {
			n += r.BytesIn
		}
	}
	return n
}

// fillApp adds lib/part-NN.jar files of random bytes until the folder holds size bytes.
func fillApp(dir string, size int64, seed uint64) (int64, int, error) {
	total, files := int64(0), 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			info, ierr := d.Info()
			if ierr != nil {
				return ierr
			}
			total += info.Size()
			files++
		}
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("large app: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
		return 0, 0, fmt.Errorf("large app: %w", err)
	}
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 42})
	for i := 0; total < size; i++ {
		n := min(int64(largePart), size-total)
		if err := writeRandom(filepath.Join(dir, "lib", fmt.Sprintf("part-%02d.jar", i)), rng, n); err != nil {
			return 0, 0, err
		}
		total += n
		files++
	}
	return total, files, nil
}

func writeRandom(path string, r io.Reader, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("large app: %w", err)
	}
	if _, err := io.CopyN(f, r, n); err != nil {
		f.Close()
		return fmt.Errorf("large app: %w", err)
	}
	return f.Close()
}

// copyTree copies a folder of regular files (the built test app), keeping modes.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
