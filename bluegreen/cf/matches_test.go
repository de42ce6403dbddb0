package cf_test

import (
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/platform"

	"archive/zip"
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // the resource pool's key
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/bluegreen/cf"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim"
	"github.com/cf-bluegreen-resource/cf-bluegreen-resource/test/cfsim/cfpush"
)

// fakeFolder is an app folder held in memory: its entries by path, zipped on demand.
type fakeFolder map[string][]byte

func (f fakeFolder) files() platform.AppFiles {
	return platform.AppFiles{
		List: func() ([]platform.Resource, error) {
			var list []platform.Resource
			for p, data := range f {
				r := platform.Resource{Path: p, Size: int64(len(data)), Mode: 0o644}
				if len(data) >= platform.MinMatchSize {
					sum := sha1.Sum(data) //nolint:gosec // see the import
					r.SHA1 = hex.EncodeToString(sum[:])
				}
				list = append(list, r)
			}
			return list, nil
		},
		Write: func(w io.Writer, cached func(string) bool) error {
			zw := zip.NewWriter(w)
			for p, data := range f {
				if cached(p) {
					continue
				}
				out, err := zw.Create(p)
				if err != nil {
					return err
				}
				if _, err := out.Write(data); err != nil {
					return err
				}
			}
			return zw.Close()
		},
	}
}

func randomBytes(seed byte, n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// uploadBytes is what the package uploads sent, as cfsim's request log counted them.
func uploadBytes(sim *cfsim.Sim) int64 {
	var n int64
	for _, r := range sim.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/upload") {
			n += r.BytesIn
		}
	}
	return n
}

// newAppOnSim starts a simulated foundation, closed when the test ends, and creates an app
// there through the port.
func newAppOnSim(ctx context.Context, t *testing.T, name string) (*cfsim.Sim, *cf.Client, *platform.App) {
	t.Helper()
	sim, err := cfsim.Start(cfsim.Config{Routers: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	info := sim.Info()
	c, err := cf.Connect(ctx, cf.Config{API: info.APIURL, Username: info.Username, Password: info.Password})
	if err != nil {
		t.Fatal(err)
	}
	space, err := c.Space(ctx, info.Org, info.Space)
	if err != nil {
		t.Fatal(err)
	}
	app, err := c.CreateApp(ctx, space.GUID, name, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sim, c, app
}

func TestUploadFilesSendsOnlyWhatCCLacks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, c, app := newAppOnSim(ctx, t, "matcher")
	folder := fakeFolder{"lib/a.jar": randomBytes(1, 200_000), "lib/b.jar": randomBytes(2, 300_000),
		"Procfile": []byte("web: ./app\n"), "small.txt": randomBytes(3, 1000)}

	_, first, err := c.UploadFiles(ctx, app.GUID, folder.files())
	if err != nil {
		t.Fatal(err)
	}
	if first.Matched != 0 || first.Files != 4 {
		t.Fatalf("first upload: %+v, want 4 files and nothing matched on an empty pool", first)
	}
	sent := uploadBytes(sim)
	if sent < 500_000 {
		t.Fatalf("first upload sent %d bytes, want the whole app", sent)
	}

	sim.ResetRequests()
	pkg, second, err := c.UploadFiles(ctx, app.GUID, folder.files())
	if err != nil {
		t.Fatal(err)
	}
	if second.Matched != 2 || second.MatchedBytes != 500_000 {
		t.Fatalf("second upload: %+v, want both jars matched", second)
	}
	if sent := uploadBytes(sim); sent > 5_000 {
		t.Fatalf("second upload sent %d bytes, want only the small files and the list", sent)
	}
	checkPackage(ctx, t, sim.Info(), pkg, folder)
}

// checkPackage downloads the package CC assembled and compares it with the folder.
func checkPackage(ctx context.Context, t *testing.T, info cfsim.Info, pkg string, want fakeFolder) {
	t.Helper()
	gc, err := cfpush.Login(info.APIURL, info.Username, info.Password)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := gc.Packages.Download(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want[f.Name]) {
			t.Errorf("package entry %s differs from the app's file", f.Name)
		}
		got[f.Name] = true
	}
	for p := range want {
		if !got[p] {
			t.Errorf("package lacks %s", p)
		}
	}
}

func TestUploadFilesSendsNoZipWhenEverythingIsHeld(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sim, c, app := newAppOnSim(ctx, t, "all-held")
	folder := fakeFolder{"big.bin": randomBytes(4, 100_000)}
	if _, _, err := c.UploadFiles(ctx, app.GUID, folder.files()); err != nil {
		t.Fatal(err)
	}
	pkg, st, err := c.UploadFiles(ctx, app.GUID, folder.files())
	if err != nil {
		t.Fatal(err)
	}
	if st.Matched != 1 {
		t.Fatalf("second upload: %+v, want the one file matched", st)
	}
	checkPackage(ctx, t, sim.Info(), pkg, folder)
}
