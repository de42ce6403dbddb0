package main

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/elf"
	"fmt"
	"path"
	"slices"
	"strings"
)

// maxSize is the image's budget, uncompressed: issue 6 of the project.
const maxSize = 25_000_000

// executables are the programs the image exists for.
var executables = []string{"opt/resource/check", "opt/resource/in", "opt/resource/out", "opt/resource/responder"}

const caBundle = "etc/ssl/certs/ca-certificates.crt"

// check lists everything wrong with the image; none means it is fit to ship.
func (img *image) check() []string {
	var problems []string
	if img.size > maxSize {
		problems = append(problems, fmt.Sprintf("%d bytes uncompressed: more than %d", img.size, maxSize))
	}
	for _, name := range executables {
		if err := img.static(name); err != nil {
			problems = append(problems, fmt.Sprintf("/%s: %v", name, err))
		}
	}
	if ca := img.files[caBundle]; ca == nil || !x509.NewCertPool().AppendCertsFromPEM(ca.data) {
		problems = append(problems, "/"+caBundle+": missing or holds no certificate")
	}
	if tmp := img.files["tmp"]; tmp == nil || tmp.typ != tar.TypeDir {
		problems = append(problems, "/tmp: missing (out stages files there)")
	}
	if !slices.Contains(img.env, "PATH=/opt/resource") {
		problems = append(problems, fmt.Sprintf("config env %v: want PATH=/opt/resource", img.env))
	}
	return append(problems, img.extras()...)
}

// static checks that name resolves to an executable ELF that needs no loader or library.
func (img *image) static(name string) error {
	f, target, err := img.resolve(name)
	if err != nil {
		return err
	}
	if f.mode&0o111 == 0 {
		return fmt.Errorf("%s is not executable (mode %o)", target, f.mode)
	}
	bin, err := elf.NewFile(bytes.NewReader(f.data))
	if err != nil {
		return fmt.Errorf("%s is not an ELF executable: %w", target, err)
	}
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked (it needs a program interpreter)", target)
		}
	}
	if libs, _ := bin.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %v", target, libs)
	}
	return nil
}

// resolve follows symbolic links inside the image.
func (img *image) resolve(name string) (*file, string, error) {
	for range 8 {
		f := img.files[name]
		switch {
		case f == nil:
			return nil, name, fmt.Errorf("missing")
		case f.typ == tar.TypeSymlink:
			name = strings.TrimPrefix(path.Clean(path.Join(path.Dir(name), f.link)), "/")
			if strings.HasPrefix(f.link, "/") {
				name = strings.TrimPrefix(path.Clean(f.link), "/")
			}
		case f.typ == tar.TypeReg:
			return f, name, nil
		default:
			return nil, name, fmt.Errorf("not a file (tar type %q)", f.typ)
		}
	}
	return nil, name, fmt.Errorf("too many symbolic links")
}

// extras lists files the resource does not use: only /opt/resource, the CA bundle, /tmp
// and the folders above them belong.
func (img *image) extras() []string {
	var out []string
	for name, f := range img.files {
		if strings.HasPrefix(name, "opt/resource/") || name == caBundle || name == "tmp" {
			continue
		}
		if f.typ == tar.TypeDir && (strings.HasPrefix("opt/resource", name) || strings.HasPrefix(caBundle, name+"/")) {
			continue
		}
		out = append(out, "/"+name+": not used by the resource")
	}
	slices.Sort(out)
	return out
}
